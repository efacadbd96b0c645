"""What allocating a case needs to know: its sentence (or release) date, who last managed the
person, their risk of serious harm and their first appointment

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

NEW_COLUMNS = (
    ("sentence_date", sa.Date()),
    ("previous_staff_code", sa.String(length=40)),
    ("rosh", sa.String(length=10)),
    ("initial_appointment_date", sa.Date()),
)


def upgrade() -> None:
    # Added in place, never by copying the table, as in 0010.
    for name, column_type in NEW_COLUMNS:
        op.add_column("snapshot_case", sa.Column(name, column_type, nullable=True))


def downgrade() -> None:
    for name, _ in reversed(NEW_COLUMNS):
        op.execute(f"ALTER TABLE snapshot_case DROP COLUMN {name}")  # in place, as above
