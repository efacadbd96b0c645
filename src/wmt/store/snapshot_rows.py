"""A stored snapshot's rows read as frames for the engine: reductions, caseload breakdowns
and owners' results over a run of snapshots, within a unit or for one practitioner.

The store only reads here; which rows count and what they add up to is the engine's.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import Connection, Select, Table, select

from wmt.engine.tables import CASELOAD_SCHEMA, REDUCTIONS_SCHEMA
from wmt.store import schema
from wmt.store.frames import read_frame, stored_types, to_hundredths, to_tenths

# The reductions as stored: the engine's columns, with the hours as exact decimals.
REDUCTION_COLUMNS = stored_types(REDUCTIONS_SCHEMA)


def _within(
    query: Select[Any], table: Table, teams: list[str] | None, staff_code: str | None
) -> Select[Any]:
    """Only the rows of owners in the teams (None: every team) or of one practitioner."""
    if teams is not None:
        query = query.where(table.c.team_code.in_(teams))
    if staff_code is not None:
        query = query.where(table.c.staff_code == staff_code)
    return query


def reductions_of(
    connection: Connection,
    snapshot_id: int,
    *,
    teams: list[str] | None = None,
    staff_code: str | None = None,
) -> pl.DataFrame:
    """Every reduction stored with the snapshot (imported and kept in wmt), hours as decimals."""
    table = schema.table_of(schema.SnapshotReduction)
    query = select(*(table.c[name] for name in REDUCTION_COLUMNS)).where(
        table.c.snapshot_id == snapshot_id
    )
    return read_frame(connection, _within(query, table, teams, staff_code), REDUCTION_COLUMNS)


def caseload_of(
    connection: Connection,
    snapshot_id: int,
    *,
    teams: list[str] | None = None,
    staff_code: str | None = None,
) -> pl.DataFrame:
    """The stored caseload breakdown: per owner, case type and T2A, a count per tier."""
    table = schema.table_of(schema.OwnerCaseload)
    query = select(*(table.c[name] for name in CASELOAD_SCHEMA)).where(
        table.c.snapshot_id == snapshot_id
    )
    return read_frame(connection, _within(query, table, teams, staff_code), CASELOAD_SCHEMA)


def owner_history(
    connection: Connection,
    snapshot_ids: list[int],
    *,
    teams: list[str] | None = None,
    staff_code: str | None = None,
) -> pl.DataFrame:
    """Owners' stored figures in the snapshots, hours in hundredths and capacity in tenths."""
    table = schema.table_of(schema.OwnerWorkload)
    types = {
        "snapshot_id": pl.Int64,
        "staff_code": pl.String,
        "team_code": pl.String,
        "grade": pl.String,
        "caseload": pl.Int64,
        "contracted_hours": pl.Decimal(18, 2),
        "available_points": pl.Int64,
        "capacity_percent": pl.Decimal(18, 1),
    }
    query = select(*(table.c[name] for name in types)).where(table.c.snapshot_id.in_(snapshot_ids))
    frame = read_frame(connection, _within(query, table, teams, staff_code), types)
    return frame.with_columns(
        to_hundredths("contracted_hours", "contracted_hours_centi"),
        to_tenths("capacity_percent", "capacity_tenths"),
    ).drop("contracted_hours", "capacity_percent")
