"""Who could take a case: every practitioner of its team (or of the unit asked about), with
their figures before and after taking it, worked out by the engine (`engine/allocation.py`).

Eligible practitioners come first, then whoever held the person before, then the lowest
capacity after taking the case. Those who may not take it are listed too, with the reason.
Beside the figures the command line prints (`CANDIDATE_COLUMNS`), the pages and the API show
each practitioner's name, caseload per full-time equivalent after, cases given in the last 30
days, weeks in a row over the overload threshold and reductions ending soon.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import Connection, select

from wmt.domain.access import Role, Viewer
from wmt.domain.cases import CASE_TYPE_ALIASES, SCORED_TIERS
from wmt.domain.hierarchy import NATIONAL_CODE, Level
from wmt.engine.allocation import (
    LATELY_DAYS,
    RECENT_DAYS,
    allocated_in_last,
    candidates,
    case_points_centi,
    reductions_ending_soon,
    snapshots_over_overload,
)
from wmt.engine.arithmetic import percent
from wmt.engine.arithmetic import points as points_of
from wmt.engine.tables import CASES_SCHEMA, OWNER_KEY
from wmt.errors import NotFound, WmtError
from wmt.services.places import level_of_unit, places_in
from wmt.services.scope import NOT_FOUND, check_may_read
from wmt.store import schema
from wmt.store.eligibility_versions import rules_in_force
from wmt.store.frames import read_frame
from wmt.store.points_versions import list_versions, version_in_force
from wmt.store.snapshot_rows import owner_history, reductions_of
from wmt.store.snapshots import SnapshotRecord, list_snapshots, owner_figures, require_snapshot
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
    forename: str | None = None
    surname: str | None = None
    caseload_per_fte_after: Decimal | None = None  # none without contracted hours
    allocated_last_30_days: int = 0
    weeks_over_overload: int = 0  # snapshots in a row, up to the date, over the threshold
    reductions_ending_soon: int = 0  # in force, ending within 28 days
    first_reduction_end: date | None = None


@dataclass(frozen=True)
class Candidates:
    as_of: date
    case: CaseToPlace
    candidates: tuple[Candidate, ...]
    may_allocate: bool = False  # whether the person asking may allocate the case to them
    holder: Candidate | None = None  # for a case already held: who holds it now


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
_CASE_TYPES = {name: CASES_SCHEMA.get(name, pl.String) for name in (*_CASE_COLUMNS, "staff_code")}


def candidates_for_case(
    store: Store, viewer: Viewer, crn: str, as_of: date | None = None
) -> Candidates:
    """The practitioners of the team of a case waiting in the snapshot of the date (the newest
    by default), or for the head of its PDU of every team of the PDU; NotFound if no such
    case waits there, or the person may not see its team."""
    with store.reading() as connection:
        record = require_snapshot(connection, as_of)
        waiting = _case(connection, record.id, crn).filter(pl.col("staff_code").is_null())
        if waiting.is_empty():
            raise _no_case(viewer, f"No case {crn!r} waits for allocation on {record.as_of}.")
        return _for_team_of(connection, record, viewer, waiting)


def candidates_for_reallocation(
    store: Store, viewer: Viewer, crn: str, as_of: date | None = None
) -> Candidates:
    """Who else in its team could take a case someone holds in the snapshot of the date (the
    newest by default), with whoever holds it now listed apart; NotFound if nobody holds such
    a case there, or the person may not see its team."""
    with store.reading() as connection:
        record = require_snapshot(connection, as_of)
        held = _case(connection, record.id, crn).filter(pl.col("staff_code").is_not_null())
        if held.is_empty():
            raise _no_case(viewer, f"No case {crn!r} is held by a practitioner on {record.as_of}.")
        found = _for_team_of(connection, record, viewer, held)
    holder_code = str(held["staff_code"][0])
    others = tuple(c for c in found.candidates if c.staff_code != holder_code)
    holding = [c for c in found.candidates if c.staff_code == holder_code]
    holder = None if not holding else _as_held(holding[0])
    return replace(found, candidates=others, holder=holder)


def _no_case(viewer: Viewer, detail: str) -> NotFound:
    """No such case: said plainly to someone who sees everything; to anyone else the same as
    a case outside their scope, so a case number tells nobody whether it exists elsewhere."""
    return NotFound(detail if viewer.sees_everything else NOT_FOUND)


def _as_held(candidate: Candidate) -> Candidate:
    """The holder's row: their figures already count the case, so nothing changes."""
    return replace(
        candidate,
        caseload_after=candidate.caseload,
        capacity_after=candidate.capacity_before,
        caseload_per_fte_after=None,
    )


