"""Management signals and data-quality findings for a date, within a unit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl
from sqlalchemy import Connection, select

from wmt.domain.access import Viewer
from wmt.domain.hierarchy import NATIONAL_CODE, Level, check_level
from wmt.domain.signals import SNAPSHOT_GAP
from wmt.engine.reductions import reductions_in_force
from wmt.engine.signals import SIGNAL_COLUMNS, all_signals, count_signals, out_of_date
from wmt.errors import NotFound, WmtError
from wmt.services.listing import Listing, Record, field_names
from wmt.services.scope import NOT_FOUND, check_may_read
from wmt.store import points_versions, schema
from wmt.store.frames import read_frame
from wmt.store.snapshot_rows import owner_history, reductions_of
from wmt.store.snapshots import (
    SnapshotRecord,
    find_snapshot,
    list_snapshots,
    require_snapshot,
)
from wmt.store.transactions import Store
from wmt.store.units import teams_within


@dataclass(frozen=True)
class Signal:
    """Something a manager should look at: who, what, and the value that raised it."""

    signal: str
    staff_code: str | None
    team_code: str | None
    value: str | None
    threshold: str | None
    detail: str


@dataclass(frozen=True)
class Finding:
    """Data that cannot be trusted as it stands, and whose it is."""

    finding: str
    staff_code: str | None
    team_code: str | None
    crn: str | None
    detail: str


FINDING_COLUMNS = field_names(Finding)


def _listing(kind: type[Record], as_of: date, frame: pl.DataFrame) -> Listing[Record]:
    columns = field_names(kind)
    rows = [kind(**row) for row in frame.select(columns).iter_rows(named=True)]
    return Listing(columns, rows, as_of)


def _teams_within(
    connection: Connection, snapshot_id: int, level: str | None, unit: str | None
) -> list[str] | None:
    """Team codes inside the unit, or None for everything."""
    if unit is None or unit == NATIONAL_CODE or level == Level.PRACTITIONER:
        return None
    if level is not None:
        check_level(level)
    teams = teams_within(connection, snapshot_id, unit)
    if not teams:
        raise WmtError(f"No team, PDU or region {unit!r} in the snapshot.")
    return teams


def _within(
    frame: pl.DataFrame, level: str | None, unit: str | None, teams: list[str] | None
) -> pl.DataFrame:
    if level == Level.PRACTITIONER and unit is not None:
        return frame.filter(pl.col("staff_code") == unit)
    if teams is None:
        return frame
    return frame.filter(pl.col("team_code").is_in(teams))


def _check_may_read(
    connection: Connection,
    snapshot_id: int,
    viewer: Viewer,
    level: str | None,
    unit: str | None,
) -> None:
    """NotFound unless the person may see the unit (the whole service, if none is named)."""
    if viewer.sees_everything:
        return
    if unit is None:
        level, unit = Level.NATIONAL, NATIONAL_CODE
    if level is None:  # a code alone could name a unit at any level
        raise NotFound(NOT_FOUND)
    check_may_read(connection, snapshot_id, viewer, level, unit)


def _history(
    connection: Connection, ids: dict[int, date], teams: list[str] | None, staff_code: str | None
) -> pl.DataFrame:
    """Owners' figures over the window, each row with its snapshot's date."""
    frame = owner_history(connection, list(ids), teams=teams, staff_code=staff_code)
    return frame.with_columns(
        pl.col("snapshot_id").replace_strict(ids, return_dtype=pl.Date).alias("as_of")
    )


def _active_reductions(
    connection: Connection, record: SnapshotRecord, teams: list[str] | None, staff: str | None
) -> pl.DataFrame:
    stored = reductions_of(connection, record.id, teams=teams, staff_code=staff)
    return reductions_in_force(stored, record.as_of).select("staff_code", "team_code", "reason")


@dataclass(frozen=True)
class Freshness:
    """How old the newest figures are, and how old they may be before a signal says so."""

    newest: date | None
    today: date
    stale_after_days: int

    @property
    def age_days(self) -> int | None:
        return None if self.newest is None else (self.today - self.newest).days

    @property
    def stale(self) -> bool:
        return self.age_days is not None and self.age_days > self.stale_after_days


def _freshness(connection: Connection, today: date) -> Freshness:
    newest = find_snapshot(connection, None)
    thresholds = points_versions.version_in_force(connection, today).configuration.thresholds
    return Freshness(newest.as_of if newest else None, today, thresholds.stale_snapshot_days)


def freshness(store: Store, today: date | None = None) -> Freshness:
    """The newest snapshot's date against today (the threshold in force today)."""
    with store.reading() as connection:
        return _freshness(connection, today or date.today())


def signals(
    store: Store,
    viewer: Viewer,
    level: str | None = None,
    unit: str | None = None,
    as_of: date | None = None,
    *,
    today: date | None = None,
) -> Listing[Signal]:
    """Every signal within the unit on the date (the newest snapshot by default).

    Looking at the newest snapshot, figures out of date are a signal too, judged against
    `today` (the date now, unless given). NotFound if the person may not see the unit.
    """
    on, found = _signals(store, viewer, level, unit, as_of, today)
    return _listing(Signal, on, found)


