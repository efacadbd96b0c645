"""Cases locked by a manager, as the store keeps them: one row a locked case, removed when
it is unlocked, and joined to a snapshot's cases so a reading says which are locked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Connection, Join, Table, delete, insert, select

from wmt.store import schema

LOCKS = schema.table_of(schema.CaseLock)


def lock_of(connection: Connection, crn: str) -> Any | None:
    """The case's lock (its row), if it has one."""
    return connection.execute(select(LOCKS).where(LOCKS.c.crn == crn)).first()


def add_lock(connection: Connection, lock: Mapping[str, Any]) -> None:
    """Write a lock (its columns by name) for a case that has none."""
    connection.execute(insert(LOCKS), dict(lock))


def remove_lock(connection: Connection, crn: str) -> bool:
    """Remove the case's lock; whether it had one to remove."""
    return connection.execute(delete(LOCKS).where(LOCKS.c.crn == crn)).rowcount > 0


def with_locks(cases: Table) -> Join:
    """A snapshot's cases beside their locks: a lock holds while the case stays in the team
    it was locked in."""
    return cases.outerjoin(
        LOCKS, (LOCKS.c.crn == cases.c.crn) & (LOCKS.c.team_code == cases.c.team_code)
    )


def is_locked() -> ColumnElement[bool]:
    """Whether a case of `with_locks` is locked, as the column `locked`."""
    return LOCKS.c.crn.is_not(None).label("locked")
