"""Allocation decisions: who a manager gave each case to, and how later imports settled it;
a stored case says when its holder comes from one

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "allocation_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crn", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("to_staff_code", sa.String(length=40), nullable=False),
        sa.Column("to_team_code", sa.String(length=40), nullable=False),
        sa.Column("from_staff_code", sa.String(length=40), nullable=True),
        sa.Column("from_team_code", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.String(length=60), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        sa.Column("override_justification", sa.Text(), nullable=True),
        sa.Column("username", sa.String(length=120), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("confirmed_on", sa.Date(), nullable=True),
        sa.Column("contradicted_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation_decision")),
    )
    op.create_index(
        "ix_allocation_decision_pending", "allocation_decision", ["crn", "as_of"], unique=False
    )
    op.create_index(
        op.f("ix_allocation_decision_decided_at"), "allocation_decision", ["decided_at"]
    )
    op.create_index(
        op.f("ix_allocation_decision_to_team_code"), "allocation_decision", ["to_team_code"]
    )
    # Added in place, never by copying the table, as in 0010.
    op.add_column("snapshot_case", sa.Column("allocation_decision_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE snapshot_case DROP COLUMN allocation_decision_id")  # in place
    op.drop_index(op.f("ix_allocation_decision_to_team_code"), table_name="allocation_decision")
    op.drop_index(op.f("ix_allocation_decision_decided_at"), table_name="allocation_decision")
    op.drop_index("ix_allocation_decision_pending", table_name="allocation_decision")
    op.drop_table("allocation_decision")
