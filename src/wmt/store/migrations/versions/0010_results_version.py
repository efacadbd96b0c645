"""Each snapshot's results version, moved on whenever its results are written again, so what
a server worker keeps of its figures is keyed by it

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Added in place, never by copying the table: on SQLite, dropping the old snapshot table
    # would delete every row that refers to it (ON DELETE CASCADE).
    op.add_column(
        "snapshot",
        sa.Column("results_version", sa.Integer(), nullable=False, server_default="1"),
    )


def downgrade() -> None:
    op.execute("ALTER TABLE snapshot DROP COLUMN results_version")  # in place, as above
