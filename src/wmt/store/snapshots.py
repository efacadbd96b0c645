"""Writing and reading snapshots: their input tables and the engine's results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Connection, Table, and_, delete, insert, or_, select, update

from wmt.domain.clock import utc_now
from wmt.engine.tables import SCHEMAS, SnapshotTables
from wmt.engine.workload import WorkloadResults
from wmt.store import schema
from wmt.store.frames import (
    from_hundredths,
    from_tenths,
    insert_frame,
    read_frame,
    to_hundredths,
    to_tenths,
)


@dataclass(frozen=True)
class SnapshotRecord:
    id: int
    as_of: date
    imported_at: datetime
    source: str
    source_format: str
    points_configuration_id: int


def _snapshot_id_frame(frame: pl.DataFrame, snapshot_id: int) -> pl.DataFrame:
    return frame.with_columns(snapshot_id=pl.lit(snapshot_id, pl.Int64))


# Where each input table of the engine is kept, and which of its columns the store keeps
# as exact decimals rather than whole hundredths.
INPUT_TABLES: dict[str, Table] = {
    "units": schema.table_of(schema.SnapshotUnit),
    "staff": schema.table_of(schema.SnapshotStaff),
    "cases": schema.table_of(schema.SnapshotCase),
    "reports": schema.table_of(schema.SnapshotReport),
    "contacts": schema.table_of(schema.SnapshotContact),
    "reductions": schema.table_of(schema.SnapshotReduction),
}
_STORED_AS_DECIMAL = {
    "contracted_hours_centi": "contracted_hours",
    "imported_contracted_hours_centi": "imported_contracted_hours",
    "hours_centi": "hours",
}


def _to_store(frame: pl.DataFrame) -> pl.DataFrame:
    """An input table in the store's column names and units."""
    centi = [column for column in _STORED_AS_DECIMAL if column in frame.columns]
    return frame.with_columns(
        from_hundredths(column, _STORED_AS_DECIMAL[column]) for column in centi
    ).drop(centi)


def _from_store(frame: pl.DataFrame) -> pl.DataFrame:
    decimals = {plain: centi for centi, plain in _STORED_AS_DECIMAL.items()}
    present = [column for column in decimals if column in frame.columns]
    return frame.with_columns(to_hundredths(column, decimals[column]) for column in present)


_CENTI_RESULT_COLUMNS = {
    "case_points_centi": "case_points",
    "t2a_points_centi": "t2a_points",
    "contracted_hours_centi": "contracted_hours",
    "reduction_hours_centi": "reduction_hours",
    "hours_available_centi": "hours_available",
}


def _result_frame(frame: pl.DataFrame, model: Any) -> pl.DataFrame:
    """Engine results converted to decimals and trimmed to the table's columns."""
    table = model.__table__
    converted = frame.with_columns(
        *[from_hundredths(centi, plain) for centi, plain in _CENTI_RESULT_COLUMNS.items()],
        from_tenths("capacity_tenths", "capacity_percent"),
    )
    return converted.select([c.name for c in table.columns if c.name in converted.columns])


def replace_snapshot(
    connection: Connection,
    *,
    as_of: date,
    source: str,
    source_format: str,
    points_configuration_id: int,
    tables: SnapshotTables,
    results: WorkloadResults,
    reader_findings: pl.DataFrame | None = None,
) -> int:
    """Store a snapshot, replacing any earlier one for the same date. Returns its id."""
    connection.execute(delete(schema.Snapshot).where(schema.Snapshot.as_of == as_of))
    now = utc_now()
    snapshot_id = connection.execute(
        insert(schema.Snapshot).returning(schema.Snapshot.id),
        {
            "as_of": as_of,
            "imported_at": now,
            "calculated_at": now,
            "results_version": 0,  # 1 once its results are written
            "source": source,
            "source_format": source_format,
            "points_configuration_id": points_configuration_id,
        },
    ).scalar_one()
    for name, table in INPUT_TABLES.items():
        frame = _to_store(getattr(tables, name))
        insert_frame(connection, table, _snapshot_id_frame(frame, snapshot_id))
    if reader_findings is not None:
        _write_findings(connection, snapshot_id, reader_findings, "reader")
    write_results(connection, snapshot_id, results)
    return int(snapshot_id)


