"""A practitioner's cases in one team on the newest snapshot: each with its points, whether a
manager has locked it, and whether its holder comes from a decision no import has confirmed
yet; for whoever may see the practitioner, and saying whether they may move these cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import Connection, select

from wmt.domain.access import Place, Viewer
from wmt.domain.hierarchy import Level
from wmt.engine.arithmetic import points
from wmt.engine.tables import CASES_SCHEMA
from wmt.engine.workload import weighted_case_points
from wmt.errors import NotFound
from wmt.services.listing import field_names
from wmt.services.places import places_in
from wmt.services.scope import NOT_FOUND
from wmt.store import schema
from wmt.store.case_locks import LOCKS, is_locked, with_locks
from wmt.store.frames import read_frame
from wmt.store.points_versions import version_in_force
from wmt.store.snapshots import SnapshotRecord, require_snapshot
from wmt.store.transactions import Store


@dataclass(frozen=True)
class HeldCase:
    crn: str
    case_type: str
    tier: str
    rosh: str | None
    allocated_date: date | None
    points: Decimal  # what the case adds to its practitioner's workload
    locked: bool  # a manager said a rebalance must not move it
    locked_by: str | None
    pending_decision: bool  # held by a decision that no import has confirmed yet


HELD_CASE_COLUMNS = field_names(HeldCase)


@dataclass(frozen=True)
class PractitionerCases:
    as_of: date
    staff_code: str
    team_code: str
    forename: str | None
    surname: str | None
    grade: str
    cases: tuple[HeldCase, ...]  # in CRN order
    may_act: bool  # whether the person asking may reallocate and lock these cases


# What scoring a case needs, and what the list shows of it.
_READ = {
    **{name: CASES_SCHEMA[name] for name in ("crn", "staff_code", "team_code", "case_type")},
    **{name: CASES_SCHEMA[name] for name in CASES_SCHEMA if CASES_SCHEMA[name] == pl.Boolean},
    "tier": CASES_SCHEMA["tier"],
    "rosh": pl.String,
    "allocated_date": pl.Date,
    "allocation_decision_id": pl.Int64,
    "locked": pl.Boolean,
    "locked_by": pl.String,
}


def practitioner_cases(
    store: Store, viewer: Viewer, staff_code: str, team_code: str | None = None
) -> PractitionerCases:
    """The practitioner's cases in the team (their first the person may see, if none is
    given) on the newest snapshot; NotFound, as for a practitioner out of scope, if the person
    may not see them there or they are not in it."""
    with store.reading() as connection:
        record = require_snapshot(connection, None)
        place = _visible_in_team(connection, record, viewer, staff_code, team_code)
        team = place.team or ""
        owner = _owner(connection, record.id, staff_code, team)
        cases = _held_cases(connection, record, staff_code, team)
    return PractitionerCases(
        as_of=record.as_of,
        staff_code=staff_code,
        team_code=team,
        forename=owner.forename,
        surname=owner.surname,
        grade=owner.grade,
        cases=cases,
        # A practitioner's place carries their team's and PDU's codes: the rule for moving
        # cases within that team asks only those.
        may_act=viewer.may_allocate(place, place),
    )


def _visible_in_team(
    connection: Connection,
    record: SnapshotRecord,
    viewer: Viewer,
    staff_code: str,
    team_code: str | None,
) -> Place:
    try:
        places = places_in(connection, record.id, Level.PRACTITIONER, staff_code)
    except NotFound:
        if viewer.sees_everything:
            raise
        raise NotFound(NOT_FOUND) from None
    inside = [
        place for place in places if viewer.may_view(place) and team_code in (None, place.team)
    ]
    if not inside:
        raise NotFound(
            f"{staff_code} is not in team {team_code} on {record.as_of}."
            if viewer.sees_everything
            else NOT_FOUND
        )
    return inside[0]


def _owner(connection: Connection, snapshot_id: int, staff_code: str, team_code: str) -> Any:
    owners = schema.table_of(schema.OwnerWorkload)
    return connection.execute(
        select(owners.c.forename, owners.c.surname, owners.c.grade).where(
            owners.c.snapshot_id == snapshot_id,
            owners.c.staff_code == staff_code,
            owners.c.team_code == team_code,
        )
    ).one()


def _held_cases(
    connection: Connection, record: SnapshotRecord, staff_code: str, team_code: str
) -> tuple[HeldCase, ...]:
    cases = schema.table_of(schema.SnapshotCase)
    columns = [cases.c[name] for name in _READ if name not in ("locked", "locked_by")]
    query = (
        select(*columns, is_locked(), LOCKS.c.locked_by)
        .select_from(with_locks(cases))
        .where(
            cases.c.snapshot_id == record.id,
            cases.c.staff_code == staff_code,
            cases.c.team_code == team_code,
        )
    )
    held = read_frame(connection, query, _READ)
    config = version_in_force(connection, record.as_of).configuration
    scored = weighted_case_points(held.lazy(), config).collect().sort("crn")
    return tuple(_held_case(row) for row in scored.iter_rows(named=True))


def _held_case(row: dict[str, Any]) -> HeldCase:
    return HeldCase(
        crn=row["crn"],
        case_type=row["case_type"],
        tier=row["tier"],
        rosh=row["rosh"],
        allocated_date=row["allocated_date"],
        points=points(row["points_centi"]),
        locked=row["locked"],
        locked_by=row["locked_by"],
        pending_decision=row["allocation_decision_id"] is not None,
    )
