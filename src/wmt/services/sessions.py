"""Sessions kept in the store: who is signed in on which browser, and for how long.

The browser holds only a random token. The store keeps the token's SHA-256 digest, so a copy
of the database (a backup, a test restore) holds no session anyone could use. Every server
process reads the same rows, so signing out, or an administrator disabling an account, ends
the session everywhere at once.

A session ends after `idle` without a page (30 minutes) and `lifetime` after signing in
(12 hours), whichever comes first. A session nobody has signed in to holds only the sign-in
form's token or an organisation sign-in in progress; it is kept for at most half an hour.
All times here are UTC, so a change of clocks never ends or lengthens a session.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update

from wmt.domain.access import Role, Viewer
from wmt.errors import WmtError
from wmt.services.passwords import has_local_password
from wmt.store import schema
from wmt.store.transactions import Store, StoreBusy

IDLE_VARIABLE = "WMT_SESSION_IDLE_MINUTES"
LIFETIME_VARIABLE = "WMT_SESSION_HOURS"
ANONYMOUS_LIFETIME = timedelta(minutes=30)
# "Last seen" is written at most this often for a session: often enough to judge 30 minutes
# of idleness, seldom enough that reading pages does not mean writing the store.
SEEN_EVERY = timedelta(minutes=1)
_TOKEN_BYTES = 32


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session lasts without a page, and at most."""

    idle: timedelta = timedelta(minutes=30)
    lifetime: timedelta = timedelta(hours=12)

    @property
    def anonymous_lifetime(self) -> timedelta:
        return min(self.idle, ANONYMOUS_LIFETIME)

    @classmethod
    def from_environment(cls, environment: Mapping[str, str]) -> SessionPolicy:
        """WMT_SESSION_IDLE_MINUTES (1 to 1440) and WMT_SESSION_HOURS (1 to 24), else defaults."""
        default = cls()
        idle = _whole(environment, IDLE_VARIABLE, 1, 1440, "minutes")
        hours = _whole(environment, LIFETIME_VARIABLE, 1, 24, "hours")
        return cls(
            idle=timedelta(minutes=idle) if idle is not None else default.idle,
            lifetime=timedelta(hours=hours) if hours is not None else default.lifetime,
        )


