"""Versions of the points configuration, each in force from its effective date."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert, select, update

from wmt.domain.clock import utc_now
from wmt.domain.points import PointsConfiguration, default_points_configuration, to_document
from wmt.domain.points_document import from_document
from wmt.store.schema import PointsConfigurationVersion

# The reference configuration is in force from this date until someone loads another.
REFERENCE_EFFECTIVE_FROM = date(2000, 1, 1)


@dataclass(frozen=True)
class PointsVersion:
    id: int
    effective_from: date
    configuration: PointsConfiguration
    source: str | None


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot store {value!r}")


def save_version(
    connection: Connection, config: PointsConfiguration, effective_from: date, source: str | None
) -> int:
    """Add a version, or replace the one with the same effective date."""
    table = PointsConfigurationVersion.__table__
    document = json.dumps(to_document(config), default=_json_default, sort_keys=True)
    existing = connection.execute(
        select(table.c.id).where(table.c.effective_from == effective_from)
    ).scalar()
    values = {"document": document, "created_at": utc_now(), "source": source}
    if existing is not None:
        connection.execute(
            update(PointsConfigurationVersion)
            .where(PointsConfigurationVersion.id == existing)
            .values(**values)
        )
        return int(existing)
    inserted = connection.execute(
        insert(PointsConfigurationVersion).returning(PointsConfigurationVersion.id),
        {"effective_from": effective_from, **values},
    )
    return int(inserted.scalar_one())


def _to_version(row: Any) -> PointsVersion:
    document = json.loads(row.document, parse_float=Decimal)
    return PointsVersion(row.id, row.effective_from, from_document(document), row.source)


def version_in_force(connection: Connection, on: date) -> PointsVersion:
    """The version in force on a date; the earliest one for a date before any.

    The reference configuration is stored by a migration, so reading never writes; it is
    stored here only if the table is somehow empty.
    """
    table = PointsConfigurationVersion.__table__
    row = (
        connection.execute(
            select(table)
            .where(table.c.effective_from <= on)
            .order_by(table.c.effective_from.desc())
        ).first()
        or connection.execute(select(table).order_by(table.c.effective_from)).first()
    )
    if row is None:
        reference = default_points_configuration()
        version_id = save_version(connection, reference, REFERENCE_EFFECTIVE_FROM, "reference")
        return PointsVersion(version_id, REFERENCE_EFFECTIVE_FROM, reference, "reference")
    return _to_version(row)


def version_by_id(connection: Connection, version_id: int) -> PointsVersion:
    table = PointsConfigurationVersion.__table__
    return _to_version(connection.execute(select(table).where(table.c.id == version_id)).one())


def list_versions(connection: Connection) -> list[PointsVersion]:
    table = PointsConfigurationVersion.__table__
    rows = connection.execute(select(table).order_by(table.c.effective_from)).all()
    return [_to_version(row) for row in rows]
