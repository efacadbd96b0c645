"""Cases a manager has locked, so that a rebalance never moves them

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_lock",
        sa.Column("crn", sa.String(length=120), nullable=False),
        sa.Column("team_code", sa.String(length=40), nullable=False),
        sa.Column("locked_by", sa.String(length=120), nullable=False),
        sa.Column("locked_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("crn", name=op.f("pk_case_lock")),
    )


def downgrade() -> None:
    op.drop_table("case_lock")