def _whole(
    environment: Mapping[str, str], name: str, least: int, most: int, unit: str
) -> int | None:
    text = environment.get(name, "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and least <= int(text) <= most):
        raise WmtError(f"{name} must be a whole number of {unit} from {least} to {most}")
    return int(text)


@dataclass(frozen=True)
class SessionAccount:
    """The account a session is signed in to, as read with the session."""

    account_id: int
    viewer: Viewer
    has_password: bool  # False for people who sign in only through their organisation


@dataclass(frozen=True)
class StoredSession:
    digest: str
    account: SessionAccount | None
    data: dict[str, Any]
    created_at: datetime
    last_seen_at: datetime

    def due_to_be_seen(self, now: datetime) -> bool:
        """Whether this visit should be written down (signed-in sessions, once a minute)."""
        return self.account is not None and now - self.last_seen_at >= SEEN_EVERY


def new_token() -> str:
    return secrets.token_urlsafe(_TOKEN_BYTES)


def token_digest(token: str) -> str:
    """What the store keeps of a token. The token is random, so a plain digest suffices."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def encoded(data: Mapping[str, Any]) -> str:
    return json.dumps(dict(data), sort_keys=True, separators=(",", ":"))


def _live(policy: SessionPolicy, now: datetime) -> Any:
    """The condition a session row must meet to be in use now."""
    table = schema.table_of(schema.WebSession)
    return and_(
        table.c.last_seen_at > now - policy.idle,
        table.c.created_at > now - policy.lifetime,
        or_(
            table.c.user_account_id.is_not(None),
            table.c.created_at > now - policy.anonymous_lifetime,
        ),
    )


def find_session(
    store: Store, token: str, policy: SessionPolicy, now: datetime
) -> StoredSession | None:
    """The session this token opens, with its account read afresh; None if it has ended,
    expired, or belongs to an account that is now disabled."""
    sessions = schema.table_of(schema.WebSession)
    accounts = schema.table_of(schema.UserAccount)
    query = (
        select(
            sessions,
            accounts.c.username,
            accounts.c.role,
            accounts.c.scope,
            accounts.c.password_hash,
            accounts.c.disabled,
        )
        .outerjoin(accounts, accounts.c.id == sessions.c.user_account_id)
        .where(sessions.c.token_digest == token_digest(token), _live(policy, now))
    )
    with store.reading() as connection:
        row = connection.execute(query).first()
    if row is None or row.disabled:
        return None
    account = None
    if row.user_account_id is not None:
        viewer = Viewer(row.username, Role(row.role), row.scope)
        account = SessionAccount(row.user_account_id, viewer, has_local_password(row.password_hash))
    try:
        data = json.loads(row.data)
    except ValueError:
        data = {}
    return StoredSession(
        row.token_digest,
        account,
        data if isinstance(data, dict) else {},
        row.created_at,
        row.last_seen_at,
    )


def note_seen(store: Store, digest: str, now: datetime) -> bool:
    """Write down that the session was used now; False if the store was busy and it was not.

    This must never make a page wait: on SQLite an import can hold the write lock for minutes,
    and every page view would queue behind it. So it does not wait for the lock, and a visit
    not written down costs nothing but an idle timeout counted from a minute or so earlier.
    """
    table = schema.table_of(schema.WebSession)
    try:
        with store.writing(wait=False) as connection:
            connection.execute(
                update(table).where(table.c.token_digest == digest).values(last_seen_at=now)
            )
    except StoreBusy:
        return False
    return True


def create_session(
    store: Store, token: str, data: Mapping[str, Any], now: datetime, account_id: int | None = None
) -> None:
    """A session for a browser that had none: only once there is something to keep."""
    with store.writing() as connection:
        _insert(connection, token, data, now, account_id)


def _insert(
    connection: Connection,
    token: str,
    data: Mapping[str, Any],
    now: datetime,
    account_id: int | None,
) -> None:
    connection.execute(
        insert(schema.table_of(schema.WebSession)).values(
            token_digest=token_digest(token),
            user_account_id=account_id,
            data=encoded(data),
            created_at=now,
            last_seen_at=now,
        )
    )


def begin_signed_in(
    store: Store,
    previous: str | None,
    token: str,
    account_id: int,
    data: Mapping[str, Any],
    now: datetime,
) -> None:
    """A new session for someone who has just signed in; the one before (digest) is dropped,
    so a token planted in the browser before sign-in never becomes a signed-in one."""
    table = schema.table_of(schema.WebSession)
    with store.writing() as connection:
        if previous is not None:
            connection.execute(delete(table).where(table.c.token_digest == previous))
        _insert(connection, token, data, now, account_id)


def save_data(store: Store, digest: str, data: Mapping[str, Any]) -> None:
    table = schema.table_of(schema.WebSession)
    with store.writing() as connection:
        connection.execute(
            update(table).where(table.c.token_digest == digest).values(data=encoded(data))
        )


def end_session(store: Store, digest: str) -> None:
    """Sign out: the session's row goes, so its token opens nothing from now on."""
    table = schema.table_of(schema.WebSession)
    with store.writing() as connection:
        connection.execute(delete(table).where(table.c.token_digest == digest))


def end_sessions_of(connection: Connection, account_id: int, *, keep: str | None = None) -> int:
    """End every session of an account (but `keep`, a digest), in the caller's transaction."""
    table = schema.table_of(schema.WebSession)
    query = delete(table).where(table.c.user_account_id == account_id)
    if keep is not None:
        query = query.where(table.c.token_digest != keep)
    return int(connection.execute(query).rowcount or 0)


def prune_sessions(store: Store, policy: SessionPolicy, now: datetime) -> int:
    """Remove sessions that have ended by time; skipped (0) if the store is busy."""
    table = schema.table_of(schema.WebSession)
    try:
        with store.writing(wait=False) as connection:
            removed = connection.execute(delete(table).where(~_live(policy, now)))
    except StoreBusy:
        return 0
    return int(removed.rowcount or 0)


@dataclass(frozen=True)
class SignedInSummary:
    """How many sessions an account has open, and when one was last used (UTC)."""

    sessions: int
    last_seen_at: datetime


def signed_in_summaries(
    connection: Connection,
    policy: SessionPolicy,
    now: datetime,
    account_ids: list[int] | None = None,
) -> dict[int, SignedInSummary]:
    """For each account signed in somewhere (of these, if given): its open sessions and
    their latest use."""
    table = schema.table_of(schema.WebSession)
    query = (
        select(table.c.user_account_id, func.count(), func.max(table.c.last_seen_at))
        .where(table.c.user_account_id.is_not(None), _live(policy, now))
        .group_by(table.c.user_account_id)
    )
    if account_ids is not None:
        query = query.where(table.c.user_account_id.in_(account_ids))
    rows = connection.execute(query).all()
    return {int(row[0]): SignedInSummary(int(row[1]), row[2]) for row in rows}
