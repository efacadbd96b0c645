"""Workload over time for any unit or practitioner, and pruning old snapshots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select

from wmt.domain.access import Viewer
from wmt.domain.hierarchy import PRACTITIONER, check_level
from wmt.errors import WmtError
from wmt.services.scope import visible_place
from wmt.store import schema
from wmt.store.transactions import Store

HISTORY_COLUMNS = (
    "as_of",
    "unit_code",
    "team_code",
    "caseload",
    "total_points",
    "available_points",
    "remaining_points",
    "capacity_percent",
)


@dataclass(frozen=True)
class History:
    level: str
    unit: str
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]


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
    snapshot = schema.Snapshot.__table__
    if level == PRACTITIONER:
        table = schema.OwnerWorkload.__table__
        query = select(
            snapshot.c.as_of,
            table.c.staff_code.label("unit_code"),
            table.c.team_code,
            table.c.caseload,
            table.c.total_points,
            table.c.available_points,
            table.c.remaining_points,
            table.c.capacity_percent,
        ).where(table.c.staff_code == unit)
    else:
        table = schema.UnitWorkload.__table__
        query = select(
            snapshot.c.as_of,
            table.c.unit_code,
            table.c.parent_code.label("team_code"),
            table.c.caseload,
            table.c.total_points,
            table.c.available_points,
            table.c.remaining_points,
            table.c.capacity_percent,
        ).where(table.c.level == level, table.c.unit_code == unit)
    query = query.join(snapshot, snapshot.c.id == table.c.snapshot_id)
    if since is not None:
        query = query.where(snapshot.c.as_of >= since)
    if until is not None:
        query = query.where(snapshot.c.as_of <= until)
    with store.reading() as connection:
        rows = [dict(row._mapping) for row in connection.execute(query.order_by(snapshot.c.as_of))]
    if not rows:
        raise WmtError(f"No {level} {unit!r} in any snapshot in that period.")
    columns = (
        HISTORY_COLUMNS
        if level == PRACTITIONER
        else tuple("parent_code" if c == "team_code" else c for c in HISTORY_COLUMNS)
    )
    if level != PRACTITIONER:
        for row in rows:
            row["parent_code"] = row.pop("team_code")
    return History(level, unit, columns, rows)


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
