"""Versions of the eligibility rules, each in force from its effective date."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, insert, select, update

from wmt.domain.clock import utc_now
from wmt.domain.eligibility import (
    EligibilityRules,
    default_eligibility_rules,
    from_document,
    to_document,
)
from wmt.store.points_versions import REFERENCE_EFFECTIVE_FROM
from wmt.store.schema import EligibilityVersion, table_of

REFERENCE_SOURCE = "reference"


@dataclass(frozen=True)
class RulesVersion:
    """One version of the rules: None for `id` and `created_at` if it is the reference
    defaults, not read from the store."""

    id: int | None
    effective_from: date
    rules: EligibilityRules
    created_at: datetime | None
    source: str | None
    created_by: str | None


REFERENCE = RulesVersion(
    None, REFERENCE_EFFECTIVE_FROM, default_eligibility_rules(), None, REFERENCE_SOURCE, None
)


def _versions() -> Table:
    return table_of(EligibilityVersion)


def save_version(
    connection: Connection,
    rules: EligibilityRules,
    effective_from: date,
    *,
    source: str | None,
    created_by: str | None,
) -> int:
    """Add a version, or replace the one with the same effective date; its id."""
    table = _versions()
    values = {
        "document": json.dumps(to_document(rules), sort_keys=True),
        "created_at": utc_now(),
        "source": source,
        "created_by": created_by,
    }
    existing = connection.execute(
        select(table.c.id).where(table.c.effective_from == effective_from)
    ).scalar()
    if existing is not None:
        connection.execute(update(table).where(table.c.id == existing).values(**values))
        return int(existing)
    inserted = connection.execute(
        insert(table).returning(table.c.id), {"effective_from": effective_from, **values}
    )
    return int(inserted.scalar_one())


def store_reference(connection: Connection) -> int:
    """Store the reference defaults, in force from REFERENCE_EFFECTIVE_FROM."""
    return save_version(
        connection,
        REFERENCE.rules,
        REFERENCE.effective_from,
        source=REFERENCE_SOURCE,
        created_by=None,
    )


def _to_version(row: Any) -> RulesVersion:
    rules = from_document(json.loads(row.document), source=f"eligibility version {row.id}")
    return RulesVersion(
        row.id, row.effective_from, rules, row.created_at, row.source, row.created_by
    )


def version_in_force(connection: Connection, on: date) -> RulesVersion:
    """The newest version effective on or before the date; the reference defaults if none is."""
    table = _versions()
    row = connection.execute(
        select(table).where(table.c.effective_from <= on).order_by(table.c.effective_from.desc())
    ).first()
    return REFERENCE if row is None else _to_version(row)


def rules_in_force(connection: Connection, on: date) -> EligibilityRules:
    """The rules in force on a date: who may be given which case then."""
    return version_in_force(connection, on).rules


def version_by_id(connection: Connection, version_id: int) -> RulesVersion | None:
    table = _versions()
    row = connection.execute(select(table).where(table.c.id == version_id)).first()
    return None if row is None else _to_version(row)


def list_versions(connection: Connection) -> list[RulesVersion]:
    """Every stored version, the newest effective date first."""
    table = _versions()
    rows = connection.execute(select(table).order_by(table.c.effective_from.desc())).all()
    return [_to_version(row) for row in rows]
