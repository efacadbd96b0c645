"""Accounts: who may sign in, with which role and scope, and the rules their details follow.

Usernames are unique ignoring capitals and use a small set of characters, so two accounts can
never look alike. What administrators change about an account is in `account_changes`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, insert, select

from wmt.domain.access import SCOPE_LEVEL, Role, Viewer
from wmt.domain.clock import utc_now
from wmt.domain.hierarchy import NATIONAL_CODE, Level
from wmt.errors import NotFound, WmtError
from wmt.services import throttle
from wmt.services.audit import record_change
from wmt.services.passwords import (
    NO_LOCAL_PASSWORD,
    has_local_password,
    hash_password,
    password_problem,
)
from wmt.services.places import place_of
from wmt.services.sessions import SessionAccount, SessionPolicy, signed_in_summaries
from wmt.store import schema
from wmt.store.transactions import Store

USERNAME_RULE = (
    "Enter a username of 1 to 120 characters, using only letters a to z, digits and . _ - @ +"
)
_USERNAME = re.compile(r"[A-Za-z0-9._@+-]{1,120}")
# An email address as the HTML standard defines a valid one, at most 254 characters.
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)
_LEVEL_WORDS = {
    Level.PRACTITIONER: "staff code",
    Level.TEAM: "team code",
    Level.PDU: "PDU code",
    Level.REGION: "region code",
}


def username_problem(username: str) -> str | None:
    return None if _USERNAME.fullmatch(username) else USERNAME_RULE


class AccountRefused(WmtError):
    """An account's details broke a rule; `problems` says which field and what to do."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems.values()))


def add_user(store: Store, username: str, password: str | None, role: Role, scope: str) -> None:
    """An account; with no password it can only sign in through the organisation."""
    problem = username_problem(username)
    if problem is None and password is not None:
        problem = password_problem(password)
    if problem is not None:
        raise WmtError(problem + ".")
    with store.writing() as connection:
        _insert(connection, username, password, role, scope, None, None)


def _insert(
    connection: Connection,
    username: str,
    password: str | None,
    role: Role,
    scope: str,
    full_name: str | None,
    email: str | None,
) -> int:
    table = schema.table_of(schema.UserAccount)
    taken = connection.execute(
        select(table.c.username).where(table.c.username_key == username.lower())
    ).first()
    if taken is not None:
        raise AccountRefused({"username": f"There is already a user called {taken.username!r}"})
    inserted = connection.execute(
        insert(table).returning(table.c.id),
        {
            "username": username,
            "username_key": username.lower(),
            "password_hash": NO_LOCAL_PASSWORD if password is None else hash_password(password),
            "role": role.value,
            "scope": scope,
            "full_name": full_name,
            "email": email,
            "disabled": False,
            "version": 1,
            "created_at": utc_now(),
        },
    )
    return int(inserted.scalar_one())


@dataclass(frozen=True)
class AccountRecord:
    """An account as administrators see it: never its password hash."""

    id: int
    username: str
    full_name: str | None
    email: str | None
    role: Role
    scope: str
    disabled: bool
    has_password: bool
    version: int
    sessions: int = 0  # open now
    last_seen_at: datetime | None = None  # UTC, of the latest session open now
    failed_sign_ins: int = 0  # still remembered against the username

    @property
    def slowed(self) -> bool:
        """Whether sign-ins with this username now have to wait between attempts."""
        return self.failed_sign_ins >= throttle.USERNAME_FREE_ATTEMPTS


def record_of(row: Row[Any], **extra: Any) -> AccountRecord:
    return AccountRecord(
        row.id,
        row.username,
        row.full_name,
        row.email,
        Role(row.role),
        row.scope,
        row.disabled,
        has_local_password(row.password_hash),
        row.version,
        **extra,
    )


def list_accounts(
    store: Store, policy: SessionPolicy | None = None, now: datetime | None = None
) -> list[AccountRecord]:
    """Every account by username, with its open sessions and remembered failed sign-ins."""
    table = schema.table_of(schema.UserAccount)
    return _records(store, select(table).order_by(table.c.username_key), policy, now, None)


def account_by_id(
    store: Store, account_id: int, policy: SessionPolicy | None = None, now: datetime | None = None
) -> AccountRecord:
    table = schema.table_of(schema.UserAccount)
    query = select(table).where(table.c.id == account_id)
    found = _records(store, query, policy, now, [account_id])
    if not found:
        raise NotFound(f"There is no account {account_id}: it may have been deleted.")
    return found[0]


