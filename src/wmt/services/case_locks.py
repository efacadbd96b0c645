"""Locking a case so that a rebalance never moves it, and unlocking it again.

Only the manager of the case's team or the head of its PDU may (`Viewer.may_allocate`, the
rule for moving cases), on the case as the newest snapshot holds it. A lock and its removal
are each written with their audit event in one transaction (`audit.write_audited`); the
second of two managers locking (or unlocking) the same case is told it was done already.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from wmt.domain.access import Viewer
from wmt.domain.clock import utc_now
from wmt.domain.hierarchy import Level
from wmt.errors import NotFound
from wmt.services.audit import Written, write_audited
from wmt.services.places import places_in
from wmt.services.saving import EditConflict, InvalidInput, NotPermitted
from wmt.services.scope import NOT_FOUND, check_may_read
from wmt.store import case_locks as stored
from wmt.store import schema
from wmt.store.snapshots import SnapshotRecord, require_snapshot
from wmt.store.transactions import Store

NOT_A_LOCKER = (
    "Only the manager of the case's team (within their team) or the head of its PDU (across "
    "the PDU's teams) can lock or unlock it."
)
NOTE_MOST = 1000


@dataclass(frozen=True)
class CaseLock:
    """A case a manager locked, and who holds it on the newest snapshot."""

    crn: str
    staff_code: str
    team_code: str
    locked_by: str
    locked_at: datetime
    note: str | None


@dataclass(frozen=True)
class _Holder:
    staff_code: str
    team_code: str


def _holder(connection: Connection, record: SnapshotRecord, viewer: Viewer, crn: str) -> _Holder:
    """Who holds the case on the snapshot; NotFound, as for a unit out of scope, if nobody
    does."""
    cases = schema.table_of(schema.SnapshotCase)
    row = connection.execute(
        select(cases.c.staff_code, cases.c.team_code).where(
            cases.c.snapshot_id == record.id, cases.c.crn == crn, cases.c.staff_code.is_not(None)
        )
    ).first()
    if row is None:
        raise NotFound(
            f"No case {crn!r} is held by a practitioner on {record.as_of}."
            if viewer.sees_everything
            else NOT_FOUND
        )
    return _Holder(row.staff_code, row.team_code)


def _check_may_lock(
    connection: Connection, record: SnapshotRecord, viewer: Viewer, team_code: str
) -> None:
    """NotFound if the person may not see the case's team; NotPermitted unless they may move
    its cases."""
    check_may_read(connection, record.id, viewer, Level.TEAM, team_code)
    team = places_in(connection, record.id, Level.TEAM, team_code)[0]
    if not viewer.may_allocate(team, team):
        raise NotPermitted(NOT_A_LOCKER)


def _when(moment: datetime) -> str:
    return f"{moment:%H:%M on %d %B %Y} UTC"


@dataclass(frozen=True)
class _Locking:
    fields: dict[str, Any]

    def write(self, connection: Connection, username: str) -> Written:
        crn = self.fields["crn"]
        existing = stored.lock_of(connection, crn)
        if existing is not None and existing.team_code == self.fields["team_code"]:
            raise EditConflict(
                f"{crn} was locked by {existing.locked_by} at {_when(existing.locked_at)}; "
                "nothing was saved."
            )
        if existing is not None:  # locked in a team the case has since left: it lapsed
            stored.remove_lock(connection, crn)
        try:
            stored.add_lock(connection, self.fields)
        except IntegrityError:  # another manager's lock, written in the meantime
            raise EditConflict(f"{crn} was locked by someone else; nothing was saved.") from None
        before = None if existing is None else dict(existing._mapping)
        return Written("lock of a case", f"case {crn}", before, self.fields)


@dataclass(frozen=True)
class _Unlocking:
    crn: str
    team_code: str  # the case's team now: a lock made in another has lapsed

    def write(self, connection: Connection, username: str) -> Written:
        existing = stored.lock_of(connection, self.crn)
        if (
            existing is None
            or existing.team_code != self.team_code
            or not stored.remove_lock(connection, self.crn)
        ):
            raise EditConflict(f"{self.crn} is not locked; nothing was saved.")
        return Written("unlock of a case", f"case {self.crn}", dict(existing._mapping), None)


def lock_case(store: Store, viewer: Viewer, crn: str, note: str = "") -> CaseLock:
    """Lock the case as the newest snapshot holds it, in one transaction or not at all
    (NotFound, NotPermitted, InvalidInput or EditConflict)."""
    if len(note) > NOTE_MOST:
        raise InvalidInput({"note": f"The note must be {NOTE_MOST:,} characters or fewer"})
    with store.writing() as connection:
        record = require_snapshot(connection, None)
        holder = _holder(connection, record, viewer, crn)
        _check_may_lock(connection, record, viewer, holder.team_code)
        fields: dict[str, Any] = {
            "crn": crn,
            "team_code": holder.team_code,
            "locked_by": viewer.username,
            "locked_at": utc_now().replace(microsecond=0),
            "note": note.strip() or None,
        }
        owner = (holder.staff_code, holder.team_code)
        write_audited(connection, viewer.username, _Locking(fields), owner)
    return _as_record(holder, fields)


def unlock_case(store: Store, viewer: Viewer, crn: str) -> CaseLock:
    """Remove the case's lock, in one transaction or not at all (NotFound, NotPermitted or
    EditConflict); the lock as it was."""
    with store.writing() as connection:
        record = require_snapshot(connection, None)
        holder = _holder(connection, record, viewer, crn)
        _check_may_lock(connection, record, viewer, holder.team_code)
        owner = (holder.staff_code, holder.team_code)
        unlocking = _Unlocking(crn, holder.team_code)
        written = write_audited(connection, viewer.username, unlocking, owner)
    return _as_record(holder, written.before or {})


def _as_record(holder: _Holder, lock: Mapping[str, Any]) -> CaseLock:
    return CaseLock(
        crn=lock["crn"],
        staff_code=holder.staff_code,
        team_code=lock["team_code"],
        locked_by=lock["locked_by"],
        locked_at=lock["locked_at"],
        note=lock["note"],
    )
