"""The reference points configuration, in force from 2000-01-01 until another is loaded

Reading a figure never has to write: the version every snapshot falls back to is there from
the start.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

from alembic import op

from wmt.store import points_versions

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    points_versions.version_in_force(connection, points_versions.REFERENCE_EFFECTIVE_FROM)


def downgrade() -> None:
    """The reference version stays: snapshots may refer to it."""
