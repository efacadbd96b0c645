"""What a unit's or a practitioner's page shows: their figures, the level below, the why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import polars as pl
from sqlalchemy import Connection, select

from wmt.domain.access import Viewer
from wmt.domain.hierarchy import LEVELS, NATIONAL_CODE, Level, check_level
from wmt.engine.caseload import MATRIX_COLUMNS, tier_by_case_type
from wmt.engine.reductions import reductions_in_force
from wmt.errors import NotFound
from wmt.services.allocation_queue import UnitWaiting, waiting_by_child
from wmt.services.capacity import (
    PRACTITIONER_COLUMNS,
    UNIT_COLUMNS,
    PractitionerFigures,
    UnitFigures,
    practitioner_figures,
    unit_figures,
)
from wmt.services.listing import Listing, Record, field_names
from wmt.services.scope import check_may_read, visible_children
from wmt.store import points_versions, schema
from wmt.store.snapshot_rows import caseload_of, reductions_of
from wmt.store.snapshots import find_snapshot, require_snapshot
from wmt.store.transactions import Store
from wmt.store.units import teams_within


@dataclass(frozen=True)
class Crumb:
    level: str
    code: str
    name: str


@dataclass(frozen=True)
class UnitOverview:
    as_of: date
    level: str
    code: str
    summary: UnitFigures
    child_level: Level
    child_columns: tuple[str, ...]
    children: list[PractitionerFigures] | list[UnitFigures]  # those the person may see
    trail: list[Crumb] = field(default_factory=list)
    # For units one level down: the cases waiting for allocation in each, by its code.
    waiting: dict[str, UnitWaiting] = field(default_factory=dict)

    @property
    def units(self) -> list[UnitFigures]:
        """The units one level down; none for a team, whose children are practitioners."""
        return [child for child in self.children if isinstance(child, UnitFigures)]


@dataclass(frozen=True)
class ReductionInForce:
    """A reduction that counted on the snapshot's date."""

    team_code: str
    reason: str
    start_date: date
    end_date: date | None
    hours: Decimal


@dataclass(frozen=True)
class PractitionerOverview:
    as_of: date
    staff_code: str
    workloads: list[PractitionerFigures]  # one per team they hold cases in
    reductions: list[ReductionInForce]
    nominal_target: dict[str, int]  # grade -> points a full-time practitioner carries
    default_hours: dict[str, Decimal]  # grade -> full-time contracted hours a week
    trail: list[Crumb] = field(default_factory=list)
    on_newest_snapshot: bool = False  # whether these are the figures of the newest snapshot


def _trail(
    connection: Connection, snapshot_id: int, level: Level, code: str, *, including: bool = False
) -> list[Crumb]:
    """National > region > PDU > team, down to the unit (including it if asked)."""
    crumbs = [Crumb(Level.NATIONAL, NATIONAL_CODE, "National")]
    if level is Level.NATIONAL:
        return []
    units = schema.table_of(schema.SnapshotUnit)
    row = connection.execute(
        select(units)
        .where(units.c.snapshot_id == snapshot_id, units.c[level.unit_column or ""] == code)
        .limit(1)
    ).first()
    if row is None:
        return crumbs
    if level in (Level.PDU, Level.TEAM):
        crumbs.append(Crumb(Level.REGION, row.region_code, row.region_name))
    if level is Level.TEAM:
        crumbs.append(Crumb(Level.PDU, row.pdu_code, row.pdu_name))
        if including:
            crumbs.append(Crumb(Level.TEAM, row.team_code, row.team_name))
    return crumbs