def _records(
    store: Store,
    query: Select[Any],
    policy: SessionPolicy | None,
    now: datetime | None,
    account_ids: list[int] | None,
) -> list[AccountRecord]:
    now = now or utc_now()
    with store.reading() as connection:
        rows = connection.execute(query).all()
        signed_in = signed_in_summaries(connection, policy or SessionPolicy(), now, account_ids)
        counters = {row.id: throttle.username_counter(row.username) for row in rows}
        failures = throttle.recent_failures(connection, list(counters.values()), now)
    records = []
    for row in rows:
        summary = signed_in.get(row.id)
        records.append(
            record_of(
                row,
                sessions=summary.sessions if summary else 0,
                last_seen_at=summary.last_seen_at if summary else None,
                failed_sign_ins=failures[counters[row.id].key],
            )
        )
    return records


def account_for_organisation(store: Store, username: str) -> SessionAccount | None:
    """The account of someone their organisation vouches for, matched ignoring capitals."""
    name = username.strip()
    if not name or len(name) > 200 or not name.isprintable():
        return None
    table = schema.table_of(schema.UserAccount)
    with store.reading() as connection:
        row = connection.execute(select(table).where(table.c.username_key == name.lower())).first()
    if row is None or row.disabled:
        return None
    viewer = Viewer(row.username, Role(row.role), row.scope)
    return SessionAccount(row.id, viewer, has_local_password(row.password_hash))


def viewer_for(store: Store, username: str) -> Viewer | None:
    """The person with this username (ignoring capitals), if their account is in use."""
    account = account_for_organisation(store, username)
    return account.viewer if account is not None else None


def role_and_scope(store: Store, role_text: str, scope: str) -> tuple[Role, str]:
    """The role and its scope code, checked against the newest snapshot; AccountRefused if not."""
    try:
        role = Role(role_text)
    except ValueError:
        raise AccountRefused({"role": "Choose a role"}) from None
    level = SCOPE_LEVEL[role]
    scope = scope.strip()
    if level is Level.NATIONAL:
        if scope.lower() not in ("", NATIONAL_CODE):
            raise AccountRefused({"scope": "A national or admin role's scope is national"})
        return role, NATIONAL_CODE
    words = _LEVEL_WORDS[level]
    if not scope:
        raise AccountRefused({"scope": f"Enter the {words} this person may see"})
    if len(scope) > 40 or not scope.isprintable():
        raise AccountRefused({"scope": f"Enter a {words} of up to 40 letters and digits"})
    try:
        place_of(store, level, scope)
    except NotFound:
        raise AccountRefused(
            {"scope": f"There is no {words} {scope!r} in the newest snapshot"}
        ) from None
    return role, scope


def details_problems(full_name: str, email: str) -> dict[str, str]:
    """What is wrong with a full name and email address (both optional), by field."""
    problems: dict[str, str] = {}
    if len(full_name) > 200 or not full_name.isprintable():
        problems["full_name"] = "Enter a full name of up to 200 characters, on one line"
    if email and (len(email) > 254 or not _EMAIL.fullmatch(email)):
        problems["email"] = "Enter an email address in the correct format, like name@example.org"
    return problems


def add_account(
    store: Store,
    username: str,
    password: str,
    role_text: str,
    scope: str,
    by: str,
    *,
    full_name: str = "",
    email: str = "",
) -> int:
    """A new local account, with its audit event; AccountRefused if anything is wrong."""
    username, full_name, email = username.strip(), full_name.strip(), email.strip()
    problems: dict[str, str] = {}
    if (problem := username_problem(username)) is not None:
        problems["username"] = problem
    problems.update(details_problems(full_name, email))
    try:
        role, scope = role_and_scope(store, role_text, scope)
    except AccountRefused as refused:
        problems.update(refused.problems)
    if (problem := password_problem(password)) is not None:
        problems["password"] = problem
    if problems:
        raise AccountRefused(problems)
    with store.writing() as connection:
        account_id = _insert(
            connection, username, password, role, scope, full_name or None, email or None
        )
        record_change(
            connection,
            username=by,
            action="add user",
            subject=f"user {username}",
            before=None,
            after={"username": username, "role": role.value, "scope": scope}
            | audited_details(full_name or None, email or None),
        )
    return account_id


def audited_details(full_name: str | None, email: str | None) -> dict[str, Any]:
    """Name and email for the audit log: only those given, so older entries read the same."""
    return {key: value for key, value in (("full_name", full_name), ("email", email)) if value}
