"""What administrators change about accounts, each checked, audited, and ending sessions
where it changes what the person may do.

Every change names the version of the account the administrator saw; if someone else changed
it since, nothing is saved (AccountChangedMeanwhile). Nobody can disable or delete their own
account, and no change may leave the service without an administrator who can sign in.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, delete, select, update

from wmt.domain.access import Role
from wmt.domain.clock import utc_now
from wmt.errors import NotFound, WmtError
from wmt.services import throttle
from wmt.services.accounts import (
    AccountRecord,
    AccountRefused,
    audited_details,
    details_problems,
    record_of,
    role_and_scope,
)
from wmt.services.audit import record_change
from wmt.services.passwords import has_local_password, hash_password, password_problem
from wmt.services.sessions import end_sessions_of
from wmt.store import schema
from wmt.store.transactions import Store


class AccountChangedMeanwhile(WmtError):
    """Someone else changed the account after this form was opened; nothing was saved."""

    def __init__(self, current: AccountRecord) -> None:
        self.current = current
        super().__init__(
            f"Someone else changed {current.username}'s account after you opened this page, so "
            "your change was not saved. The account as it is now is shown below; what you typed "
            "is kept. Check it and save again if you still want your change."
        )


def locked_account(connection: Connection, account_id: int, version: int | None) -> Row[Any]:
    """The account's row, locked for this transaction; NotFound if it has gone, and
    AccountChangedMeanwhile if `version` is given and is no longer its version."""
    table = schema.table_of(schema.UserAccount)
    row = connection.execute(
        select(table).where(table.c.id == account_id).with_for_update()
    ).first()
    if row is None:
        raise NotFound(f"There is no account {account_id}: it may have been deleted.")
    if version is not None and row.version != version:
        raise AccountChangedMeanwhile(record_of(row))
    return row


def keeps_an_administrator(connection: Connection, row: Row[Any], what: str) -> None:
    """AccountRefused if this change would leave no administrator who can sign in."""
    if row.role != Role.ADMIN.value or row.disabled:
        return
    table = schema.table_of(schema.UserAccount)
    others = connection.execute(
        select(table.c.id)
        .where(
            table.c.role == Role.ADMIN.value,
            table.c.disabled.is_(False),
            table.c.id != row.id,
        )
        .with_for_update()
    ).all()
    if not others:
        raise AccountRefused(
            {what: f"{row.username} is the only administrator: add another administrator first"}
        )


def change_account(
    store: Store,
    account_id: int,
    version: int,
    *,
    role_text: str,
    scope: str,
    full_name: str,
    email: str,
    by: str,
) -> bool:
    """Save an account's role, scope, name and email; True if its sessions were ended
    (a new role or scope). Nobody can take away their own admin role."""
    full_name, email = full_name.strip(), email.strip()
    problems = details_problems(full_name, email)
    try:
        role, scope = role_and_scope(store, role_text, scope)
    except AccountRefused as refused:
        problems = {**refused.problems, **problems}
    if problems:
        raise AccountRefused(problems)
    table = schema.table_of(schema.UserAccount)
    with store.writing() as connection:
        row = locked_account(connection, account_id, version)
        if role is not Role.ADMIN:
            if row.username == by and row.role == Role.ADMIN.value:
                raise AccountRefused(
                    {"role": "You cannot remove your own admin role: ask another administrator"}
                )
            keeps_an_administrator(connection, row, "role")
        before = {"role": row.role, "scope": row.scope}
        before |= audited_details(row.full_name, row.email)
        after = {"role": role.value, "scope": scope}
        after |= audited_details(full_name or None, email or None)
        if before == after:
            return False
        connection.execute(
            update(table)
            .where(table.c.id == account_id)
            .values(
                role=role.value,
                scope=scope,
                full_name=full_name or None,
                email=email or None,
                version=row.version + 1,
            )
        )
        access_changed = (row.role, row.scope) != (role.value, scope)
        if access_changed:
            end_sessions_of(connection, account_id)
        record_change(
            connection,
            username=by,
            action="change user",
            subject=f"user {row.username}",
            before=before,
            after=after,
        )
    return access_changed


def clear_failed_sign_ins(store: Store, account_id: int, by: str) -> str:
    """Let a person slowed down by failed sign-ins try again at once; returns their username."""
    now = utc_now()
    with store.writing() as connection:
        row = locked_account(connection, account_id, None)
        counter = throttle.username_counter(row.username)
        failures = throttle.recent_failures(connection, [counter], now)[counter.key]
        throttle.clear(connection, counter)
        record_change(
            connection,
            username=by,
            action="clear failed sign-ins",
            subject=f"user {row.username}",
            before={"failed sign-ins": failures},
            after={"failed sign-ins": 0},
        )
    return str(row.username)


def reset_password(store: Store, account_id: int, version: int, password: str, by: str) -> str:
    """Give an account a new password (they sign in again everywhere); returns the username."""
    problem = password_problem(password)
    if problem is not None:
        raise AccountRefused({"password": problem})
    table = schema.table_of(schema.UserAccount)
    with store.writing() as connection:
        row = locked_account(connection, account_id, version)
        connection.execute(
            update(table)
            .where(table.c.id == account_id)
            .values(password_hash=hash_password(password), version=row.version + 1)
        )
        ended = end_sessions_of(connection, account_id)
        throttle.clear(connection, throttle.username_counter(row.username))
        record_change(
            connection,
            username=by,
            action="reset user password",
            subject=f"user {row.username}",
            before={"password": "previous" if has_local_password(row.password_hash) else "none"},
            after={"password": "new", "sessions ended": ended},
        )
    return str(row.username)


def remove_account(store: Store, account_id: int, version: int, by: str) -> str:
    """Delete an account and end its sessions; never your own, never the last administrator.
    The audit log keeps what it did. Returns the username."""
    table = schema.table_of(schema.UserAccount)
    with store.writing() as connection:
        row = locked_account(connection, account_id, version)
        if row.username == by:
            raise AccountRefused({"confirm": "You cannot delete your own account"})
        keeps_an_administrator(connection, row, "confirm")
        end_sessions_of(connection, account_id)
        throttle.clear(connection, throttle.username_counter(row.username))
        connection.execute(delete(table).where(table.c.id == account_id))
        record_change(
            connection,
            username=by,
            action="delete user",
            subject=f"user {row.username}",
            before={"username": row.username, "role": row.role, "scope": row.scope}
            | audited_details(row.full_name, row.email),
            after=None,
        )
    return str(row.username)


def set_disabled(store: Store, account_id: int, version: int, disabled: bool, by: str) -> str:
    """Disable an account (its sessions end and it cannot sign in), or enable it again.
    Returns the username."""
    table = schema.table_of(schema.UserAccount)
    with store.writing() as connection:
        row = locked_account(connection, account_id, version)
        if row.disabled == disabled:
            return str(row.username)
        if disabled:
            if row.username == by:
                raise AccountRefused({"disabled": "You cannot disable your own account"})
            keeps_an_administrator(connection, row, "disabled")
            end_sessions_of(connection, account_id)
        connection.execute(
            update(table)
            .where(table.c.id == account_id)
            .values(disabled=disabled, version=row.version + 1)
        )
        record_change(
            connection,
            username=by,
            action="disable user" if disabled else "enable user",
            subject=f"user {row.username}",
            before={"disabled": row.disabled},
            after={"disabled": disabled},
        )
    return str(row.username)


def end_account_sessions(
    store: Store, account_id: int, by: str, *, keep: str | None = None
) -> tuple[str, int]:
    """Sign a person out everywhere (but the session `keep`, a digest, if it is theirs).
    Returns their username and how many sessions ended."""
    with store.writing() as connection:
        row = locked_account(connection, account_id, None)
        ended = end_sessions_of(connection, account_id, keep=keep)
        record_change(
            connection,
            username=by,
            action="end user sessions",
            subject=f"user {row.username}",
            before={"sessions ended": 0},
            after={"sessions ended": ended},
        )
    return str(row.username), ended
