"""Reduction reasons as administrators keep them in the store."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from wmt.store import schema


@dataclass(frozen=True)
class ReasonRecord:
    id: int
    name: str
    category: str
    allowance_percent: int | None
    maximum_percent: int | None
    months_to_expiry: int | None
    active: bool
    version: int


def list_reasons(connection: Connection, *, include_retired: bool = False) -> list[ReasonRecord]:
    """The reasons in the order managers see them: by category, then name."""
    table = schema.table_of(schema.ReductionReasonRecord)
    query = select(table).order_by(table.c.category, table.c.name)
    if not include_retired:
        query = query.where(table.c.active.is_(True))
    return [
        ReasonRecord(
            row.id,
            row.name,
            row.category,
            row.allowance_percent,
            row.maximum_percent,
            row.months_to_expiry,
            row.active,
            row.version,
        )
        for row in connection.execute(query)
    ]


def find_reason(connection: Connection, name: str) -> ReasonRecord | None:
    """The reason with this name (retired ones included), matched case-insensitively."""
    wanted = name.strip().lower()
    for reason in list_reasons(connection, include_retired=True):
        if reason.name.lower() == wanted:
            return reason
    return None
