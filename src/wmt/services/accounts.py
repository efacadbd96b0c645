"""Local accounts: passwords hashed with argon2, repeated failures slowed down by a lock-out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Row, Table, insert, select, update

from wmt.domain.access import SCOPE_LEVEL, Role, Viewer
from wmt.errors import NotFound, WmtError
from wmt.services.audit import record_change
from wmt.services.places import place_of
from wmt.store import schema
from wmt.store.transactions import Store

ATTEMPTS_BEFORE_LOCK = 5
LOCK_MINUTES = 15
_HASHER = PasswordHasher()
_DECOY_HASH = _HASHER.hash("not a password anyone has")
# Stored instead of a hash for people who sign in only through their organisation: no
# password can ever match it.
NO_LOCAL_PASSWORD = "!no-local-password"


class SignInRefused(WmtError):
    """Wrong username or password, or too many attempts: the message says which to do."""


def add_user(store: Store, username: str, password: str | None, role: Role, scope: str) -> None:
    """An account; with no password it can only sign in through the organisation."""
    if password is not None and len(password) < 12:
        raise WmtError("Choose a password of at least 12 characters.")
    table = schema.table_of(schema.UserAccount)
    with store.writing() as connection:
        exists = connection.execute(select(table.c.id).where(table.c.username == username)).first()
        if exists is not None:
            raise WmtError(f"There is already a user called {username!r}.")
        connection.execute(
            insert(table).values(
                username=username,
                password_hash=NO_LOCAL_PASSWORD if password is None else _HASHER.hash(password),
                role=role.value,
                scope=scope,
                failed_attempts=0,
                created_at=datetime.now(),
            )
        )


def sign_in(store: Store, username: str, password: str, now: datetime | None = None) -> Viewer:
    """The person, if the password is right and they are not locked out.

    A failure is recorded (and commits) before it is reported, so attempts add up.
    """
    now = now or datetime.now()
    table = schema.table_of(schema.UserAccount)
    with store.writing() as connection:
        row = connection.execute(select(table).where(table.c.username == username)).first()
        refusal: str | None
        if row is not None and row.locked_until is not None and row.locked_until > now:
            minutes = int((row.locked_until - now).total_seconds() // 60) + 1
            refusal = f"Too many failed attempts. Try again in {minutes} minute(s)."
        else:
            refusal = _check_password(connection, table, row, password, now)
    if refusal is not None:
        raise SignInRefused(refusal)
    assert row is not None
    return Viewer(row.username, Role(row.role), row.scope)


class AccountRefused(WmtError):
    """An account's details broke a rule; `problems` says which field and what to do."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems.values()))


@dataclass(frozen=True)
class AccountRecord:
    """An account as administrators see it: never its password hash."""

    id: int
    username: str
    role: Role
    scope: str
    locked_until: datetime | None  # set only while the account is locked

    @property
    def locked(self) -> bool:
        return self.locked_until is not None


def list_accounts(store: Store, now: datetime | None = None) -> list[AccountRecord]:
    """Every account, by username."""
    now = now or datetime.now()
    table = schema.table_of(schema.UserAccount)
    query = select(
        table.c.id, table.c.username, table.c.role, table.c.scope, table.c.locked_until
    ).order_by(table.c.username)
    with store.reading() as connection:
        rows = connection.execute(query).all()
    return [
        AccountRecord(
            row.id,
            row.username,
            Role(row.role),
            row.scope,
            row.locked_until if row.locked_until is not None and row.locked_until > now else None,
        )
        for row in rows
    ]


def account_by_id(store: Store, account_id: int, now: datetime | None = None) -> AccountRecord:
    for account in list_accounts(store, now):
        if account.id == account_id:
            return account
    raise NotFound(f"There is no account {account_id}.")


def _role_and_scope(store: Store, role_text: str, scope: str) -> tuple[Role, str]:
    """The role and its scope code, checked against the newest snapshot; AccountRefused if not."""
    try:
        role = Role(role_text)
    except ValueError:
        raise AccountRefused({"role": "Choose a role"}) from None
    level = SCOPE_LEVEL[role]
    scope = scope.strip()
    if level == "national":
        if scope.lower() not in ("", "national"):
            raise AccountRefused({"scope": "A national or admin role's scope is national"})
        return role, "national"
    if not scope:
        raise AccountRefused({"scope": f"Enter the {_LEVEL_WORDS[level]} this person may see"})
    try:
        place_of(store, level, scope)
    except NotFound:
        raise AccountRefused(
            {"scope": f"There is no {_LEVEL_WORDS[level]} {scope!r} in the newest snapshot"}
        ) from None
    return role, scope