def _case(connection: Connection, snapshot_id: int, crn: str) -> pl.DataFrame:
    cases = schema.table_of(schema.SnapshotCase)
    return read_frame(
        connection,
        select(*(cases.c[name] for name in _CASE_TYPES)).where(
            cases.c.snapshot_id == snapshot_id, cases.c.crn == crn
        ),
        _CASE_TYPES,
    )


def _for_team_of(
    connection: Connection, record: SnapshotRecord, viewer: Viewer, case: pl.DataFrame
) -> Candidates:
    team_code = str(case["team_code"][0])
    check_may_read(connection, record.id, viewer, Level.TEAM, team_code)
    teams = _teams_offered(connection, record.id, viewer, team_code)
    found = _candidates(connection, record, case.drop("staff_code"), teams, team_code)
    return replace(found, may_allocate=_may_allocate(connection, record.id, viewer, team_code))


def _teams_offered(
    connection: Connection, snapshot_id: int, viewer: Viewer, team_code: str
) -> list[str]:
    """Whose practitioners a case is offered to: its team's, or for the head of its PDU (who
    allocates across the PDU's teams) every team of the PDU."""
    if viewer.role is not Role.HEAD_OF_PDU:
        return [team_code]
    pdus = {place.pdu for place in places_in(connection, snapshot_id, Level.TEAM, team_code)}
    if viewer.scope not in pdus:
        return [team_code]
    return teams_within(connection, snapshot_id, viewer.scope, Level.PDU)


def _may_allocate(connection: Connection, snapshot_id: int, viewer: Viewer, team_code: str) -> bool:
    """Team managers allocate within their team, heads of PDU across their PDU's teams;
    everyone else reads only."""
    if viewer.role is Role.TEAM_MANAGER:
        return viewer.scope == team_code
    if viewer.role is Role.HEAD_OF_PDU:
        places = places_in(connection, snapshot_id, Level.TEAM, team_code)
        return any(place.pdu == viewer.scope for place in places)
    return False


def candidates_for_kind(
    store: Store,
    viewer: Viewer,
    code: str,
    tier: str,
    case_type: str,
    as_of: date | None = None,
    *,
    level: str | None = None,
) -> Candidates:
    """The practitioners of a unit (a team, PDU or region by its code, or national; of that
    level, if one is given) for a case of this tier and type not in the queue, as an nDelius
    extract gives only counts; NotFound if there is no such unit or the person may not see
    it."""
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
        found = (
            Level.NATIONAL if code == NATIONAL_CODE else level_of_unit(connection, record.id, code)
        )
        if found is None or (level is not None and found != level):
            raise NotFound(
                f"There is no {level or 'team, PDU or region'} {code!r} in the snapshot of "
                f"{record.as_of}."
                if viewer.sees_everything
                else NOT_FOUND
            )
        check_may_read(connection, record.id, viewer, found, code)
        teams = teams_within(connection, record.id, code, found)
        return _candidates(connection, record, case, teams, None)


def _candidates(
    connection: Connection,
    record: SnapshotRecord,
    case: pl.DataFrame,
    teams: list[str],
    team_code: str | None,
) -> Candidates:
    on = record.as_of
    config = version_in_force(connection, on).configuration
    owners = _owners(connection, record, teams)
    scored = case_points_centi(case, config)  # once, for the case and for every pair
    found = candidates(scored, owners, config, rules_in_force(connection, on), on)
    lately = owners.select([*OWNER_KEY, *_LATELY])
    rows = found.join(lately, on=OWNER_KEY, how="left", maintain_order="left")
    first = scored.row(0, named=True)
    points = first["points_centi"]
    return Candidates(
        on,
        CaseToPlace(
            crn=first["crn"] or None,
            team_code=team_code,
            case_type=first["case_type"],
            tier=first["tier"],
            rosh=first.get("rosh"),
            previous_staff_code=first.get("previous_staff_code"),
            points=points_of(points),
        ),
        tuple(_candidate(row) for row in rows.iter_rows(named=True)),
    )


