"""Sessions kept in the store, sign-in throttling, and accounts that can be disabled

Usernames become unique regardless of capitals. Where two existing accounts differ only in
capitals, the oldest keeps the username as its key; each newer one is disabled and given a key
with its number (`sam#7`), so nothing is lost and an administrator can delete it.

The lock-out columns go: failed sign-ins are counted in `sign_in_throttle` instead.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

KEY_LENGTH = 120


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("username_key", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("full_name", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch.add_column(
            sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    _fill_username_keys()
    with op.batch_alter_table("user_account") as batch:
        batch.alter_column("username_key", existing_type=sa.String(length=120), nullable=False)
        batch.create_unique_constraint(op.f("uq_user_account_username_key"), ["username_key"])
        batch.drop_column("failed_attempts")
        batch.drop_column("locked_until")
    op.create_table(
        "web_session",
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("user_account_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_account_id"],
            ["user_account.id"],
            name=op.f("fk_web_session_user_account_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_digest", name=op.f("pk_web_session")),
    )
    for column in ("user_account_id", "created_at", "last_seen_at"):
        op.create_index(op.f(f"ix_web_session_{column}"), "web_session", [column])
    op.create_table(
        "sign_in_throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_throttle")),
    )
    op.create_index(
        op.f("ix_sign_in_throttle_last_failure_at"), "sign_in_throttle", ["last_failure_at"]
    )


def _fill_username_keys() -> None:
    """Each account's key; a newer account whose username differs only in capitals is disabled."""
    connection = op.get_bind()
    accounts = sa.table(
        "user_account",
        sa.column("id", sa.Integer()),
        sa.column("username", sa.String()),
        sa.column("username_key", sa.String()),
        sa.column("disabled", sa.Boolean()),
    )
    rows = connection.execute(
        sa.select(accounts.c.id, accounts.c.username).order_by(accounts.c.id)
    ).all()
    taken: set[str] = set()
    for row in rows:
        key = row.username.lower()
        clash = key in taken
        if clash:
            suffix = f"#{row.id}"
            key = key[: KEY_LENGTH - len(suffix)] + suffix
        taken.add(key)
        connection.execute(
            sa.update(accounts)
            .where(accounts.c.id == row.id)
            .values(username_key=key, disabled=clash)
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_sign_in_throttle_last_failure_at"), table_name="sign_in_throttle")
    op.drop_table("sign_in_throttle")
    for column in ("user_account_id", "created_at", "last_seen_at"):
        op.drop_index(op.f(f"ix_web_session_{column}"), table_name="web_session")
    op.drop_table("web_session")
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(
            sa.Column("failed_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
        batch.drop_constraint(op.f("uq_user_account_username_key"), type_="unique")
        for column in ("version", "disabled", "email", "full_name", "username_key"):
            batch.drop_column(column)