_LEVEL_WORDS = {
    "practitioner": "staff code",
    "team": "team code",
    "pdu": "PDU code",
    "region": "region code",
}


def add_account(
    store: Store, username: str, password: str, role_text: str, scope: str, by: str
) -> None:
    """A new local account, with its audit event; AccountRefused if anything is wrong."""
    problems: dict[str, str] = {}
    username = username.strip()
    if not username or len(username) > 120 or any(c.isspace() for c in username):
        problems["username"] = "Enter a username of up to 120 characters, without spaces"
    if len(password) < 12:
        problems["password"] = "Choose a password of at least 12 characters"
    try:
        role, scope = _role_and_scope(store, role_text, scope)
    except AccountRefused as refused:
        problems.update(refused.problems)
    if problems:
        raise AccountRefused(problems)
    table = schema.table_of(schema.UserAccount)
    with store.writing() as connection:
        taken = connection.execute(select(table.c.id).where(table.c.username == username)).first()
        if taken is not None:
            raise AccountRefused({"username": f"There is already a user called {username!r}"})
        connection.execute(
            insert(table).values(
                username=username,
                password_hash=_HASHER.hash(password),
                role=role.value,
                scope=scope,
                failed_attempts=0,
                created_at=datetime.now(),
            )
        )
        record_change(
            connection,
            username=by,
            action="add user",
            subject=f"user {username}",
            before=None,
            after={"username": username, "role": role.value, "scope": scope},
        )


def change_access(store: Store, account_id: int, role_text: str, scope: str, by: str) -> None:
    """Give an account another role and scope. Nobody can take away their own admin role."""
    account = account_by_id(store, account_id)
    role, scope = _role_and_scope(store, role_text, scope)
    if account.username == by and account.role is Role.ADMIN and role is not Role.ADMIN:
        raise AccountRefused(
            {"role": "You cannot remove your own admin role: ask another administrator"}
        )
    table = schema.table_of(schema.UserAccount)
    with store.writing() as connection:
        connection.execute(
            update(table).where(table.c.id == account_id).values(role=role.value, scope=scope)
        )
        record_change(
            connection,
            username=by,
            action="change user access",
            subject=f"user {account.username}",
            before={"role": account.role.value, "scope": account.scope},
            after={"role": role.value, "scope": scope},
        )


def unlock_account(store: Store, account_id: int, by: str) -> str:
    """Let a locked-out person try again at once; returns their username."""
    table = schema.table_of(schema.UserAccount)
    with store.writing() as connection:
        row = connection.execute(select(table).where(table.c.id == account_id)).first()
        if row is None:
            raise NotFound(f"There is no account {account_id}.")
        connection.execute(
            update(table)
            .where(table.c.id == account_id)
            .values(failed_attempts=0, locked_until=None)
        )
        record_change(
            connection,
            username=by,
            action="unlock user",
            subject=f"user {row.username}",
            before={"failed_attempts": row.failed_attempts, "locked_until": row.locked_until},
            after={"failed_attempts": 0, "locked_until": None},
        )
    return str(row.username)


def _check_password(
    connection: Connection, table: Table, row: Row[Any] | None, password: str, now: datetime
) -> str | None:
    """None if the password is right; otherwise record the failure and say what to do."""
    stored = row.password_hash if row is not None else NO_LOCAL_PASSWORD
    usable = stored != NO_LOCAL_PASSWORD
    try:
        # An unknown username, or an account with no local password, is checked against a
        # decoy, so all take the same time.
        _HASHER.verify(stored if usable else _DECOY_HASH, password)
        correct = usable
    except (VerificationError, InvalidHashError):
        correct = False
    if row is None:
        return "The username or password is not right."
    if correct:
        connection.execute(
            update(table).where(table.c.id == row.id).values(failed_attempts=0, locked_until=None)
        )
        return None
    failures = row.failed_attempts + 1
    locked = now + timedelta(minutes=LOCK_MINUTES) if failures >= ATTEMPTS_BEFORE_LOCK else None
    connection.execute(
        update(table)
        .where(table.c.id == row.id)
        .values(failed_attempts=0 if locked else failures, locked_until=locked)
    )
    return "The username or password is not right."


def viewer_for(store: Store, username: str) -> Viewer | None:
    """The person with this username, as someone else (their organisation) vouches for them."""
    table = schema.table_of(schema.UserAccount)
    with store.reading() as connection:
        row = connection.execute(
            select(table.c.username, table.c.role, table.c.scope).where(
                table.c.username == username
            )
        ).first()
    return Viewer(row.username, Role(row.role), row.scope) if row is not None else None