def _write_findings(
    connection: Connection, snapshot_id: int, findings: pl.DataFrame, source: str
) -> None:
    table = schema.table_of(schema.QualityFinding)
    connection.execute(
        delete(table).where(table.c.snapshot_id == snapshot_id, table.c.source == source)
    )
    _append_findings(connection, snapshot_id, findings, source)


def _append_findings(
    connection: Connection, snapshot_id: int, findings: pl.DataFrame, source: str
) -> None:
    table = schema.table_of(schema.QualityFinding)
    frame = findings.select(
        pl.lit(snapshot_id, pl.Int64).alias("snapshot_id"),
        pl.lit(source).alias("source"),
        "finding",
        "staff_code",
        "team_code",
        "crn",
        "detail",
    )
    insert_frame(connection, table, frame)


def write_results(connection: Connection, snapshot_id: int, results: WorkloadResults) -> None:
    """Store (or replace) a snapshot's results."""
    result_tables: list[tuple[Any, pl.DataFrame]] = [
        (schema.OwnerWorkload.__table__, _result_frame(results.owners, schema.OwnerWorkload)),
        (schema.OwnerCaseload.__table__, results.caseload),
        (schema.UnitWorkload.__table__, _result_frame(results.units, schema.UnitWorkload)),
    ]
    for table, frame in result_tables:
        connection.execute(delete(table).where(table.c.snapshot_id == snapshot_id))
        insert_frame(connection, table, _snapshot_id_frame(frame, snapshot_id))
    _write_findings(connection, snapshot_id, results.findings, "calculation")
    _results_written(connection, snapshot_id)


def _results_written(connection: Connection, snapshot_id: int) -> None:
    """Move the snapshot's results version on: whatever was kept of its figures is old now."""
    connection.execute(
        update(schema.Snapshot)
        .where(schema.Snapshot.id == snapshot_id)
        .values(results_version=schema.Snapshot.results_version + 1)
    )


def list_snapshots(connection: Connection) -> list[SnapshotRecord]:
    table = schema.Snapshot.__table__
    rows = connection.execute(select(table).order_by(table.c.as_of))
    return [_record(row) for row in rows]


def _record(row: Any) -> SnapshotRecord:
    return SnapshotRecord(
        row.id,
        row.as_of,
        row.imported_at,
        row.source,
        row.source_format,
        row.points_configuration_id,
    )


def find_snapshot(connection: Connection, as_of: date | None) -> SnapshotRecord | None:
    """The snapshot for a date, or the newest one when no date is given."""
    table = schema.Snapshot.__table__
    query = select(table)
    if as_of is None:
        query = query.order_by(table.c.as_of.desc()).limit(1)
    else:
        query = query.where(table.c.as_of == as_of)
    row = connection.execute(query).first()
    return None if row is None else _record(row)


def load_tables(
    connection: Connection,
    snapshot_id: int,
    owner: tuple[str, str] | None = None,
    *,
    as_imported: bool = False,
) -> SnapshotTables:
    """A stored snapshot's input tables, as the engine takes them.

    With an owner (staff code, team code): only the rows that owner's figures depend on, their
    team's unit row, and no other owner — enough for the engine to recalculate just them.
    As imported: the contracted hours the import gave and only the import's reductions, for
    the engine to lay what managers keep in wmt over them again (engine/managed.py).
    """
    frames: dict[str, pl.DataFrame] = {}
    for name, table in INPUT_TABLES.items():
        engine_schema = SCHEMAS[name]
        columns = [c for c in table.columns if c.name not in ("snapshot_id", "id")]
        store_schema = {c.name: engine_schema.get(c.name, pl.Decimal(18, 2)) for c in columns}
        query = select(*columns).where(table.c.snapshot_id == snapshot_id)
        if owner is not None:
            query = query.where(_concerning(name, table, *owner))
        if as_imported and name == "reductions":
            query = query.where(table.c.managed_reduction_id.is_(None))
        frame = _from_store(read_frame(connection, query, store_schema))
        if as_imported and name == "staff":
            frame = frame.with_columns(
                pl.col("imported_contracted_hours_centi").alias("contracted_hours_centi")
            )
        frames[name] = frame
    return SnapshotTables.from_frames(**frames)


