"""What a unit's or a practitioner's page shows: their figures, the level below, the why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from wmt.domain.hierarchy import LEVELS, NATIONAL_CODE, PRACTITIONER, check_level
from wmt.engine.caseload import MATRIX_COLUMNS, tier_by_case_type
from wmt.engine.reductions import reductions_in_force
from wmt.errors import NotFound
from wmt.services.capacity import PRACTITIONER_COLUMNS, UNIT_COLUMNS
from wmt.store import points_versions, schema
from wmt.store.snapshot_rows import caseload_of, reductions_of
from wmt.store.snapshots import require_snapshot
from wmt.store.transactions import Store
from wmt.store.units import teams_within

CHILD_LEVEL = {"national": "region", "region": "pdu", "pdu": "team", "team": PRACTITIONER}


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
    summary: dict[str, Any]
    child_level: str
    child_columns: tuple[str, ...]
    children: list[dict[str, Any]]
    trail: list[Crumb] = field(default_factory=list)


@dataclass(frozen=True)
class PractitionerOverview:
    as_of: date
    staff_code: str
    workloads: list[dict[str, Any]]  # one per team they hold cases in
    caseload: list[dict[str, Any]]  # per team, case type and T2A: counts by tier
    reductions: list[dict[str, Any]]
    nominal_target: dict[str, int]
    default_hours: dict[str, Any]
    trail: list[Crumb] = field(default_factory=list)


def _trail(
    connection: Connection, snapshot_id: int, level: str, code: str, *, including: bool = False
) -> list[Crumb]:
    """National > region > PDU > team, down to the unit (including it if asked)."""
    crumbs = [Crumb("national", NATIONAL_CODE, "National")]
    if level in ("national",):
        return []
    units = schema.table_of(schema.SnapshotUnit)
    column = {"region": units.c.region_code, "pdu": units.c.pdu_code, "team": units.c.team_code}
    row = connection.execute(
        select(units).where(units.c.snapshot_id == snapshot_id, column[level] == code).limit(1)
    ).first()
    if row is None:
        return crumbs
    if level in ("pdu", "team"):
        crumbs.append(Crumb("region", row.region_code, row.region_name))
    if level == "team":
        crumbs.append(Crumb("pdu", row.pdu_code, row.pdu_name))
        if including:
            crumbs.append(Crumb("team", row.team_code, row.team_name))
    return crumbs


def unit_overview(store: Store, level: str, code: str, as_of: date | None = None) -> UnitOverview:
    check_level(level, LEVELS)
    units = schema.table_of(schema.UnitWorkload)
    with store.reading() as connection:
        record = require_snapshot(connection, as_of)
        summary = connection.execute(
            select(units).where(
                units.c.snapshot_id == record.id, units.c.level == level, units.c.unit_code == code
            )
        ).first()
        if summary is None:
            raise NotFound(f"There is no {level} {code!r} in the snapshot of {record.as_of}.")
        child_level = CHILD_LEVEL[level]
        if child_level == PRACTITIONER:
            owners = schema.table_of(schema.OwnerWorkload)
            query = select(*(owners.c[c] for c in PRACTITIONER_COLUMNS)).where(
                owners.c.snapshot_id == record.id, owners.c.team_code == code
            )
            columns: tuple[str, ...] = PRACTITIONER_COLUMNS
        else:
            query = select(*(units.c[c] for c in UNIT_COLUMNS)).where(
                units.c.snapshot_id == record.id,
                units.c.level == child_level,
                units.c.parent_code == code,
            )
            columns = UNIT_COLUMNS
        children = [dict(row._mapping) for row in connection.execute(query)]
        trail = _trail(connection, record.id, level, code)
    return UnitOverview(
        record.as_of, level, code, dict(summary._mapping), child_level, columns, children, trail
    )


def practitioner_overview(
    store: Store, staff_code: str, as_of: date | None = None
) -> PractitionerOverview:
    owners = schema.table_of(schema.OwnerWorkload)
    caseload = schema.table_of(schema.OwnerCaseload)
    with store.reading() as connection:
        record = require_snapshot(connection, as_of)
        workloads = [
            dict(row._mapping)
            for row in connection.execute(
                select(owners)
                .where(owners.c.snapshot_id == record.id, owners.c.staff_code == staff_code)
                .order_by(owners.c.team_code)
            )
        ]
        if not workloads:
            raise NotFound(
                f"There is no practitioner {staff_code!r} in the snapshot of {record.as_of}."
            )
        breakdown = [
            dict(row._mapping)
            for row in connection.execute(
                select(caseload)
                .where(caseload.c.snapshot_id == record.id, caseload.c.staff_code == staff_code)
                .order_by(caseload.c.team_code, caseload.c.case_type, caseload.c.t2a)
            )
        ]
        on = record.as_of
        stored = reductions_of(connection, record.id, staff_code=staff_code)
        active = reductions_in_force(stored, on).to_dicts()
        config = points_versions.version_in_force(connection, on).configuration
        trail = _trail(connection, record.id, "team", workloads[0]["team_code"], including=True)
    return PractitionerOverview(
        on,
        staff_code,
        workloads,
        breakdown,
        active,
        {grade.value: target for grade, target in config.nominal_target.items()},
        {grade.value: hours for grade, hours in config.default_contracted_hours.items()},
        trail,
    )


@dataclass(frozen=True)
class CaseloadMatrix:
    as_of: date
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]  # one per tier: counts by case type, T2A, and total


def caseload_matrix(
    store: Store, level: str, code: str, as_of: date | None = None
) -> CaseloadMatrix:
    """Cases held within a unit (or by one practitioner), tier by case type."""
    with store.reading() as connection:
        record = require_snapshot(connection, as_of)
        if level == PRACTITIONER:
            rows = caseload_of(connection, record.id, staff_code=code)
        elif level == "national":
            rows = caseload_of(connection, record.id)
        else:
            teams = teams_within(connection, record.id, code, level)
            rows = caseload_of(connection, record.id, teams=teams)
    return CaseloadMatrix(record.as_of, MATRIX_COLUMNS, tier_by_case_type(rows).to_dicts())