def unit_overview(
    store: Store, viewer: Viewer, level: str, code: str, as_of: date | None = None
) -> UnitOverview:
    """A unit's figures and those of the units (or practitioners) one level down that the
    person may see; NotFound, the same for a unit outside their scope as for none, if not."""
    unit_level = check_level(level, LEVELS)
    units = schema.table_of(schema.UnitWorkload)
    with store.reading() as connection:
        record = require_snapshot(connection, as_of)
        place = check_may_read(connection, record.id, viewer, unit_level, code)
        summaries = unit_figures(
            connection,
            (units.c.snapshot_id == record.id)
            & (units.c.level == unit_level.value)
            & (units.c.unit_code == code),
        )
        if not summaries:
            raise NotFound(f"There is no {level} {code!r} in the snapshot of {record.as_of}.")
        child_level = unit_level.child or Level.PRACTITIONER
        children: list[PractitionerFigures] | list[UnitFigures]
        if child_level is Level.PRACTITIONER:
            owners = schema.table_of(schema.OwnerWorkload)
            practitioners = practitioner_figures(
                connection, (owners.c.snapshot_id == record.id) & (owners.c.team_code == code)
            )
            children = visible_children(viewer, place, child_level, practitioners)
            columns: tuple[str, ...] = PRACTITIONER_COLUMNS
        else:
            below = unit_figures(
                connection,
                (units.c.snapshot_id == record.id)
                & (units.c.level == child_level.value)
                & (units.c.parent_code == code),
            )
            children = visible_children(viewer, place, child_level, below)
            columns = UNIT_COLUMNS
        trail = _trail(connection, record.id, unit_level, code)
        waiting = waiting_by_child(store, connection, record, unit_level, code)
    return UnitOverview(
        record.as_of,
        unit_level,
        code,
        summaries[0],
        child_level,
        columns,
        children,
        trail,
        waiting,
    )


def practitioner_overview(
    store: Store, viewer: Viewer, staff_code: str, as_of: date | None = None
) -> PractitionerOverview:
    """A practitioner's figures in each team they hold cases in, explained; NotFound, the same
    for someone outside the person's scope as for nobody, if the person may not see them.

    Whoever may see the practitioner in one of their teams sees all of their teams' figures,
    as their capacity is the sum of them.
    """
    owners = schema.table_of(schema.OwnerWorkload)
    with store.reading() as connection:
        record = require_snapshot(connection, as_of)
        check_may_read(connection, record.id, viewer, Level.PRACTITIONER, staff_code)
        workloads = practitioner_figures(
            connection,
            (owners.c.snapshot_id == record.id) & (owners.c.staff_code == staff_code),
            owners.c.team_code,
        )
        if not workloads:
            raise NotFound(
                f"There is no practitioner {staff_code!r} in the snapshot of {record.as_of}."
            )
        on = record.as_of
        stored = reductions_of(connection, record.id, staff_code=staff_code)
        active = _records(ReductionInForce, reductions_in_force(stored, on))
        config = points_versions.version_in_force(connection, on).configuration
        trail = _trail(connection, record.id, Level.TEAM, workloads[0].team_code, including=True)
        newest = find_snapshot(connection, None)
    return PractitionerOverview(
        on,
        staff_code,
        workloads,
        active,
        {grade.value: target for grade, target in config.nominal_target.items()},
        {grade.value: hours for grade, hours in config.default_contracted_hours.items()},
        trail,
        on_newest_snapshot=newest is not None and newest.as_of == on,
    )


def _records(kind: type[Record], frame: pl.DataFrame) -> list[Record]:
    """The frame's rows as records of the kind, from the columns named as its fields."""
    return [kind(**row) for row in frame.select(field_names(kind)).iter_rows(named=True)]


@dataclass(frozen=True)
class TierCount:
    """Cases of one tier held: by case type (T2A apart), T2A of every type, and in all."""

    tier: str
    community: int
    custody: int
    licence: int
    t2a: int
    total: int


# Cases held within a unit, one row per tier.
CaseloadMatrix = Listing[TierCount]


def caseload_matrix(
    store: Store, viewer: Viewer, level: str, code: str, as_of: date | None = None
) -> CaseloadMatrix:
    """Cases held within a unit (or by one practitioner), tier by case type; NotFound if the
    person may not see the unit."""
    with store.reading() as connection:
        record = require_snapshot(connection, as_of)
        check_may_read(connection, record.id, viewer, level, code)
        if level == Level.PRACTITIONER:
            rows = caseload_of(connection, record.id, staff_code=code)
        elif level == Level.NATIONAL:
            rows = caseload_of(connection, record.id)
        else:
            teams = teams_within(connection, record.id, code, level)
            rows = caseload_of(connection, record.id, teams=teams)
    matrix = _records(TierCount, tier_by_case_type(rows))
    return CaseloadMatrix(columns=MATRIX_COLUMNS, rows=matrix, as_of=record.as_of)
