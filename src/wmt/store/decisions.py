"""Allocation decisions as the store keeps them: appended, never changed, and settled by the
imports that confirm or contradict them; and the one case a decision moves, read and
written back in a snapshot."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, and_, delete, insert, or_, select, update

from wmt.engine.decisions import OUTCOMES_SCHEMA, PENDING_DECISIONS_SCHEMA, Outcome
from wmt.engine.tables import CASES_SCHEMA, CONTACTS_SCHEMA, SnapshotTables
from wmt.store import schema
from wmt.store.frames import insert_frame, read_frame

DECISIONS = schema.table_of(schema.AllocationDecision)
_CASES = schema.table_of(schema.SnapshotCase)
_CONTACTS = schema.table_of(schema.SnapshotContact)
STORED_CASE_SCHEMA = pl.Schema([*CASES_SCHEMA.items(), ("allocation_decision_id", pl.Int64())])


def _unsettled_on(on: date) -> Any:
    """Not yet settled by an import of the date or before it."""
    return and_(
        or_(DECISIONS.c.confirmed_on.is_(None), DECISIONS.c.confirmed_on > on),
        or_(DECISIONS.c.contradicted_on.is_(None), DECISIONS.c.contradicted_on > on),
    )


def pending_decisions(connection: Connection, on: date) -> pl.DataFrame:
    """The decisions made on or before the date that no import of the date or before it has
    settled, as the engine lays them (`engine/decisions.py`)."""
    query = select(*(DECISIONS.c[name] for name in PENDING_DECISIONS_SCHEMA)).where(
        DECISIONS.c.as_of <= on, _unsettled_on(on)
    )
    return read_frame(connection, query, PENDING_DECISIONS_SCHEMA)


def append_decision(connection: Connection, decision: Mapping[str, Any]) -> int:
    """Write a new decision (its columns by name, unsettled); its id."""
    fields = {**decision, "confirmed_on": None, "contradicted_on": None}
    return int(connection.execute(insert(DECISIONS).returning(DECISIONS.c.id), fields).scalar_one())


def mark_outcomes(connection: Connection, outcomes: pl.DataFrame, on: date) -> None:
    """Settle the decisions an import of the date confirmed or contradicted (the earliest
    import to settle one is the one it keeps)."""
    settled = outcomes.cast(OUTCOMES_SCHEMA)
    for outcome, column, other in (
        (Outcome.CONFIRMED, "confirmed_on", "contradicted_on"),
        (Outcome.CONTRADICTED, "contradicted_on", "confirmed_on"),
    ):
        ids = settled.filter(pl.col("outcome") == outcome.value)["id"].to_list()
        if ids:
            connection.execute(
                update(DECISIONS)
                .where(DECISIONS.c.id.in_(ids), _unsettled_on(on))
                .values({column: on, other: None})
            )


def latest_decision(connection: Connection, crn: str) -> Any | None:
    """The newest decision about a case, if any (its row)."""
    return connection.execute(
        select(DECISIONS).where(DECISIONS.c.crn == crn).order_by(DECISIONS.c.id.desc()).limit(1)
    ).first()


def case_tables(connection: Connection, snapshot_id: int, crn: str) -> SnapshotTables:
    """The one case of a snapshot, and the contacts on it, as the engine's tables (empty if
    the snapshot has no such case)."""
    cases = read_frame(
        connection,
        select(*(_CASES.c[name] for name in STORED_CASE_SCHEMA)).where(
            _CASES.c.snapshot_id == snapshot_id, _CASES.c.crn == crn
        ),
        STORED_CASE_SCHEMA,
    )
    contacts = read_frame(
        connection,
        select(*(_CONTACTS.c[name] for name in CONTACTS_SCHEMA)).where(
            _CONTACTS.c.snapshot_id == snapshot_id, _CONTACTS.c.crn == crn
        ),
        CONTACTS_SCHEMA,
    )
    empty = SnapshotTables.from_frames()
    return SnapshotTables(
        units=empty.units,
        staff=empty.staff,
        cases=cases,
        reports=empty.reports,
        contacts=contacts,
        reductions=empty.reductions,
    )


def replace_case(
    connection: Connection, snapshot_id: int, crn: str, tables: SnapshotTables
) -> None:
    """Store the case and its contacts as the tables give them, in place of the snapshot's."""
    for table, frame in ((_CASES, tables.cases), (_CONTACTS, tables.contacts)):
        connection.execute(
            delete(table).where(table.c.snapshot_id == snapshot_id, table.c.crn == crn)
        )
        rows = frame.filter(pl.col("crn") == crn).with_columns(
            snapshot_id=pl.lit(snapshot_id, pl.Int64)
        )
        insert_frame(connection, table, rows)


def decisions_since(
    connection: Connection,
    since: datetime,
    *,
    teams: list[str] | None = None,
    staff_code: str | None = None,
) -> list[Any]:
    """The decisions made since the time, newest first: about cases moved to or from the
    teams (None: any), or to or from one practitioner."""
    query = select(DECISIONS).where(DECISIONS.c.decided_at >= since)
    if teams is not None:
        query = query.where(
            or_(DECISIONS.c.to_team_code.in_(teams), DECISIONS.c.from_team_code.in_(teams))
        )
    if staff_code is not None:
        query = query.where(
            or_(DECISIONS.c.to_staff_code == staff_code, DECISIONS.c.from_staff_code == staff_code)
        )
    return list(
        connection.execute(query.order_by(DECISIONS.c.decided_at.desc(), DECISIONS.c.id.desc()))
    )
