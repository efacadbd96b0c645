"""Workload over time for any unit or practitioner, and pruning old snapshots."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import Connection, delete, func, null, select

from wmt.domain.access import Viewer
from wmt.domain.cases import UNTIERED
from wmt.domain.hierarchy import PRACTITIONER, Level, check_level
from wmt.domain.thresholds import Thresholds
from wmt.errors import WmtError
from wmt.services.listing import Table
from wmt.services.scope import visible_place
from wmt.store import points_versions, schema
from wmt.store.frames import read_frame
from wmt.store.transactions import Store


@dataclass(frozen=True)
class CapacityOn:
    """A unit's or a practitioner's capacity on one snapshot's date."""

    as_of: date
    unit_code: str  # the unit's code, or the practitioner's staff code
    team_code: str | None  # for a practitioner: the team the figures are for
    parent_code: str | None  # for a unit: the unit it lies within
    caseload: int
    total_points: int
    available_points: int
    remaining_points: int
    capacity_percent: Decimal


_FIGURES = ("caseload", "total_points", "available_points", "remaining_points", "capacity_percent")
_PRACTITIONER_COLUMNS = ("as_of", "unit_code", "team_code", *_FIGURES)
_UNIT_COLUMNS = ("as_of", "unit_code", "parent_code", *_FIGURES)


@dataclass(frozen=True)
class History(Table[CapacityOn]):
    level: str
    unit: str
    # The capacity bands of each date: those of the points configuration in force on it.
    thresholds: dict[date, Thresholds]
    # For a unit: the cases waiting for allocation on each date (the queue's size).
    waiting: dict[date, int] = field(default_factory=dict)


def history(
    store: Store,
    viewer: Viewer,
    level: str,
    unit: str,
    since: date | None = None,
    until: date | None = None,
) -> History:
    """One row per snapshot (per team, for a practitioner in two) between the dates.

    Whoever may see everything may read a unit no longer in the newest snapshot; anyone else
    reads the units their scope holds now (NotFound for any other).
    """
    check_level(level)
    if not viewer.sees_everything:
        visible_place(store, viewer, level, unit)
    snapshot = schema.table_of(schema.Snapshot)
    keys: tuple[Any, ...]  # the unit's code and what it lies within, named as CapacityOn's
    if level == PRACTITIONER:
        table = schema.table_of(schema.OwnerWorkload)
        keys = (
            table.c.staff_code.label("unit_code"),
            table.c.team_code,
            null().label("parent_code"),
        )
        where = table.c.staff_code == unit
    else:
        table = schema.table_of(schema.UnitWorkload)
        keys = (table.c.unit_code, null().label("team_code"), table.c.parent_code)
        where = (table.c.level == level) & (table.c.unit_code == unit)
    query = (
        select(snapshot.c.as_of, *keys, *(table.c[name] for name in _FIGURES))
        .join(snapshot, snapshot.c.id == table.c.snapshot_id)
        .where(where)
    )
    if since is not None:
        query = query.where(snapshot.c.as_of >= since)
    if until is not None:
        query = query.where(snapshot.c.as_of <= until)
    with store.reading() as connection:
        rows = [
            CapacityOn(**row._mapping)
            for row in connection.execute(query.order_by(snapshot.c.as_of))
        ]
        dates = {row.as_of for row in rows}
        thresholds = _thresholds_on(connection, dates)
        waiting = (
            {} if level == PRACTITIONER else _queue_sizes(store, connection, level, unit, dates)
        )
    if not rows:
        raise WmtError(f"No {level} {unit!r} in any snapshot in that period.")
    columns = _PRACTITIONER_COLUMNS if level == PRACTITIONER else _UNIT_COLUMNS
    return History(columns, rows, level, unit, thresholds, waiting)


def _queue_sizes(
    store: Store, connection: Connection, level: str, unit: str, dates: set[date]
) -> dict[date, int]:
    """The tiered cases nobody held in the unit on each date the history shows: every team's
    on each date, added up over the teams the unit held on that date."""
    by_team = _queues_by_team(store, connection, dates)
    column = Level(level).unit_column
    if column is not None:
        snapshot = schema.table_of(schema.Snapshot)
        units = schema.table_of(schema.SnapshotUnit)
        teams = read_frame(
            connection,
            select(snapshot.c.as_of, units.c.team_code)
            .join(snapshot, snapshot.c.id == units.c.snapshot_id)
            .where(units.c[column] == unit, snapshot.c.as_of.in_(sorted(dates))),
            {"as_of": pl.Date, "team_code": pl.String},
        )
        by_team = by_team.join(teams.unique(), on=["as_of", "team_code"])
    sizes = by_team.group_by("as_of").agg(pl.col("cases").sum())
    return {on: int(cases) for on, cases in sizes.iter_rows()}


def _queues_by_team(store: Store, connection: Connection, dates: set[date]) -> pl.DataFrame:
    """Every team's tiered cases nobody held on each of the dates: one grouped query, kept by
    the application under the snapshots' results versions, which every change moves on."""
    snapshot = schema.table_of(schema.Snapshot)
    cases = schema.table_of(schema.SnapshotCase)
    shown = snapshot.c.as_of.in_(sorted(dates))
    stamps = connection.execute(
        select(snapshot.c.id, snapshot.c.results_version).where(shown)
    ).all()
    key = ("queues by team", tuple(sorted(tuple(stamp) for stamp in stamps)))
    found: pl.DataFrame | None = store.figures.get(key)
    if found is None:
        query = (
            select(snapshot.c.as_of, cases.c.team_code, func.count().label("cases"))
            .join(snapshot, snapshot.c.id == cases.c.snapshot_id)
            .where(cases.c.staff_code.is_(None), cases.c.tier != UNTIERED, shown)
            .group_by(snapshot.c.as_of, cases.c.team_code)
        )
        types = {"as_of": pl.Date, "team_code": pl.String, "cases": pl.Int64}
        found = read_frame(connection, query, types)
        store.figures.put(key, found)
    return found


def _thresholds_on(connection: Connection, dates: set[date]) -> dict[date, Thresholds]:
    """The thresholds in force on each date: one small query per snapshot shown."""
    return {
        on: points_versions.version_in_force(connection, on).configuration.thresholds
        for on in sorted(dates)
    }


def prune(store: Store, before: date, *, confirm: bool) -> list[date]:
    """The snapshots dated before the date; deleted (with their results) only if confirmed."""
    table = schema.table_of(schema.Snapshot)
    with store.changing_snapshots() as connection:
        dates = list(
            connection.execute(
                select(table.c.as_of).where(table.c.as_of < before).order_by(table.c.as_of)
            ).scalars()
        )
        if confirm and dates:
            if connection.dialect.name == "sqlite":
                # Each snapshot's rows go in one statement per table; SQLite cascades row by row.
                ids = select(table.c.id).where(table.c.as_of < before).scalar_subquery()
                for child in reversed(schema.Base.metadata.sorted_tables):
                    if "snapshot_id" in child.c:
                        connection.execute(delete(child).where(child.c.snapshot_id.in_(ids)))
            connection.execute(delete(table).where(table.c.as_of < before))
    return dates


def snapshot_count(store: Store) -> int:
    with store.reading() as connection:
        return int(
            connection.execute(select(func.count()).select_from(schema.Snapshot)).scalar_one()
        )
