"""What a manager sees of a practitioner's inputs: contracted hours and every reduction
(from the import and kept in wmt) on the newest snapshot, and the reasons to choose from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Connection, select

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
from wmt.store.managed_inputs import (
    ManagedReduction,
    owner_reductions,
    read_hours,
    read_reduction,
)
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


def managed_view(kept: ManagedReduction, on: date) -> ReductionView:
    """A reduction kept in wmt, with its status on the date."""
    status = reduction_status(kept.start_date, kept.end_date, on)
    return ReductionView(**asdict(kept), managed=True, status=status)


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


def read_owner_inputs(
    connection: Connection, staff_code: str, team_code: str, record: SnapshotRecord | None = None
) -> OwnerInputs:
    """The owner's inputs in the newest snapshot (its record, if the caller has read it)."""
    record = newest(connection) if record is None else record
    staff = schema.table_of(schema.SnapshotStaff)
    owners = schema.table_of(schema.OwnerWorkload)
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
    managed = read_hours(connection, staff_code, team_code)
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
    imported = connection.execute(
        select(stored).where(
            stored.c.snapshot_id == record.id,
            stored.c.staff_code == staff_code,
            stored.c.team_code == team_code,
            stored.c.managed_reduction_id.is_(None),
        )
    ).all()
    on = record.as_of
    views = [
        ReductionView(
            id=None,
            managed=False,
            reason=row.reason,
            hours=row.hours,
            start_date=row.start_date,
            end_date=row.end_date,
            notes=row.notes,
            status=reduction_status(row.start_date, row.end_date, on, deleted=row.deleted),
        )
        for row in imported
    ] + [managed_view(kept, on) for kept in owner_reductions(connection, staff_code, team_code)]
    order = list(ReductionStatus)
    return sorted(views, key=lambda r: (order.index(r.status), r.start_date, r.reason))


def reasons(store: Store) -> list[ReasonRecord]:
    """The reasons a manager can choose from now."""
    with store.reading() as connection:
        return list_reasons(connection)


@dataclass(frozen=True)
class SuggestedEntry:
    """What the form starts with for a reason: hours from its allowance, end from its expiry."""

    hours: Decimal | None
    end_date: date | None


def suggested_entry(reason: ReasonRecord, contracted_hours: Decimal, start: date) -> SuggestedEntry:
    """What the form starts with for a reason: hours from its allowance, end from its expiry."""
    return SuggestedEntry(
        hours=None
        if reason.allowance_percent is None
        else allowance_hours(contracted_hours, reason.allowance_percent),
        end_date=None
        if reason.months_to_expiry is None
        else months_after(start, reason.months_to_expiry),
    )


def in_force(inputs: OwnerInputs, *, leaving_out: int | None = None) -> list[InForce]:
    """The owner's reductions that count on their dates: from the import and kept in wmt,
    deleted ones aside (and the one being changed, if any)."""
    return [
        InForce(r.reason, r.hours, r.start_date, r.end_date)
        for r in inputs.reductions
        if r.status is not ReductionStatus.DELETED and (r.id is None or r.id != leaving_out)
    ]


def find_reduction(store: Store, reduction_id: int) -> ReductionView | None:
    """A reduction kept in wmt, with whose it is and its status in the newest snapshot."""
    with store.reading() as connection:
        return read_reduction_view(connection, reduction_id)


def read_reduction_view(
    connection: Connection, reduction_id: int, on: date | None = None
) -> ReductionView | None:
    """A reduction kept in wmt, with its status on the date (the newest snapshot's if none)."""
    kept = read_reduction(connection, reduction_id)
    if kept is None:
        return None
    return managed_view(kept, on or newest(connection).as_of)
