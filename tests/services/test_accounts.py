"""Accounts: usernames unique whatever their capitals, from a stated set of characters, and
existing accounts brought over when the store is upgraded."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, select, text

from wmt.domain.access import Role
from wmt.errors import WmtError
from wmt.services.accounts import USERNAME_RULE, AccountRefused, add_account, add_user
from wmt.store import schema
from wmt.store.database import migrate
from wmt.store.transactions import Store

PASSWORD = "correct horse battery"


def test_usernames_that_differ_only_in_capitals_are_refused(store: Store) -> None:
    add_user(store, "Sam.Smith@probation.example", PASSWORD, Role.NATIONAL, "national")
    clash = re.escape("There is already a user called 'Sam.Smith@probation.example'")
    with pytest.raises(WmtError, match=clash):
        add_user(store, "sam.smith@PROBATION.example", PASSWORD, Role.NATIONAL, "national")
    with pytest.raises(AccountRefused) as refused:
        add_account(store, "SAM.SMITH@probation.example", PASSWORD, "national", "", "ada")
    assert refused.value.problems == {
        "username": "There is already a user called 'Sam.Smith@probation.example'"
    }


@pytest.mark.parametrize(
    "username",
    ["", "sam smith", "sam\x00", "o'brien", "jörg", "ｓａｍ", "a" * 121, "tab\there"],
)
def test_usernames_use_only_the_stated_characters(store: Store, username: str) -> None:
    with pytest.raises(WmtError, match="only letters a to z, digits and"):
        add_user(store, username, PASSWORD, Role.NATIONAL, "national")
    with pytest.raises(AccountRefused) as refused:
        add_account(store, username, PASSWORD, "national", "", "ada")
    assert refused.value.problems["username"] == USERNAME_RULE


def test_the_longest_and_odd_but_allowed_usernames_are_accepted(store: Store) -> None:
    for username in ("a" * 120, "x", "first.last+wmt@probation.example", "A_B-C"):
        add_user(store, username, PASSWORD, Role.NATIONAL, "national")


def _at_revision(url: str, revision: str) -> None:
    """A store built only up to an older revision, as a server not yet upgraded holds it."""
    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", "wmt.store:migrations")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()


def test_an_upgrade_keeps_accounts_and_disables_newer_ones_that_clash(database_url: str) -> None:
    _at_revision(database_url, "0007")
    engine = create_engine(database_url)
    accounts = schema.table_of(schema.UserAccount)
    with engine.begin() as connection:
        for username in ("Sam", "kim", "sam", "SAM"):
            connection.execute(
                text(
                    "INSERT INTO user_account (username, password_hash, role, scope, "
                    "failed_attempts, created_at) "
                    "VALUES (:username, 'hash', 'national', 'national', 0, :at)"
                ),
                {"username": username, "at": datetime(2026, 1, 1)},
            )
    migrate(engine)
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                accounts.c.id, accounts.c.username, accounts.c.username_key, accounts.c.disabled
            ).order_by(accounts.c.id)
        ).all()
    engine.dispose()
    first = rows[0].id
    assert [(row.username, row.username_key, row.disabled) for row in rows] == [
        ("Sam", "sam", False),
        ("kim", "kim", False),
        ("sam", f"sam#{first + 2}", True),
        ("SAM", f"sam#{first + 3}", True),
    ]
