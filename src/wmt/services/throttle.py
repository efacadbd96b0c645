"""Slowing down password guessing, per username and per client address, without lock-outs.

An attempt on a username is counted as a failure before its password is checked, in a write
transaction that every server process shares, so a burst of guesses at one account sent at
once is counted one by one; a right password takes its attempt back off again. A client
address counts only the failures themselves, once each password has been checked: an office
of fifty people signing in at nine o'clock from one address must not be made to wait by
their own sign-ins still in progress.

A username has a few attempts free; after that each attempt must wait longer than the one
before (1, 2, 4 … seconds), never more than a minute. A client address has more attempts free,
since an office shares one. An attempt made while waiting is refused without being counted,
so someone guessing at a colleague's username can slow them down for at most a minute, never
lock them out. An hour without a failure forgets the failures.

Usernames and addresses are kept only as digests, so a password typed into the username box
by mistake is never stored.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from wmt.store import schema

USERNAME_FREE_ATTEMPTS = 5
ADDRESS_FREE_ATTEMPTS = 20
LONGEST_WAIT = timedelta(minutes=1)
FORGET_AFTER = timedelta(hours=1)
_NEVER = datetime(2000, 1, 1)


@dataclass(frozen=True)
class Counter:
    """One thing attempts are counted against, and how many attempts it has free."""

    key: str
    free: int


def username_counter(username: str) -> Counter:
    return Counter(_digest("username", username.strip().lower()), USERNAME_FREE_ATTEMPTS)


def address_counter(address: str) -> Counter:
    """Counted per address; an IPv6 address by its /64, which one household or office holds."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        shown = address
    else:
        if isinstance(parsed, ipaddress.IPv6Address):
            mapped = parsed.ipv4_mapped
            shown = str(mapped or ipaddress.ip_network(f"{parsed}/64", strict=False))
        else:
            shown = str(parsed)
    return Counter(_digest("address", shown), ADDRESS_FREE_ATTEMPTS)


def _digest(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}\0{value}".encode("utf-8", "surrogatepass")).hexdigest()


def wait_after(failures: int, free: int) -> timedelta:
    """How long after the latest failure the next attempt must wait."""
    if failures < free:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(failures - free, 16)), LONGEST_WAIT)


def _failures(row_failures: int, last_failure_at: datetime, now: datetime) -> int:
    return 0 if now - last_failure_at >= FORGET_AFTER else row_failures


def claim_attempt(
    connection: Connection, claimed: list[Counter], checked: list[Counter], now: datetime
) -> bool:
    """Count an attempt against the claimed counters, or none if any counter, claimed or only
    checked, must still wait (False).

    Call inside a write transaction: the rows are locked until it commits (PostgreSQL), or the
    whole store is (SQLite), so concurrent attempts are counted one after another.
    """
    table = schema.table_of(schema.SignInThrottle)
    counters = [*claimed, *checked]
    keys = sorted({counter.key for counter in counters})
    _ensure_rows(connection, keys)
    rows = connection.execute(
        select(table).where(table.c.key.in_(keys)).order_by(table.c.key).with_for_update()
    ).all()
    found = {row.key: row for row in rows}
    for counter in counters:
        row = found[counter.key]
        failures = _failures(row.failures, row.last_failure_at, now)
        if now < row.last_failure_at + wait_after(failures, counter.free):
            return False
    _count(connection, [found[key] for key in sorted({counter.key for counter in claimed})], now)
    return True


def record_failure(connection: Connection, counters: list[Counter], now: datetime) -> None:
    """Count a failed attempt against each counter (for those not claimed beforehand)."""
    table = schema.table_of(schema.SignInThrottle)
    keys = sorted({counter.key for counter in counters})
    _ensure_rows(connection, keys)
    rows = connection.execute(
        select(table).where(table.c.key.in_(keys)).order_by(table.c.key).with_for_update()
    ).all()
    _count(connection, rows, now)


def _count(connection: Connection, rows: Sequence[Row[Any]], now: datetime) -> None:
    table = schema.table_of(schema.SignInThrottle)
    for row in rows:
        failures = _failures(row.failures, row.last_failure_at, now)
        connection.execute(
            update(table)
            .where(table.c.key == row.key)
            .values(failures=failures + 1, last_failure_at=now)
        )


def _ensure_rows(connection: Connection, keys: list[str]) -> None:
    """A row for every key, added without clashing with another process adding it too."""
    table = schema.table_of(schema.SignInThrottle)
    values = [{"key": key, "failures": 0, "last_failure_at": _NEVER} for key in keys]
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    connection.execute(dialect.insert(table).values(values).on_conflict_do_nothing())


def take_back(connection: Connection, username: Counter) -> None:
    """A right password: the username starts afresh. The address keeps its failures, so one
    good account cannot wash away an address's guesses."""
    table = schema.table_of(schema.SignInThrottle)
    connection.execute(delete(table).where(table.c.key == username.key))


def clear(connection: Connection, counter: Counter) -> None:
    """Forget every failure counted against this (an administrator's "clear")."""
    table = schema.table_of(schema.SignInThrottle)
    connection.execute(delete(table).where(table.c.key == counter.key))


def recent_failures(
    connection: Connection, counters: list[Counter], now: datetime
) -> dict[str, int]:
    """Failures still remembered for each counter's key (0 if none)."""
    table = schema.table_of(schema.SignInThrottle)
    keys = [counter.key for counter in counters]
    rows = connection.execute(select(table).where(table.c.key.in_(keys))).all() if keys else []
    remembered = {row.key: _failures(row.failures, row.last_failure_at, now) for row in rows}
    return {key: remembered.get(key, 0) for key in keys}


def forget_old(connection: Connection, now: datetime) -> int:
    """Remove counters with no failure for an hour: they count as nothing anyway."""
    table = schema.table_of(schema.SignInThrottle)
    removed = connection.execute(delete(table).where(table.c.last_failure_at <= now - FORGET_AFTER))
    return int(removed.rowcount or 0)
