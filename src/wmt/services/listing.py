"""Plain listings: snapshots and the reduction catalogue."""

from __future__ import annotations

from typing import Any

from wmt.domain.reductions import REDUCTION_REASONS
from wmt.store import snapshots
from wmt.store.transactions import Store


def snapshot_rows(store: Store) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    columns = ("as_of", "source_format", "source", "imported_at", "points_configuration_id")
    with store.reading() as connection:
        records = snapshots.list_snapshots(connection)
    rows = [
        {
            "as_of": record.as_of,
            "source_format": record.source_format,
            "source": record.source,
            "imported_at": record.imported_at.replace(microsecond=0),
            "points_configuration_id": record.points_configuration_id,
        }
        for record in records
    ]
    return columns, rows


def reason_rows() -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    columns = ("category", "reason", "allowance_percent", "maximum_percent", "months_to_expiry")
    rows = [
        {
            "category": reason.category.value,
            "reason": reason.name,
            "allowance_percent": reason.allowance_percent,
            "maximum_percent": reason.maximum_percent,
            "months_to_expiry": reason.months_to_expiry,
        }
        for reason in REDUCTION_REASONS
    ]
    return columns, rows
