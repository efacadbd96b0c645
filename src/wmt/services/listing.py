"""Tables the services give, and the plain listings: snapshots and the reduction catalogue."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, select

from wmt.domain.reductions import REDUCTION_REASONS
from wmt.store import schema, snapshots
from wmt.store.transactions import Store

Record = TypeVar("Record")


@dataclass(frozen=True)
class Table(Generic[Record]):
    """Records of one kind, and the columns a page, a file or a terminal shows, in order."""

    columns: tuple[str, ...]
    rows: list[Record]


@dataclass(frozen=True)
class Listing(Table[Record], Generic[Record]):
    """Records found on one snapshot's date."""

    as_of: date


def field_names(record: Any) -> tuple[str, ...]:
    """The fields of a frozen dataclass, in order: the columns to read it from."""
    return tuple(field.name for field in fields(record))


def records(
    connection: Connection, kind: type[Record], model: type[schema.Base], where: Any, *order: Any
) -> list[Record]:
    """The stored rows that meet the condition, in order, each read as a record of the kind
    (a frozen dataclass whose fields are columns of the model's table)."""
    table = schema.table_of(model)
    query = select(*(table.c[name] for name in field_names(kind))).where(where).order_by(*order)
    return [kind(**row._mapping) for row in connection.execute(query)]


@dataclass(frozen=True)
class SnapshotEntry:
    as_of: date
    source_format: str
    source: str
    imported_at: datetime
    points_configuration_id: int


@dataclass(frozen=True)
class ReasonEntry:
    category: str
    reason: str
    allowance_percent: int | None
    maximum_percent: int | None
    months_to_expiry: int | None


def snapshot_rows(store: Store) -> Table[SnapshotEntry]:
    with store.reading() as connection:
        records = snapshots.list_snapshots(connection)
    rows = [
        SnapshotEntry(
            as_of=record.as_of,
            source_format=record.source_format,
            source=record.source,
            imported_at=record.imported_at.replace(microsecond=0),
            points_configuration_id=record.points_configuration_id,
        )
        for record in records
    ]
    return Table(field_names(SnapshotEntry), rows)


def reason_rows() -> Table[ReasonEntry]:
    rows = [
        ReasonEntry(
            category=reason.category.value,
            reason=reason.name,
            allowance_percent=reason.allowance_percent,
            maximum_percent=reason.maximum_percent,
            months_to_expiry=reason.months_to_expiry,
        )
        for reason in REDUCTION_REASONS
    ]
    return Table(field_names(ReasonEntry), rows)
