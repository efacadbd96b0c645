"""Hours and reductions managed in wmt, reduction reasons, and the audit log

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from wmt.domain.reductions import REDUCTION_REASONS

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("snapshot_staff") as batch:
        batch.add_column(sa.Column("imported_contracted_hours", sa.Numeric(5, 2), nullable=True))
    op.execute("UPDATE snapshot_staff SET imported_contracted_hours = contracted_hours")
    with op.batch_alter_table("snapshot_reduction") as batch:
        batch.add_column(sa.Column("managed_reduction_id", sa.Integer(), nullable=True))
    op.create_table(
        "managed_hours",
        sa.Column("staff_code", sa.String(length=40), nullable=False),
        sa.Column("team_code", sa.String(length=40), nullable=False),
        sa.Column("contracted_hours", sa.Numeric(5, 2), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("staff_code", "team_code", name=op.f("pk_managed_hours")),
    )
    op.create_table(
        "managed_reduction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_code", sa.String(length=40), nullable=False),
        sa.Column("team_code", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("hours", sa.Numeric(5, 2), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_managed_reduction")),
    )
    op.create_index(op.f("ix_managed_reduction_staff_code"), "managed_reduction", ["staff_code"])
    reasons = op.create_table(
        "reduction_reason",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("allowance_percent", sa.Integer(), nullable=True),
        sa.Column("maximum_percent", sa.Integer(), nullable=True),
        sa.Column("months_to_expiry", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reduction_reason")),
        sa.UniqueConstraint("name", name=op.f("uq_reduction_reason_name")),
    )
    op.bulk_insert(
        reasons,
        [
            {
                "name": reason.name,
                "category": reason.category.value,
                "allowance_percent": reason.allowance_percent,
                "maximum_percent": reason.maximum_percent,
                "months_to_expiry": reason.months_to_expiry,
                "active": True,
                "version": 1,
            }
            for reason in REDUCTION_REASONS
        ],
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("username", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("staff_code", sa.String(length=40), nullable=True),
        sa.Column("team_code", sa.String(length=40), nullable=True),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    op.create_index(op.f("ix_audit_event_at"), "audit_event", ["at"])
    op.create_index(op.f("ix_audit_event_staff_code"), "audit_event", ["staff_code"])


def downgrade() -> None:
    op.drop_table("audit_event")
    op.drop_table("reduction_reason")
    op.drop_table("managed_reduction")
    op.drop_table("managed_hours")
    with op.batch_alter_table("snapshot_reduction") as batch:
        batch.drop_column("managed_reduction_id")
    with op.batch_alter_table("snapshot_staff") as batch:
        batch.drop_column("imported_contracted_hours")
