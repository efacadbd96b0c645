"""Indexes for reading one owner's inputs and one team's results

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 17:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_snapshot_case_owner": ("snapshot_case", ["snapshot_id", "staff_code", "team_code"]),
    "ix_snapshot_report_owner": ("snapshot_report", ["snapshot_id", "staff_code"]),
    "ix_snapshot_contact_doer": ("snapshot_contact", ["snapshot_id", "staff_code"]),
    "ix_snapshot_contact_holder": ("snapshot_contact", ["snapshot_id", "holder_staff_code"]),
    "ix_owner_workload_team": ("owner_workload", ["snapshot_id", "team_code"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
