"""The allocation queue: the cases of a unit waiting for a practitioner, longest waiting first.

A case waits from its sentence (or release) date; when the input gives none, from the first
snapshot in which it appears unallocated. Its points are what the engine would score it once
held, under the points configuration in force on the snapshot date. Cases without a tier are
not queued: they cannot be allocated until they are tiered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl
from sqlalchemy import Connection, func, select

from wmt.domain.access import Viewer
from wmt.domain.allocation_rules import past_first_appointment_standard
from wmt.domain.cases import UNTIERED
from wmt.domain.hierarchy import NATIONAL_CODE, Level, check_level
from wmt.engine.allocation import case_points_centi
from wmt.engine.arithmetic import points
from wmt.engine.tables import CASES_SCHEMA
from wmt.errors import NotFound
from wmt.services.places import level_of_unit, places_in
from wmt.services.scope import NOT_FOUND, check_may_read
from wmt.store import schema
from wmt.store.frames import read_frame
from wmt.store.points_versions import version_in_force
from wmt.store.snapshots import SnapshotRecord, require_snapshot, units_of
from wmt.store.transactions import Store
from wmt.store.units import teams_within

QUEUE_LEVELS: tuple[Level, ...] = (Level.TEAM, Level.PDU, Level.REGION, Level.NATIONAL)
# What a snapshot holds of each case waiting, as read from the store.
WAITING_COLUMNS = (
    "crn",
    "team_code",
    "case_type",
    "tier",
    "t2a",
    *(name for name in CASES_SCHEMA if CASES_SCHEMA[name] == pl.Boolean and name != "t2a"),
    "rosh",
    "sentence_date",
    "previous_staff_code",
)
# The columns of the queue as the command line, downloads and scripts name them
# (allocation.md, "Command line").
QUEUE_COLUMNS = (
    "crn",
    "team_code",
    "case_type",
    "tier",
    "rosh",
    "sentence_date",
    "waiting_days",
    "points",
    "previous_staff_code",
)
# An nDelius extract has no case rows worth listing, only counts on holding positions.
COUNTED_SOURCE = "ndelius"


@dataclass(frozen=True)
class QueuedCase:
    crn: str
    team_code: str
    case_type: str
    tier: str
    rosh: str | None
    sentence_date: date | None
    waiting_days: int
    points: Decimal  # what the case will add to its practitioner's workload
    previous_staff_code: str | None
    past_first_appointment_standard: bool


@dataclass(frozen=True)
class WaitingCount:
    """Cases of one type and tier waiting, where the snapshot gives only counts."""

    case_type: str
    tier: str
    cases: int


@dataclass(frozen=True)
class AllocationQueue:
    as_of: date
    level: Level
    unit_code: str
    cases: tuple[QueuedCase, ...]
    counts: tuple[WaitingCount, ...]  # the cases waiting by type and tier, whatever the source
    counted_only: bool  # True: the snapshot gives counts by tier and type, not cases


def queue(
    store: Store, viewer: Viewer, level: str, code: str, as_of: date | None = None
) -> AllocationQueue:
    """The unit's queue on the snapshot of the date (the newest by default); NotFound for a
    unit that is not there or that the person may not see."""
    unit_level = check_level(level, QUEUE_LEVELS)
    with store.reading() as connection:
        record = require_snapshot(connection, as_of)
        if check_may_read(connection, record.id, viewer, unit_level, code) is None:
            places_in(connection, record.id, unit_level, code)  # NotFound if not there
        waiting = _waiting_cases(connection, record.id, unit_level, code)
        if record.source_format == COUNTED_SOURCE:
            return AllocationQueue(
                record.as_of, unit_level, code, (), _counts(waiting), counted_only=True
            )
        first_seen = _first_seen_unallocated(connection, record)
        scored = _scored(connection, waiting, record.as_of)
    cases = _queued(scored, first_seen, record.as_of)
    return AllocationQueue(
        record.as_of, unit_level, code, cases, _counts(waiting), counted_only=False
    )


def queue_of_unit(
    store: Store, viewer: Viewer, code: str = NATIONAL_CODE, as_of: date | None = None
) -> AllocationQueue:
    """The queue of the team, PDU or region with this code, or the national one."""
    if code == NATIONAL_CODE:
        return queue(store, viewer, Level.NATIONAL, code, as_of)
    with store.reading() as connection:
        record = require_snapshot(connection, as_of)
        level = level_of_unit(connection, record.id, code)
    if level is None:
        raise NotFound(
            f"There is no team, PDU or region {code!r} in the snapshot of {record.as_of}."
            if viewer.sees_everything
            else NOT_FOUND
        )
    return queue(store, viewer, level, code, record.as_of)


def _waiting_cases(
    connection: Connection, snapshot_id: int, level: Level, code: str
) -> pl.DataFrame:
    """The unit's unallocated cases that have a tier."""
    table = schema.table_of(schema.SnapshotCase)
    query = select(*(table.c[name] for name in WAITING_COLUMNS)).where(
        table.c.snapshot_id == snapshot_id,
        table.c.staff_code.is_(None),
        table.c.tier != UNTIERED,
    )
    if level is not Level.NATIONAL or code != NATIONAL_CODE:
        teams = teams_within(connection, snapshot_id, code, level)
        query = query.where(table.c.team_code.in_(teams))
    types = {name: CASES_SCHEMA[name] for name in WAITING_COLUMNS}
    return read_frame(connection, query, types)


