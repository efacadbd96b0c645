"""Reading stored workload: capacity for practitioners and units on a snapshot date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, or_, select

from wmt.domain.access import Viewer
from wmt.domain.figures import PRACTITIONER_FIGURES, UNIT_FIGURES
from wmt.domain.hierarchy import NATIONAL_CODE, Level, check_level
from wmt.errors import NotFound, WmtError
from wmt.services.listing import Listing, records
from wmt.services.scope import NOT_FOUND, visible_rows
from wmt.store import schema
from wmt.store.snapshots import require_snapshot
from wmt.store.transactions import Store
from wmt.store.units import teams_within


@dataclass(frozen=True)
class Workload:
    """The figures of a workload: a practitioner's in one team, or a unit's summed."""

    caseload: int
    community_cases: int
    custody_cases: int
    licence_cases: int
    t2a_cases: int
    tier_scored_cases: int
    case_points: Decimal
    t2a_points: Decimal
    report_points: int
    contact_points: int
    total_points: int
    available_points: int
    remaining_points: int
    contracted_hours: Decimal
    reduction_hours: Decimal
    hours_available: Decimal
    capacity_percent: Decimal


@dataclass(frozen=True)
class PractitionerFigures(Workload):
    """A practitioner's figures in one team they hold cases in (one row of a team's table)."""

    staff_code: str
    team_code: str
    grade: str
    forename: str | None
    surname: str | None


@dataclass(frozen=True)
class UnitFigures(Workload):
    """A unit's own figures on one snapshot: the roll-up of the practitioners within it."""

    level: str
    unit_code: str
    unit_name: str
    parent_code: str | None
    practitioners: int
    unallocated_cases: int


# The columns of a table of each (a download carries these; a page shows some of them).
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

Figures = PractitionerFigures | UnitFigures


def practitioner_figures(
    connection: Connection, where: Any, *order: Any
) -> list[PractitionerFigures]:
    """Practitioners' figures in each team, of the stored rows that meet the condition."""
    return records(connection, PractitionerFigures, schema.OwnerWorkload, where, *order)


def unit_figures(connection: Connection, where: Any, *order: Any) -> list[UnitFigures]:
    """Units' figures, of the stored rows that meet the condition."""
    return records(connection, UnitFigures, schema.UnitWorkload, where, *order)


@dataclass(frozen=True)
class CapacityReport(Listing[Figures]):
    level: Level

    @property
    def summary_columns(self) -> tuple[str, ...]:
        return PRACTITIONER_SUMMARY if self.level is Level.PRACTITIONER else UNIT_SUMMARY


def capacity(
    store: Store, viewer: Viewer, level: str, unit: str | None = None, as_of: date | None = None
) -> CapacityReport:
    """Capacity at one level, optionally only within one unit (or for one practitioner).

    Only the rows the person may see are listed: a team manager asking for their PDU reads
    their own team. NotFound if they may see none of them, as for a unit that is not there.
    """
    level = check_level(level)
    with store.reading() as connection:
        record = require_snapshot(connection, as_of)
        rows: list[Figures]
        columns: tuple[str, ...]
        if level is Level.PRACTITIONER:
            rows = list(_practitioners(connection, record.id, unit))
            columns = PRACTITIONER_COLUMNS
        else:
            rows = list(_units(connection, record.id, level, unit))
            columns = UNIT_COLUMNS
        rows = visible_rows(connection, record.id, viewer, level, rows)
    if not rows and not viewer.sees_everything:
        raise NotFound(NOT_FOUND)
    if unit is not None and not rows:
        raise WmtError(f"No {level} within {unit!r} in the snapshot of {record.as_of}.")
    return CapacityReport(columns=columns, rows=rows, as_of=record.as_of, level=level)


def _practitioners(
    connection: Connection, snapshot_id: int, unit: str | None
) -> list[PractitionerFigures]:
    table = schema.table_of(schema.OwnerWorkload)
    where = table.c.snapshot_id == snapshot_id
    if unit is not None and unit != NATIONAL_CODE:
        teams = teams_within(connection, snapshot_id, unit)
        where &= or_(table.c.staff_code == unit, table.c.team_code.in_(teams))
    return practitioner_figures(connection, where, table.c.team_code, table.c.staff_code)


def _units(
    connection: Connection, snapshot_id: int, level: Level, unit: str | None
) -> list[UnitFigures]:
    table = schema.table_of(schema.UnitWorkload)
    where = (table.c.snapshot_id == snapshot_id) & (table.c.level == level.value)
    if unit is not None and unit != NATIONAL_CODE:
        where &= _within(connection, snapshot_id, level, unit, table)
    return unit_figures(connection, where, table.c.unit_code)


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