def _signals(
    store: Store,
    viewer: Viewer,
    level: str | None,
    unit: str | None,
    as_of: date | None,
    today: date | None,
) -> tuple[date, pl.DataFrame]:
    """The snapshot's date and the signals within the unit on it."""
    snapshots = schema.table_of(schema.Snapshot)
    with store.reading() as connection:
        record = require_snapshot(connection, as_of)
        _check_may_read(connection, record.id, viewer, level, unit)
        fresh = _freshness(connection, today or date.today())
        version = points_versions.version_in_force(connection, record.as_of)
        thresholds = version.configuration.thresholds
        start = record.as_of - timedelta(weeks=thresholds.overload_weeks)
        window = {
            s.id: s.as_of for s in list_snapshots(connection) if start < s.as_of <= record.as_of
        }
        teams = _teams_within(connection, record.id, level, unit)
        staff_code = unit if level == Level.PRACTITIONER else None
        key: tuple[Any, ...] | None = None
        if teams is None and staff_code is None:
            # The whole country's signals are kept by the application, keyed by what they
            # are worked out from: the points version and each snapshot's results version.
            stamps = connection.execute(
                select(snapshots.c.id, snapshots.c.results_version).where(
                    snapshots.c.id.in_(list(window))
                )
            ).all()
            key = ("national signals", version.id, tuple(sorted(tuple(s) for s in stamps)))
        found = store.figures.get(key) if key is not None else None
        if found is None:
            history = _history(connection, window, teams, staff_code)
            reductions = _active_reductions(connection, record, teams, staff_code)
    if found is None:
        found = all_signals(history, sorted(window.values()), reductions, record.as_of, thresholds)
        if key is not None:
            store.figures.put(key, found)
    gaps = found.filter(pl.col("signal") == SNAPSHOT_GAP)
    everyone = found.filter(pl.col("signal") != SNAPSHOT_GAP)
    stale = (
        out_of_date(record.as_of, fresh.today, fresh.stale_after_days)
        if record.as_of == fresh.newest
        else pl.DataFrame(schema=dict.fromkeys(SIGNAL_COLUMNS, pl.String))
    )
    found = pl.concat([gaps, stale, _within(everyone, level, unit, teams)])
    return record.as_of, found


def quality(
    store: Store,
    viewer: Viewer,
    level: str | None = None,
    unit: str | None = None,
    as_of: date | None = None,
) -> Listing[Finding]:
    """The data-quality findings within the unit; NotFound if the person may not see it."""
    table = schema.QualityFinding.__table__
    with store.reading() as connection:
        record = require_snapshot(connection, as_of)
        _check_may_read(connection, record.id, viewer, level, unit)
        teams = _teams_within(connection, record.id, level, unit)
        query = (
            select(*(table.c[name] for name in FINDING_COLUMNS))
            .where(table.c.snapshot_id == record.id)
            .order_by(table.c.finding, table.c.team_code, table.c.staff_code, table.c.crn)
        )
        frame = read_frame(connection, query, dict.fromkeys(FINDING_COLUMNS, pl.String))
    return _listing(Finding, record.as_of, _within(frame, level, unit, teams))


@dataclass(frozen=True)
class SignalCounts:
    """How many of each signal a unit holds, and each unit or practitioner one level down."""

    as_of: date
    counts: dict[str, int]  # signal -> how many in the unit, in the order signals are defined
    by_child: dict[str, dict[str, int]]  # child unit or staff code -> signal -> how many


_CHILD_SCHEMA = {"team_code": pl.String, "child_code": pl.String}


def signal_counts(
    store: Store, viewer: Viewer, level: str, unit: str, as_of: date | None = None
) -> SignalCounts:
    """The unit's signals counted by kind, in total and for each child (practitioners of a team).

    Snapshot gaps belong to no team, so they count for the unit but for no child. Figures
    out of date are left to the signals page: an overview already says whose figures of
    which date it shows, and counts what those figures hold. NotFound if the person may not
    see the unit.
    """
    on, found = _signals(store, viewer, level, unit, as_of, None)
    child = check_level(level).child
    child_of = None if level == Level.TEAM else pl.DataFrame(schema=_CHILD_SCHEMA)
    child_column = child.unit_column if child is not None else None
    if child_column is not None:
        units = schema.table_of(schema.SnapshotUnit)
        with store.reading() as connection:
            record = require_snapshot(connection, on)
            query = select(units.c.team_code, units.c[child_column].label("child_code")).where(
                units.c.snapshot_id == record.id
            )
            child_of = read_frame(connection, query, _CHILD_SCHEMA)
    totals, by_child = count_signals(found, child_of)
    counts = {row["signal"]: row["count"] for row in totals.to_dicts()}
    children: dict[str, dict[str, int]] = {}
    for row in by_child.to_dicts():  # at most a few kinds of signal per child
        children.setdefault(row["child_code"], {})[row["signal"]] = row["count"]
    return SignalCounts(on, counts, children)
