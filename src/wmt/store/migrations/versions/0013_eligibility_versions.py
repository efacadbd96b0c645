"""Versions of the eligibility rules (who may be given which case), the reference defaults
in force from 2000-01-01 until an administrator adds another

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from wmt.store import eligibility_versions

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "eligibility_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_version")),
        sa.UniqueConstraint("effective_from", name=op.f("uq_eligibility_version_effective_from")),
    )
    # Stored, as the points configuration's reference is (0006), so that the versions listed
    # say which rules were in force before an administrator changed them.
    eligibility_versions.store_reference(op.get_bind())


def downgrade() -> None:
    op.drop_table("eligibility_version")