def replace_owner_inputs(
    connection: Connection, snapshot_id: int, owner: tuple[str, str], tables: SnapshotTables
) -> None:
    """Store one owner's staff row and reductions as the tables give them (the managed inputs
    laid over the import by the engine), in place of what the snapshot held for them."""
    staff_code, team_code = owner
    for name in ("staff", "reductions"):
        table = INPUT_TABLES[name]
        connection.execute(
            delete(table).where(
                table.c.snapshot_id == snapshot_id,
                table.c.staff_code == staff_code,
                table.c.team_code == team_code,
            )
        )
        rows = getattr(tables, name).filter(
            (pl.col("staff_code") == staff_code) & (pl.col("team_code") == team_code)
        )
        insert_frame(connection, table, _snapshot_id_frame(_to_store(rows), snapshot_id))


def _concerning(name: str, table: Table, staff_code: str, team_code: str) -> ColumnElement[bool]:
    """The rows of an input table that one owner's figures depend on."""
    if name == "units":
        return table.c.team_code == team_code
    is_owner = and_(table.c.staff_code == staff_code, table.c.team_code == team_code)
    if name == "contacts":  # work they did, and work colleagues did on cases they hold
        holds = and_(table.c.holder_staff_code == staff_code, table.c.holder_team_code == team_code)
        return or_(is_owner, holds)
    return is_owner


def replace_owner_results(
    connection: Connection,
    snapshot_id: int,
    owner: tuple[str, str],
    results: WorkloadResults,
    units: pl.DataFrame,
) -> None:
    """Store one owner's recalculated results and every unit's new roll-up."""
    staff_code, team_code = owner
    for model, frame in (
        (schema.OwnerWorkload, _result_frame(results.owners, schema.OwnerWorkload)),
        (schema.OwnerCaseload, results.caseload),
    ):
        table = schema.table_of(model)
        connection.execute(
            delete(table).where(
                table.c.snapshot_id == snapshot_id,
                table.c.staff_code == staff_code,
                table.c.team_code == team_code,
            )
        )
        insert_frame(connection, table, _snapshot_id_frame(frame, snapshot_id))
    findings = schema.table_of(schema.QualityFinding)
    connection.execute(
        delete(findings).where(
            findings.c.snapshot_id == snapshot_id,
            findings.c.source == "calculation",
            findings.c.staff_code == staff_code,
            findings.c.team_code == team_code,
        )
    )
    own = results.findings.filter(
        (pl.col("staff_code") == staff_code) & (pl.col("team_code") == team_code)
    )
    _append_findings(connection, snapshot_id, own, "calculation")
    unit_table = schema.table_of(schema.UnitWorkload)
    connection.execute(delete(unit_table).where(unit_table.c.snapshot_id == snapshot_id))
    insert_frame(
        connection,
        unit_table,
        _snapshot_id_frame(_result_frame(units, schema.UnitWorkload), snapshot_id),
    )
    _results_written(connection, snapshot_id)


def _in_engine_units(frame: pl.DataFrame) -> pl.DataFrame:
    """Stored owner results with their exact decimals as the engine's whole hundredths (and
    capacity as tenths), each under the engine's name; other columns as they are."""
    plain = {decimal: centi for centi, decimal in _CENTI_RESULT_COLUMNS.items()}
    decimals = [column for column in frame.columns if column in plain]
    converted = frame.with_columns(to_hundredths(column, plain[column]) for column in decimals)
    if "capacity_percent" in frame.columns:
        converted = converted.with_columns(to_tenths("capacity_percent", "capacity_tenths"))
        decimals.append("capacity_percent")
    return converted.drop(decimals)


def _stored_types(columns: list[str]) -> dict[str, Any]:
    """How each stored result column of the owners is read: exact decimals, whole numbers."""
    decimals = set(_CENTI_RESULT_COLUMNS.values())
    return {
        column: pl.Decimal(18, 1)
        if column == "capacity_percent"
        else pl.Decimal(18, 2)
        if column in decimals
        else pl.String
        if column in ("staff_code", "team_code", "grade")
        else pl.Int64
        for column in columns
    }


