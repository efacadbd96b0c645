"""Writing the contracted hours and reductions managers keep in wmt, each with its version.

Every write names the version the manager opened and changes nothing if the record has moved
on since; the caller learns so from the answer (False) and tells the manager. The caller owns
the transaction, so a write stands or falls with its audit event and recalculation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from wmt.domain import entries
from wmt.domain.clock import utc_now
from wmt.domain.hours_rules import ReductionEntry
from wmt.store import schema


@dataclass(frozen=True)
class ManagedReduction:
    """A reduction kept in wmt, as stored."""

    id: int
    staff_code: str
    team_code: str
    reason: str
    hours: Decimal
    start_date: date
    end_date: date | None
    notes: str | None
    version: int
    changed_at: datetime
    changed_by: str

    def as_record(self) -> dict[str, Any]:
        """What the audit log keeps of it."""
        return ReductionEntry(
            self.reason, self.hours, self.start_date, self.end_date, self.notes
        ).as_record()


@dataclass(frozen=True)
class ManagedHours:
    """Contracted hours set in wmt for one owner, as stored."""

    contracted_hours: Decimal
    version: int
    changed_by: str


def _reductions() -> Any:
    return schema.table_of(schema.ManagedReduction)


def _hours() -> Any:
    return schema.table_of(schema.ManagedHours)


def read_reduction(connection: Connection, reduction_id: int) -> ManagedReduction | None:
    """The reduction kept in wmt with this id, if there is one."""
    if not 1 <= reduction_id <= entries.LARGEST_WHOLE_NUMBER:
        return None  # no such id can be stored; asking would overflow the column
    table = _reductions()
    row = connection.execute(select(table).where(table.c.id == reduction_id)).first()
    return None if row is None else ManagedReduction(**row._mapping)


def owner_reductions(
    connection: Connection, staff_code: str, team_code: str
) -> list[ManagedReduction]:
    """Every reduction kept in wmt for the owner."""
    table = _reductions()
    rows = connection.execute(
        select(table).where(table.c.staff_code == staff_code, table.c.team_code == team_code)
    ).all()
    return [ManagedReduction(**row._mapping) for row in rows]


def insert_reduction(
    connection: Connection, staff_code: str, team_code: str, entry: ReductionEntry, username: str
) -> int:
    """Keep a new reduction for the owner, at version 1. Returns its id."""
    table = _reductions()
    new_id = connection.execute(
        insert(table).returning(table.c.id),
        {
            "staff_code": staff_code,
            "team_code": team_code,
            **entry.as_record(),
            "version": 1,
            "changed_at": utc_now(),
            "changed_by": username,
        },
    ).scalar_one()
    return int(new_id)


def update_reduction(
    connection: Connection, reduction_id: int, version: int, entry: ReductionEntry, username: str
) -> bool:
    """Replace the reduction with the entry if it is still at the version; whether it was."""
    table = _reductions()
    changed = connection.execute(
        update(table)
        .where(table.c.id == reduction_id, table.c.version == version)
        .values(**entry.as_record(), version=version + 1, changed_at=utc_now(), changed_by=username)
    ).rowcount
    return bool(changed == 1)


def delete_reduction(connection: Connection, reduction_id: int, version: int) -> bool:
    """Delete the reduction if it is still at the version; whether it was."""
    table = _reductions()
    deleted = connection.execute(
        delete(table).where(table.c.id == reduction_id, table.c.version == version)
    ).rowcount
    return bool(deleted == 1)


def read_hours(connection: Connection, staff_code: str, team_code: str) -> ManagedHours | None:
    """The contracted hours set in wmt for the owner, if any have been."""
    table = _hours()
    row = connection.execute(
        select(table).where(table.c.staff_code == staff_code, table.c.team_code == team_code)
    ).first()
    if row is None:
        return None
    return ManagedHours(row.contracted_hours, row.version, row.changed_by)


def write_hours(
    connection: Connection,
    staff_code: str,
    team_code: str,
    hours: Decimal,
    version: int,
    username: str,
) -> bool:
    """Set the owner's contracted hours if they are still at the version (0: never set);
    whether they were. Two managers setting them for the first time at once: one wins."""
    table = _hours()
    values = {"contracted_hours": hours, "changed_at": utc_now(), "changed_by": username}
    if version == 0:
        try:
            with connection.begin_nested():
                connection.execute(
                    insert(table).values(
                        staff_code=staff_code, team_code=team_code, version=1, **values
                    )
                )
        except IntegrityError:
            return False
        return True
    changed = connection.execute(
        update(table)
        .where(
            table.c.staff_code == staff_code,
            table.c.team_code == team_code,
            table.c.version == version,
        )
        .values(version=version + 1, **values)
    ).rowcount
    return bool(changed == 1)


@dataclass(frozen=True)
class OwnerFigures:
    """One owner's figures in a snapshot, as the engine stored them."""

    as_of: date
    contracted_hours: Decimal
    reduction_hours: Decimal
    hours_available: Decimal
    total_points: int
    available_points: int
    remaining_points: int
    capacity_percent: Decimal


def read_owner_figures(
    connection: Connection, snapshot_id: int, as_of: date, staff_code: str, team_code: str
) -> OwnerFigures | None:
    """The owner's stored figures in the snapshot, if they have any there."""
    owners = schema.table_of(schema.OwnerWorkload)
    row = connection.execute(
        select(owners).where(
            owners.c.snapshot_id == snapshot_id,
            owners.c.staff_code == staff_code,
            owners.c.team_code == team_code,
        )
    ).first()
    if row is None:
        return None
    return OwnerFigures(
        as_of=as_of,
        contracted_hours=Decimal(row.contracted_hours),
        reduction_hours=Decimal(row.reduction_hours),
        hours_available=Decimal(row.hours_available),
        total_points=int(row.total_points),
        available_points=int(row.available_points),
        remaining_points=int(row.remaining_points),
        capacity_percent=Decimal(row.capacity_percent),
    )
