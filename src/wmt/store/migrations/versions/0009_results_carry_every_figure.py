"""Results carry every figure shown: hours available after reductions, cases scored by tier

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The results tables, each with the type of its hours columns. Stored figures give the new
# columns exactly as the engine does: caseload less T2A cases, contracted hours less reductions.
FILLED = {
    "owner_workload": sa.Numeric(7, 2),
    "unit_workload": sa.Numeric(12, 2),
}


def upgrade() -> None:
    for table, hours_type in FILLED.items():
        op.add_column(table, sa.Column("tier_scored_cases", sa.Integer(), nullable=True))
        op.add_column(table, sa.Column("hours_available", hours_type, nullable=True))
        op.execute(
            f"UPDATE {table} SET tier_scored_cases = caseload - t2a_cases, "
            "hours_available = contracted_hours - reduction_hours"
        )
        with op.batch_alter_table(table) as batch:
            batch.alter_column("tier_scored_cases", existing_type=sa.Integer(), nullable=False)
            batch.alter_column("hours_available", existing_type=hours_type, nullable=False)


def downgrade() -> None:
    for table in FILLED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("hours_available")
            batch.drop_column("tier_scored_cases")