def owner_totals(connection: Connection, snapshot_id: int) -> pl.DataFrame:
    """Every owner's stored results, in the engine's units, for rolling up again."""
    from wmt.engine.rollup import SUMMED

    table = schema.table_of(schema.OwnerWorkload)
    plain = dict(_CENTI_RESULT_COLUMNS)
    columns = ["staff_code", "team_code", *(plain.get(column, column) for column in SUMMED)]
    frame = read_frame(
        connection,
        select(*(table.c[column] for column in columns)).where(table.c.snapshot_id == snapshot_id),
        _stored_types(columns),
    )
    return _in_engine_units(frame).select("staff_code", "team_code", *SUMMED)


# What the allocation figures read of each owner: their stored results, and of their staff row
# their leave date and name.
_OWNER_FIGURES = [
    "staff_code",
    "team_code",
    "grade",
    "contracted_hours",
    "caseload",
    "case_points",
    "t2a_points",
    "report_points",
    "contact_points",
    "total_points",
    "available_points",
    "capacity_percent",
]
_STAFF_DETAILS = {"leave_date": pl.Date, "forename": pl.String, "surname": pl.String}


def owner_figures(
    connection: Connection,
    snapshot_id: int,
    teams: list[str] | None = None,
    *,
    staff_code: str | None = None,
) -> pl.DataFrame:
    """The owners of the teams (or one practitioner, in each team they are in, or in the one
    team given) as the engine gave them, in its units (hours and points in hundredths,
    capacity in tenths), with their leave date and name from the staff rows."""
    owners = schema.table_of(schema.OwnerWorkload)
    staff = schema.table_of(schema.SnapshotStaff)
    query = (
        select(
            *(owners.c[column] for column in _OWNER_FIGURES),
            *(staff.c[column] for column in _STAFF_DETAILS),
        )
        .join(
            staff,
            (staff.c.snapshot_id == owners.c.snapshot_id)
            & (staff.c.staff_code == owners.c.staff_code)
            & (staff.c.team_code == owners.c.team_code),
        )
        .where(owners.c.snapshot_id == snapshot_id)
        .order_by(owners.c.team_code, owners.c.staff_code)
    )
    if teams is not None:
        query = query.where(owners.c.team_code.in_(teams))
    if staff_code is not None:
        query = query.where(owners.c.staff_code == staff_code)
    types = _stored_types(_OWNER_FIGURES) | _STAFF_DETAILS
    return _in_engine_units(read_frame(connection, query, types))


def units_of(connection: Connection, snapshot_id: int) -> pl.DataFrame:
    """The snapshot's teams with their PDUs and regions."""
    from wmt.engine.tables import UNITS_SCHEMA

    table = schema.table_of(schema.SnapshotUnit)
    query = select(*(table.c[column] for column in UNITS_SCHEMA)).where(
        table.c.snapshot_id == snapshot_id
    )
    return read_frame(connection, query, dict(UNITS_SCHEMA))


def unallocated_cases(connection: Connection, snapshot_id: int) -> pl.DataFrame:
    """The snapshot's cases nobody holds, which the roll-ups count per team."""
    table = schema.table_of(schema.SnapshotCase)
    return read_frame(
        connection,
        select(table.c.staff_code, table.c.team_code).where(
            table.c.snapshot_id == snapshot_id, table.c.staff_code.is_(None)
        ),
        {"staff_code": pl.String, "team_code": pl.String},
    )


def set_points_version(connection: Connection, snapshot_id: int, version_id: int) -> None:
    connection.execute(
        update(schema.Snapshot)
        .where(schema.Snapshot.id == snapshot_id)
        .values(points_configuration_id=version_id, calculated_at=utc_now())
    )


def require_snapshot(connection: Connection, as_of: date | None) -> SnapshotRecord:
    """The snapshot for a date (the newest if none is given), or a message saying what exists."""
    from wmt.errors import NotFound

    record = find_snapshot(connection, as_of)
    if record is not None:
        return record
    if as_of is None:
        raise NotFound("There are no snapshots yet: import one with `wmt import`.")
    known = ", ".join(str(s.as_of) for s in list_snapshots(connection)[-5:])
    raise NotFound(f"There is no snapshot for {as_of}. Latest snapshots: {known or 'none'}.")
