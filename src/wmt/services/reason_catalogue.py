"""The reduction reasons as an administrator reads them, retired ones included."""

from __future__ import annotations

from wmt.services.reasons import ReasonRecord, list_reasons, reason_by_id
from wmt.store.transactions import Store


def every_reason(store: Store) -> list[ReasonRecord]:
    """Every reason, retired ones too, by category and then name."""
    with store.reading() as connection:
        return list_reasons(connection, include_retired=True)


def reason_numbered(store: Store, reason_id: int) -> ReasonRecord:
    """The reason with this number; NotFound if there is none."""
    with store.reading() as connection:
        return reason_by_id(connection, reason_id)