def _first_seen_unallocated(connection: Connection, record: SnapshotRecord) -> pl.DataFrame:
    """For each case unallocated on the snapshot, the first snapshot date up to it on which
    it appears unallocated: one grouped query over every snapshot."""
    cases = schema.table_of(schema.SnapshotCase)
    snapshots = schema.table_of(schema.Snapshot)
    waiting_now = select(cases.c.crn).where(
        cases.c.snapshot_id == record.id, cases.c.staff_code.is_(None)
    )
    query = (
        select(cases.c.crn, func.min(snapshots.c.as_of).label("first_seen"))
        .join(snapshots, snapshots.c.id == cases.c.snapshot_id)
        .where(
            cases.c.staff_code.is_(None),
            snapshots.c.as_of <= record.as_of,
            cases.c.crn.in_(waiting_now),
        )
        .group_by(cases.c.crn)
    )
    return read_frame(connection, query, {"crn": pl.String, "first_seen": pl.Date})


def _scored(connection: Connection, waiting: pl.DataFrame, on: date) -> pl.DataFrame:
    """The waiting cases with the points the engine gives each once it is held."""
    config = version_in_force(connection, on).configuration
    points = case_points_centi(waiting, config).select("crn", "points_centi")
    return waiting.join(points, on="crn", how="left")


def _with_waiting_days(waiting: pl.DataFrame, first_seen: pl.DataFrame, on: date) -> pl.DataFrame:
    """The cases with the days each has waited: from its sentence date, else from the first
    snapshot it waits in."""
    waited_from = pl.coalesce("sentence_date", "first_seen", pl.lit(on))
    return waiting.join(first_seen, on="crn", how="left").with_columns(
        waiting_days=(pl.lit(on) - waited_from).dt.total_days()
    )


def _queued(scored: pl.DataFrame, first_seen: pl.DataFrame, on: date) -> tuple[QueuedCase, ...]:
    rows = _with_waiting_days(scored, first_seen, on).sort(
        ["waiting_days", "crn"], descending=[True, False]
    )
    past = past_first_appointment_standard(
        rows["case_type"].to_numpy(),
        rows["sentence_date"].to_numpy().astype("datetime64[D]"),
        on,
    )
    return tuple(
        QueuedCase(
            crn=row["crn"],
            team_code=row["team_code"],
            case_type=row["case_type"],
            tier=row["tier"],
            rosh=row["rosh"],
            sentence_date=row["sentence_date"],
            waiting_days=int(row["waiting_days"]),
            points=points(row["points_centi"]),
            previous_staff_code=row["previous_staff_code"],
            past_first_appointment_standard=bool(late),
        )
        for row, late in zip(rows.iter_rows(named=True), past, strict=True)
    )


def _counts(waiting: pl.DataFrame) -> tuple[WaitingCount, ...]:
    counted = waiting.group_by("case_type", "tier").agg(cases=pl.len()).sort("case_type", "tier")
    return tuple(WaitingCount(*row) for row in counted.iter_rows())


@dataclass(frozen=True)
class UnitWaiting:
    """How many cases wait in a unit, and the longest any has waited."""

    unit_code: str
    cases: int
    longest_wait_days: int | None  # none where the snapshot gives only counts


def waiting_by_child(
    store: Store, connection: Connection, record: SnapshotRecord, level: Level, code: str
) -> dict[str, UnitWaiting]:
    """For each unit one level below this one (none below a team), the cases waiting in it
    and the longest wait, rolled up from every team's."""
    child = level.child
    if child is None or child.unit_column is None:  # a team's practitioners wait for nobody
        return {}
    units = units_of(connection, record.id)
    if level.unit_column is not None:
        units = units.filter(pl.col(level.unit_column) == code)
    within = units.select("team_code", unit_code=pl.col(child.unit_column)).unique("team_code")
    grouped = (
        _waiting_by_team(store, connection, record)
        .join(within, on="team_code")
        .group_by("unit_code")
        .agg(pl.col("cases").sum(), pl.col("longest_wait_days").max())
    )
    return {row[0]: UnitWaiting(*row) for row in grouped.iter_rows()}


def _waiting_by_team(store: Store, connection: Connection, record: SnapshotRecord) -> pl.DataFrame:
    """Every team's cases waiting and longest wait on the snapshot: worked out once over the
    whole country, then kept by the application under the results versions of the snapshots
    up to it (the waits reach back through them), which every import and change moves on."""
    snapshots = schema.table_of(schema.Snapshot)
    stamps = connection.execute(
        select(snapshots.c.id, snapshots.c.results_version).where(snapshots.c.as_of <= record.as_of)
    ).all()
    key = ("waiting by team", record.id, tuple(sorted(tuple(stamp) for stamp in stamps)))
    found: pl.DataFrame | None = store.figures.get(key)
    if found is not None:
        return found
    waiting = _waiting_cases(connection, record.id, Level.NATIONAL, NATIONAL_CODE)
    if record.source_format == COUNTED_SOURCE:  # holding positions: no wait to speak of
        days = waiting.with_columns(waiting_days=pl.lit(None, pl.Int64))
    else:
        first_seen = _first_seen_unallocated(connection, record)
        days = _with_waiting_days(waiting, first_seen, record.as_of)
    found = days.group_by("team_code").agg(
        cases=pl.len(), longest_wait_days=pl.col("waiting_days").max()
    )
    store.figures.put(key, found)
    return found
