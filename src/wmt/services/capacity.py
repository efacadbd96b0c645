"""Reading stored workload: capacity for practitioners and units on a snapshot date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, or_, select

from wmt.domain.access import Viewer
from wmt.domain.figures import PRACTITIONER_FIGURES, UNIT_FIGURES
from wmt.domain.hierarchy import NATIONAL_CODE, Level, check_level
from wmt.errors import NotFound, WmtError
from wmt.services.scope import NOT_FOUND
from wmt.store import schema
from wmt.store.snapshots import require_snapshot
from wmt.store.transactions import Store
from wmt.store.units import teams_within

PRACTITIONER_COLUMNS = (
    "staff_code",
    "team_code",
    "grade",
    "forename",
    "surname",
    *PRACTITIONER_FIGURES,
)
UNIT_COLUMNS = ("level", "unit_code", "unit_name", "parent_code", *UNIT_FIGURES)

# The columns a person reads at a terminal; CSV and JSON carry all of them.
PRACTITIONER_SUMMARY = (
    "staff_code",
    "forename",
    "surname",
    "team_code",
    "grade",
    "caseload",
    "total_points",
    "available_points",
    "capacity_percent",
)
UNIT_SUMMARY = (
    "unit_code",
    "unit_name",
    "practitioners",
    "caseload",
    "unallocated_cases",
    "total_points",
    "available_points",
    "capacity_percent",
)


@dataclass(frozen=True)
class CapacityReport:
    as_of: date
    level: Level
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]

    @property
    def summary_columns(self) -> tuple[str, ...]:
        return PRACTITIONER_SUMMARY if self.level is Level.PRACTITIONER else UNIT_SUMMARY


def capacity(
    store: Store, viewer: Viewer, level: str, unit: str | None = None, as_of: date | None = None
) -> CapacityReport:
    """Capacity at one level, optionally only within one unit (or for one practitioner).

    A listing across the hierarchy is for those who see everything; anyone else reads their
    own units' overviews (NotFound here).
    """
    level = check_level(level)
    if not viewer.sees_everything:
        raise NotFound(NOT_FOUND)
    with store.reading() as connection:
        record = require_snapshot(connection, as_of)
        columns: tuple[str, ...]
        if level is Level.PRACTITIONER:
            rows = _practitioners(connection, record.id, unit)
            columns = PRACTITIONER_COLUMNS
        else:
            rows = _units(connection, record.id, level, unit)
            columns = UNIT_COLUMNS
    if unit is not None and not rows:
        raise WmtError(f"No {level} within {unit!r} in the snapshot of {record.as_of}.")
    return CapacityReport(record.as_of, level, columns, rows)


def _practitioners(
    connection: Connection, snapshot_id: int, unit: str | None
) -> list[dict[str, Any]]:
    table = schema.OwnerWorkload.__table__
    query = select(*(table.c[name] for name in PRACTITIONER_COLUMNS)).where(
        table.c.snapshot_id == snapshot_id
    )
    if unit is not None and unit != NATIONAL_CODE:
        teams = teams_within(connection, snapshot_id, unit)
        query = query.where(or_(table.c.staff_code == unit, table.c.team_code.in_(teams)))
    query = query.order_by(table.c.team_code, table.c.staff_code)
    return [dict(row._mapping) for row in connection.execute(query)]


def _units(
    connection: Connection, snapshot_id: int, level: Level, unit: str | None
) -> list[dict[str, Any]]:
    table = schema.UnitWorkload.__table__
    query = select(*(table.c[name] for name in UNIT_COLUMNS)).where(
        table.c.snapshot_id == snapshot_id, table.c.level == level.value
    )
    if unit is not None and unit != NATIONAL_CODE:
        query = query.where(_within(connection, snapshot_id, level, unit, table))
    return [dict(row._mapping) for row in connection.execute(query.order_by(table.c.unit_code))]


def _within(connection: Connection, snapshot_id: int, level: Level, unit: str, table: Any) -> Any:
    """Rows of this level that are the unit or lie inside it."""
    units = schema.SnapshotUnit.__table__
    if level.unit_column is None:  # national
        return table.c.unit_code == unit
    inside = (
        select(units.c[level.unit_column])
        .where(units.c.snapshot_id == snapshot_id)
        .where(
            or_(units.c.team_code == unit, units.c.pdu_code == unit, units.c.region_code == unit)
        )
    )
    return table.c.unit_code.in_(inside)