def _candidate(row: dict[str, Any]) -> Candidate:
    per_fte = row["caseload_per_fte_after"]
    return Candidate(
        staff_code=row["staff_code"],
        team_code=row["team_code"],
        grade=row["grade"],
        eligible=row["eligible"],
        why_not=row["why_not"],
        continuity=row["continuity"],
        caseload=row["caseload"],
        caseload_after=row["caseload_after"],
        capacity_before=percent(row["capacity_before_tenths"]),
        capacity_after=percent(row["capacity_after_tenths"]),
        allocated_last_7_days=row["allocated_last_7_days"],
        forename=row["forename"],
        surname=row["surname"],
        caseload_per_fte_after=None if per_fte is None else Decimal(str(per_fte)),
        allocated_last_30_days=row["allocated_last_30_days"],
        weeks_over_overload=row["weeks_over_overload"],
        reductions_ending_soon=row["reductions_ending_soon"],
        first_reduction_end=row["first_reduction_end"],
    )


# What the pages show of each owner beside the engine's figures.
_LATELY = [
    "forename",
    "surname",
    "weeks_over_overload",
    "reductions_ending_soon",
    "first_reduction_end",
]


def _owners(connection: Connection, record: SnapshotRecord, teams: list[str]) -> pl.DataFrame:
    """The teams' owners as the engine gave them, in its units, with the cases given to each
    in the last 7 and 30 days, their weeks over the overload threshold and their reductions
    ending soon."""
    on = record.as_of
    cases = schema.table_of(schema.SnapshotCase)
    held = read_frame(
        connection,
        select(cases.c.staff_code, cases.c.team_code, cases.c.allocated_date).where(
            cases.c.snapshot_id == record.id,
            cases.c.team_code.in_(teams),
            cases.c.staff_code.is_not(None),
        ),
        {"staff_code": pl.String, "team_code": pl.String, "allocated_date": pl.Date},
    )
    ending = reductions_ending_soon(reductions_of(connection, record.id, teams=teams), on)
    counts = [
        allocated_in_last(held, on, RECENT_DAYS),
        allocated_in_last(held, on, LATELY_DAYS),
        _weeks_over(connection, record, teams),
        ending,
    ]
    owners = owner_figures(connection, record.id, teams)
    for frame in counts:
        owners = owners.join(frame, on=OWNER_KEY, how="left")
    return owners.with_columns(
        pl.col(
            "allocated_last_7_days",
            "allocated_last_30_days",
            "weeks_over_overload",
            "reductions_ending_soon",
        ).fill_null(0)
    )


def _weeks_over(connection: Connection, record: SnapshotRecord, teams: list[str]) -> pl.DataFrame:
    """Each owner's snapshots in a row, up to this one, over the overload threshold in force
    on each snapshot's date: from the stored figures of every snapshot up to it."""
    dates = {s.id: s.as_of for s in list_snapshots(connection) if s.as_of <= record.as_of}
    history = owner_history(connection, list(dates), teams=teams).with_columns(
        as_of=pl.col("snapshot_id").replace_strict(dates, return_dtype=pl.Date)
    )
    return snapshots_over_overload(history, _overload_lines(connection, sorted(dates.values())))


def _overload_lines(connection: Connection, dates: list[date]) -> pl.DataFrame:
    """Each date with the overload threshold (in tenths of a percent) in force on it; the
    earliest version's for a date before any."""
    versions = list_versions(connection)
    lines = pl.DataFrame(
        {
            "effective_from": [v.effective_from for v in versions],
            "line_tenths": [
                int(v.configuration.thresholds.overload_percent * 10) for v in versions
            ],
        },
        schema={"effective_from": pl.Date, "line_tenths": pl.Int64},
    ).sort("effective_from")
    earliest = lines["line_tenths"][0]
    return (
        pl.DataFrame({"as_of": dates}, schema={"as_of": pl.Date})
        .sort("as_of")
        .join_asof(lines, left_on="as_of", right_on="effective_from", strategy="backward")
        .select("as_of", pl.col("line_tenths").fill_null(earliest))
    )
