"""What a manager sees of a practitioner's inputs: contracted hours and every reduction
(from the import and kept in wmt) on the newest snapshot, and the reasons to choose from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from wmt.domain import entries
from wmt.domain.reductions import (
    InForce,
    ReductionStatus,
    allowance_hours,
    months_after,
    reduction_status,
)
from wmt.errors import NotFound
from wmt.services.reasons import ReasonRecord, list_reasons
from wmt.store import schema
from wmt.store.snapshots import SnapshotRecord, require_snapshot
from wmt.store.transactions import Store


@dataclass(frozen=True)
class ReductionView:
    """A reduction as the practitioner's page lists it."""

    id: int | None  # the managed reduction's id; None for one from the import
    managed: bool
    reason: str
    hours: Decimal
    start_date: date
    end_date: date | None
    notes: str | None
    status: ReductionStatus
    version: int = 0
    changed_by: str | None = None
    changed_at: datetime | None = None
    staff_code: str | None = None  # whose it is: set for a reduction kept in wmt
    team_code: str | None = None


def _managed_view(row: Any, on: date) -> ReductionView:
    """A reduction kept in wmt, with its status on the date."""
    return ReductionView(
        row.id,
        True,
        row.reason,
        row.hours,
        row.start_date,
        row.end_date,
        row.notes,
        reduction_status(row.start_date, row.end_date, on),
        row.version,
        row.changed_by,
        row.changed_at,
        row.staff_code,
        row.team_code,
    )


@dataclass(frozen=True)
class OwnerInputs:
    """One owner's inputs in the newest snapshot, and what can be changed."""

    as_of: date
    staff_code: str
    team_code: str
    grade: str
    forename: str | None
    surname: str | None
    contracted_hours: Decimal  # as the engine used them (the grade's default if none known)
    imported_contracted_hours: Decimal | None
    managed_contracted_hours: Decimal | None
    hours_version: int  # 0: never set in wmt
    hours_changed_by: str | None
    reductions: list[ReductionView] = field(default_factory=list)

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.forename, self.surname) if part) or self.staff_code


def newest(connection: Connection) -> SnapshotRecord:
    return require_snapshot(connection, None)


def owner_inputs(store: Store, staff_code: str, team_code: str) -> OwnerInputs:
    """The owner's hours and every reduction (scheduled, active and past) on the newest date."""
    with store.reading() as connection:
        return read_owner_inputs(connection, staff_code, team_code)


def read_owner_inputs(connection: Connection, staff_code: str, team_code: str) -> OwnerInputs:
    record = newest(connection)
    staff = schema.table_of(schema.SnapshotStaff)
    owners = schema.table_of(schema.OwnerWorkload)
    hours = schema.table_of(schema.ManagedHours)
    row = connection.execute(
        select(
            staff.c.grade,
            staff.c.forename,
            staff.c.surname,
            staff.c.imported_contracted_hours,
            owners.c.contracted_hours,
        )
        .join(
            owners,
            (owners.c.snapshot_id == staff.c.snapshot_id)
            & (owners.c.staff_code == staff.c.staff_code)
            & (owners.c.team_code == staff.c.team_code),
        )
        .where(
            staff.c.snapshot_id == record.id,
            staff.c.staff_code == staff_code,
            staff.c.team_code == team_code,
        )
    ).first()
    if row is None:
        raise NotFound(
            f"There is no practitioner {staff_code!r} in team {team_code!r} "
            f"in the newest snapshot ({record.as_of})."
        )
    managed = connection.execute(
        select(hours).where(hours.c.staff_code == staff_code, hours.c.team_code == team_code)
    ).first()
    return OwnerInputs(
        as_of=record.as_of,
        staff_code=staff_code,
        team_code=team_code,
        grade=row.grade,
        forename=row.forename,
        surname=row.surname,
        contracted_hours=Decimal(row.contracted_hours),
        imported_contracted_hours=row.imported_contracted_hours,
        managed_contracted_hours=None if managed is None else managed.contracted_hours,
        hours_version=0 if managed is None else managed.version,
        hours_changed_by=None if managed is None else managed.changed_by,
        reductions=_reductions(connection, record, staff_code, team_code),
    )


def _reductions(
    connection: Connection, record: SnapshotRecord, staff_code: str, team_code: str
) -> list[ReductionView]:
    stored = schema.table_of(schema.SnapshotReduction)
    managed = schema.table_of(schema.ManagedReduction)
    imported = connection.execute(
        select(stored).where(
            stored.c.snapshot_id == record.id,
            stored.c.staff_code == staff_code,
            stored.c.team_code == team_code,
            stored.c.managed_reduction_id.is_(None),
        )
    ).all()
    kept = connection.execute(
        select(managed).where(managed.c.staff_code == staff_code, managed.c.team_code == team_code)
    ).all()
    on = record.as_of
    views = [
        ReductionView(
            None,
            False,
            row.reason,
            row.hours,
            row.start_date,
            row.end_date,
            row.notes,
            reduction_status(row.start_date, row.end_date, on, deleted=row.deleted),
        )
        for row in imported
    ] + [_managed_view(row, on) for row in kept]
    order = list(ReductionStatus)
    return sorted(views, key=lambda r: (order.index(r.status), r.start_date, r.reason))


def reasons(store: Store) -> list[ReasonRecord]:
    """The reasons a manager can choose from now."""
    with store.reading() as connection:
        return list_reasons(connection)


def suggested_entry(reason: ReasonRecord, contracted_hours: Decimal, start: date) -> dict[str, Any]:
    """What the form starts with for a reason: hours from its allowance, end from its expiry."""
    return {
        "hours": None
        if reason.allowance_percent is None
        else allowance_hours(contracted_hours, reason.allowance_percent),
        "end_date": None
        if reason.months_to_expiry is None
        else months_after(start, reason.months_to_expiry),
    }


def in_force(inputs: OwnerInputs, *, leaving_out: int | None = None) -> list[InForce]:
    """The owner's reductions that count on their dates: from the import and kept in wmt,
    deleted ones aside (and the one being changed, if any)."""
    return [
        InForce(r.reason, r.hours, r.start_date, r.end_date)
        for r in inputs.reductions
        if r.status is not ReductionStatus.DELETED and (r.id is None or r.id != leaving_out)
    ]


def managed_reduction(connection: Connection, reduction_id: int) -> Any:
    if not 1 <= reduction_id <= entries.LARGEST_WHOLE_NUMBER:
        return None  # no such id can be stored; asking would overflow the column
    table = schema.table_of(schema.ManagedReduction)
    return connection.execute(select(table).where(table.c.id == reduction_id)).first()


def find_reduction(store: Store, reduction_id: int) -> ReductionView | None:
    """A reduction kept in wmt, with whose it is and its status in the newest snapshot."""
    with store.reading() as connection:
        row = managed_reduction(connection, reduction_id)
        return None if row is None else _managed_view(row, newest(connection).as_of)


def capacity_now(store: Store, staff_code: str, team_code: str) -> Decimal | None:
    """The owner's capacity % in the newest snapshot, as a change has just left it."""
    owners = schema.table_of(schema.OwnerWorkload)
    with store.reading() as connection:
        record = newest(connection)
        found = connection.execute(
            select(owners.c.capacity_percent).where(
                owners.c.snapshot_id == record.id,
                owners.c.staff_code == staff_code,
                owners.c.team_code == team_code,
            )
        ).scalar()
    return None if found is None else Decimal(found)
