"""Signing in with a wmt password, and people changing their own password.

Every refusal says the same thing, takes as long, and comes back the same way: a wrong
username, a wrong password, a disabled account, an organisation-only account and an attempt
made too soon after others all read "The username or password is not right". Nothing a person
can try tells them which usernames exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select, update

from wmt.domain.access import Role, Viewer
from wmt.domain.clock import utc_now
from wmt.errors import WmtError
from wmt.services import throttle
from wmt.services.audit import record_change
from wmt.services.passwords import (
    has_local_password,
    hash_password,
    needs_new_hash,
    password_matches,
    password_problem,
)
from wmt.services.sessions import SessionAccount, end_sessions_of
from wmt.store import schema
from wmt.store.transactions import Store, StoreBusy

REFUSAL = (
    "The username or password is not right. If you have tried several times, wait a minute "
    "before you try again."
)
# Longer than any username, but short enough that a pasted document is not looked up.
_LONGEST_LOOKED_UP = 200


class SignInRefused(WmtError):
    """Not signed in; the message is the same whatever the reason."""

    def __init__(self) -> None:
        super().__init__(REFUSAL)


def _account_row(connection: Connection, username: str) -> Row[Any] | None:
    """The account whose username matches, ignoring capitals; None for text no username is."""
    name = username.strip()
    if not name or len(name) > _LONGEST_LOOKED_UP or not name.isprintable():
        return None
    table = schema.table_of(schema.UserAccount)
    return connection.execute(select(table).where(table.c.username_key == name.lower())).first()


def sign_in(
    store: Store, username: str, password: str, address: str, now: datetime | None = None
) -> SessionAccount:
    """The account, if the password is right, the account is in use and no wait is due.

    The attempt is counted against the username before the password is checked (outside any
    transaction, so other sign-ins do not queue behind the hashing), and a right password takes
    it back; against the address only once it has failed.
    """
    now = now or utc_now()
    by_name = throttle.username_counter(username)
    by_address = throttle.address_counter(address)
    with store.writing() as connection:
        allowed = throttle.claim_attempt(connection, [by_name], [by_address], now)
        row = _account_row(connection, username)
    stored = row.password_hash if row is not None else None
    right = password_matches(stored, password)
    if not (allowed and right and row is not None and not row.disabled):
        if allowed:
            with store.writing() as connection:
                throttle.record_failure(connection, [by_address], now)
        raise SignInRefused
    table = schema.table_of(schema.UserAccount)
    with store.writing() as connection:
        throttle.take_back(connection, by_name)
        if needs_new_hash(row.password_hash):
            connection.execute(
                update(table)
                .where(table.c.id == row.id, table.c.password_hash == row.password_hash)
                .values(password_hash=hash_password(password))
            )
    return SessionAccount(row.id, Viewer(row.username, Role(row.role), row.scope), True)


class PasswordRefused(WmtError):
    """A new password was not set; `problems` says which field and what to do."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems.values()))


def change_own_password(
    store: Store,
    account_id: int,
    current: str,
    new: str,
    repeated: str,
    *,
    address: str,
    keep_session: str | None,
    now: datetime | None = None,
) -> None:
    """Set a person's new password once they have given their current one.

    Their other sessions end (a change of password is often because someone else knew it);
    the session they are using (`keep_session`, a digest) goes on. Wrong current passwords
    count against the same limits as signing in.
    """
    now = now or utc_now()
    problems = _new_password_problems(new, repeated)
    if not current:
        problems = {"current_password": "Enter your current password", **problems}
    if problems:
        raise PasswordRefused(problems)
    table = schema.table_of(schema.UserAccount)
    with store.writing() as connection:
        row = connection.execute(select(table).where(table.c.id == account_id)).first()
        if row is None or not has_local_password(row.password_hash):
            raise PasswordRefused({"current_password": "You have no wmt password to change"})
        by_name = throttle.username_counter(row.username)
        by_address = throttle.address_counter(address)
        allowed = throttle.claim_attempt(connection, [by_name], [by_address], now)
    if not (password_matches(row.password_hash, current) and allowed):
        if allowed:
            with store.writing() as connection:
                throttle.record_failure(connection, [by_address], now)
        raise PasswordRefused(
            {
                "current_password": "Your current password is not right. If you have tried "
                "several times, wait a minute before you try again"
            }
        )
    with store.writing() as connection:
        throttle.take_back(connection, by_name)
        connection.execute(
            update(table)
            .where(table.c.id == account_id)
            .values(password_hash=hash_password(new), version=table.c.version + 1)
        )
        ended = end_sessions_of(connection, account_id, keep=keep_session)
        record_change(
            connection,
            username=row.username,
            action="change own password",
            subject=f"user {row.username}",
            before={"password": "previous"},
            after={"password": "new", "other sessions ended": ended},
        )


def _new_password_problems(new: str, repeated: str) -> dict[str, str]:
    problem = password_problem(new)
    if problem is not None:
        return {"new_password": problem}
    if new != repeated:
        return {"confirm_password": "Enter the same new password twice"}
    return {}


def forget_old_failures(store: Store, now: datetime) -> int:
    """Remove failure counts an hour old (they count for nothing); skipped if the store is busy,
    since this is tidying that can wait for another time."""
    try:
        with store.writing(wait=False) as connection:
            return throttle.forget_old(connection, now)
    except StoreBusy:
        return 0
