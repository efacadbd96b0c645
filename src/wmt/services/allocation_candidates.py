"""Who could take a case: every practitioner of its team (or of the unit asked about), with
their figures before and after taking it, worked out by the engine (`engine/allocation.py`).

Eligible practitioners come first, then whoever held the person before, then the lowest
capacity after taking the case. Those who may not take it are listed too, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl
from sqlalchemy import Connection, select

from wmt.domain.access import Viewer
from wmt.domain.cases import CASE_TYPE_ALIASES, SCORED_TIERS
from wmt.domain.eligibility import default_eligibility_rules
from wmt.domain.hierarchy import Level
from wmt.engine.allocation import allocated_in_last, candidates, case_points_centi
from wmt.engine.tables import CASES_SCHEMA
from wmt.errors import NotFound, WmtError
from wmt.services.places import level_of_unit
from wmt.services.scope import check_may_read
from wmt.store import schema
from wmt.store.frames import read_frame, to_hundredths, to_tenths
from wmt.store.points_versions import version_in_force
from wmt.store.snapshots import require_snapshot
from wmt.store.transactions import Store
from wmt.store.units import teams_within


@dataclass(frozen=True)
class CaseToPlace:
    """The case the candidates are for: a queued case, or a kind of case (no CRN)."""

    crn: str | None
    team_code: str | None
    case_type: str
    tier: str
    rosh: str | None
    previous_staff_code: str | None
    points: Decimal  # what it adds to whoever takes it


@dataclass(frozen=True)
class Candidate:
    staff_code: str
    team_code: str
    grade: str
    eligible: bool
    why_not: str | None  # left, grade, risk or no available time
    continuity: bool  # they held the person before
    caseload: int
    caseload_after: int
    capacity_before: Decimal
    capacity_after: Decimal
    allocated_last_7_days: int


@dataclass(frozen=True)
class Candidates:
    as_of: date
    case: CaseToPlace
    candidates: tuple[Candidate, ...]


CANDIDATE_COLUMNS = (
    "staff_code",
    "team_code",
    "grade",
    "eligible",
    "why_not",
    "continuity",
    "caseload",
    "capacity_before",
    "capacity_after",
    "allocated_last_7_days",
)
_CASE_COLUMNS = tuple(
    name for name in (*CASES_SCHEMA, "rosh", "previous_staff_code") if name != "staff_code"
)


def candidates_for_case(
    store: Store, viewer: Viewer, crn: str, as_of: date | None = None
) -> Candidates:
    """The practitioners of the team of a case waiting in the snapshot of the date (the newest
    by default); NotFound if no such case waits there, or the person may not see its team."""
    cases = schema.table_of(schema.SnapshotCase)
    with store.reading() as connection:
        record = require_snapshot(connection, as_of)
        waiting = read_frame(
            connection,
            select(*(cases.c[name] for name in _CASE_COLUMNS)).where(
                cases.c.snapshot_id == record.id, cases.c.crn == crn, cases.c.staff_code.is_(None)
            ),
            {name: CASES_SCHEMA.get(name, pl.String) for name in _CASE_COLUMNS},
        )
        if waiting.is_empty():
            raise NotFound(f"No case {crn!r} waits for allocation on {record.as_of}.")
        team_code = str(waiting["team_code"][0])
        check_may_read(connection, record.id, viewer, Level.TEAM, team_code)
        return _candidates(connection, record.as_of, record.id, waiting, [team_code], team_code)


def candidates_for_kind(
    store: Store,
    viewer: Viewer,
    code: str,
    tier: str,
    case_type: str,
    as_of: date | None = None,
) -> Candidates:
    """The practitioners of a team or PDU (by its code) for a case of this tier and type not in
    the queue, as an nDelius extract gives only counts; NotFound if there is no such unit or
    the person may not see it."""
    kind = CASE_TYPE_ALIASES.get(case_type.strip().lower())
    if kind is None:
        raise WmtError(f"Case type {case_type!r} is not community, custody or licence.")
    if tier not in SCORED_TIERS:
        raise WmtError(f"Tier {tier!r} is not a tier a case is allocated in, such as B2 or C1S.")
    case = pl.DataFrame(
        [{"crn": "", "case_type": kind.value, "tier": tier, "t2a": False}],
        schema={"crn": pl.String, "case_type": pl.String, "tier": pl.String, "t2a": pl.Boolean},
    )
    with store.reading() as connection:
        record = require_snapshot(connection, as_of)
        level = level_of_unit(connection, record.id, code)
        if level not in (Level.TEAM, Level.PDU):
            raise NotFound(f"There is no team or PDU {code!r} in the snapshot of {record.as_of}.")
        check_may_read(connection, record.id, viewer, level, code)
        teams = teams_within(connection, record.id, code, level)
        return _candidates(connection, record.as_of, record.id, case, teams, None)


def _candidates(
    connection: Connection,
    on: date,
    snapshot_id: int,
    case: pl.DataFrame,
    teams: list[str],
    team_code: str | None,
) -> Candidates:
    config = version_in_force(connection, on).configuration
    owners = _owners(connection, snapshot_id, teams, on)
    found = candidates(case, owners, config, default_eligibility_rules(), on)
    scored = case_points_centi(case, config).row(0, named=True)
    first = case.row(0, named=True)
    return Candidates(
        on,
        CaseToPlace(
            crn=first["crn"] or None,
            team_code=team_code,
            case_type=first["case_type"],
            tier=first["tier"],
            rosh=first.get("rosh"),
            previous_staff_code=first.get("previous_staff_code"),
            points=Decimal(int(scored["points_centi"])).scaleb(-2),
        ),
        tuple(
            Candidate(
                staff_code=row["staff_code"],
                team_code=row["team_code"],
                grade=row["grade"],
                eligible=row["eligible"],
                why_not=row["why_not"],
                continuity=row["continuity"],
                caseload=row["caseload"],
                caseload_after=row["caseload_after"],
                capacity_before=Decimal(int(row["capacity_before_tenths"])).scaleb(-1),
                capacity_after=Decimal(int(row["capacity_after_tenths"])).scaleb(-1),
                allocated_last_7_days=row["allocated_last_7_days"],
            )
            for row in found.iter_rows(named=True)
        ),
    )


def _owners(connection: Connection, snapshot_id: int, teams: list[str], on: date) -> pl.DataFrame:
    """The teams' owners as the engine gave them, in its units, with their leave dates and the
    cases given to each in the last 7 days."""
    owners = schema.table_of(schema.OwnerWorkload)
    staff = schema.table_of(schema.SnapshotStaff)
    cases = schema.table_of(schema.SnapshotCase)
    stored = read_frame(
        connection,
        select(
            owners.c.staff_code,
            owners.c.team_code,
            owners.c.grade,
            staff.c.leave_date,
            owners.c.contracted_hours,
            owners.c.caseload,
            owners.c.case_points,
            owners.c.t2a_points,
            owners.c.report_points,
            owners.c.contact_points,
            owners.c.total_points,
            owners.c.available_points,
            owners.c.capacity_percent,
        )
        .join(
            staff,
            (staff.c.snapshot_id == owners.c.snapshot_id)
            & (staff.c.staff_code == owners.c.staff_code)
            & (staff.c.team_code == owners.c.team_code),
        )
        .where(owners.c.snapshot_id == snapshot_id, owners.c.team_code.in_(teams)),
        {
            "staff_code": pl.String,
            "team_code": pl.String,
            "grade": pl.String,
            "leave_date": pl.Date,
            "contracted_hours": pl.Decimal(18, 2),
            "caseload": pl.Int64,
            "case_points": pl.Decimal(18, 2),
            "t2a_points": pl.Decimal(18, 2),
            "report_points": pl.Int64,
            "contact_points": pl.Int64,
            "total_points": pl.Int64,
            "available_points": pl.Int64,
            "capacity_percent": pl.Decimal(18, 1),
        },
    ).with_columns(
        to_hundredths("contracted_hours", "contracted_hours_centi"),
        to_hundredths("case_points", "case_points_centi"),
        to_hundredths("t2a_points", "t2a_points_centi"),
        to_tenths("capacity_percent", "capacity_tenths"),
    )
    held = read_frame(
        connection,
        select(cases.c.staff_code, cases.c.team_code, cases.c.allocated_date).where(
            cases.c.snapshot_id == snapshot_id,
            cases.c.team_code.in_(teams),
            cases.c.staff_code.is_not(None),
        ),
        {"staff_code": pl.String, "team_code": pl.String, "allocated_date": pl.Date},
    )
    recent = allocated_in_last(held, on)
    return stored.join(recent, on=["staff_code", "team_code"], how="left").with_columns(
        pl.col("allocated_last_7_days").fill_null(0)
    )
