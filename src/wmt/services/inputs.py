"""Managing a practitioner's inputs: contracted hours and reductions, kept in wmt.

Each change is one transaction: check the input, make the change only if nobody else has
changed the record since the manager opened it, write the audit event, lay the managed inputs
over the newest snapshot and recalculate it with the one engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from wmt.domain.reductions import ReductionStatus, allowance_hours, months_after, reduction_status
from wmt.errors import NotFound, WmtError
from wmt.services.audit import record_change
from wmt.services.importing import recalculate_owner
from wmt.services.reasons import ReasonRecord, find_reason, list_reasons
from wmt.store import schema
from wmt.store.managed import refresh_owner
from wmt.store.snapshots import SnapshotRecord, require_snapshot
from wmt.store.transactions import Store

MAX_CONTRACTED_HOURS = Decimal("48")  # the weekly working-time limit
_HUNDREDTH = Decimal("0.01")


class InvalidInput(WmtError):
    """What was entered breaks a rule; `errors` maps each form field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(errors.values()))


class EditConflict(WmtError):
    """Someone else changed the record after it was opened: nothing was saved."""


@dataclass(frozen=True)
class ReductionEntry:
    """A reduction as a manager enters it."""

    reason: str
    hours: Decimal
    start_date: date
    end_date: date | None
    notes: str | None = None

    def as_record(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "hours": self.hours,
            "start_date": self.start_date,
            "end_date": self.end_date,
            "notes": self.notes,
        }


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


def parse_hours(text: str, field_name: str, label: str) -> Decimal:
    """Hours typed by a person: a number with at most two decimal places."""
    try:
        hours = Decimal(text.strip())
    except InvalidOperation:
        raise InvalidInput({field_name: f"Enter {label} as a number, like 7.5"}) from None
    if not hours.is_finite() or hours != hours.quantize(_HUNDREDTH):
        raise InvalidInput({field_name: f"Enter {label} with at most 2 decimal places"})
    return hours.quantize(_HUNDREDTH)


def _newest(connection: Connection) -> SnapshotRecord:
    return require_snapshot(connection, None)


def owner_inputs(store: Store, staff_code: str, team_code: str) -> OwnerInputs:
    """The owner's hours and every reduction (scheduled, active and past) on the newest date."""
    with store.reading() as connection:
        return _owner_inputs(connection, staff_code, team_code)


def _owner_inputs(connection: Connection, staff_code: str, team_code: str) -> OwnerInputs:
    record = _newest(connection)
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


def check_entry(
    entry: ReductionEntry, reason: ReasonRecord | None, contracted_hours: Decimal
) -> dict[str, str]:
    """Every rule the entry breaks, by form field."""
    errors: dict[str, str] = {}
    if reason is None:
        errors["reason"] = "Select a reason from the list"
    if entry.hours <= 0:
        errors["hours"] = "Enter hours greater than 0"
    elif entry.hours > contracted_hours:
        errors["hours"] = f"Hours cannot be more than the {contracted_hours} contracted hours"
    elif reason is not None and reason.maximum_percent is not None:
        ceiling = allowance_hours(contracted_hours, reason.maximum_percent)
        if entry.hours > ceiling:
            errors["hours"] = (
                f"{reason.name} can be at most {reason.maximum_percent} % of contracted hours: "
                f"{ceiling} hours"
            )
    if entry.end_date is not None and entry.end_date < entry.start_date:
        errors["end_date"] = "The end date must be the same as or after the start date"
    if entry.notes is not None and len(entry.notes) > 1000:
        errors["notes"] = "Notes must be 1,000 characters or fewer"
    return errors


def _record_of(row: Any) -> dict[str, Any]:
    return {
        "reason": row.reason,
        "hours": row.hours,
        "start_date": row.start_date,
        "end_date": row.end_date,
        "notes": row.notes,
    }


def _apply(connection: Connection, staff_code: str, team_code: str) -> None:
    """Bring the newest snapshot up to date for the owner and recalculate it."""
    record = _newest(connection)
    refresh_owner(connection, record.id, staff_code, team_code)
    recalculate_owner(connection, record, (staff_code, team_code))


def _validated(
    connection: Connection, entry: ReductionEntry, staff_code: str, team_code: str, *, adding: bool
) -> OwnerInputs:
    inputs = _owner_inputs(connection, staff_code, team_code)
    reason = find_reason(connection, entry.reason)
    if reason is not None and adding and not reason.active:
        reason = None
    errors = check_entry(entry, reason, inputs.contracted_hours)
    if errors:
        raise InvalidInput(errors)
    return inputs


def add_reduction(
    store: Store, username: str, staff_code: str, team_code: str, entry: ReductionEntry
) -> int:
    """Add a reduction for the owner. Returns its id."""
    table = schema.table_of(schema.ManagedReduction)
    with store.changing_snapshots() as connection:
        _validated(connection, entry, staff_code, team_code, adding=True)
        reduction_id = connection.execute(
            insert(table).returning(table.c.id),
            {
                "staff_code": staff_code,
                "team_code": team_code,
                **entry.as_record(),
                "version": 1,
                "changed_at": datetime.now(),
                "changed_by": username,
            },
        ).scalar_one()
        record_change(
            connection,
            username=username,
            action="reduction added",
            subject=f"reduction {reduction_id}",
            before=None,
            after=entry.as_record(),
            staff_code=staff_code,
            team_code=team_code,
        )
        _apply(connection, staff_code, team_code)
    return int(reduction_id)


def _managed_reduction(connection: Connection, reduction_id: int) -> Any:
    table = schema.table_of(schema.ManagedReduction)
    return connection.execute(select(table).where(table.c.id == reduction_id)).first()


def find_reduction(store: Store, reduction_id: int) -> ReductionView | None:
    """A reduction kept in wmt, with whose it is and its status in the newest snapshot."""
    with store.reading() as connection:
        row = _managed_reduction(connection, reduction_id)
        return None if row is None else _managed_view(row, _newest(connection).as_of)


def capacity_now(store: Store, staff_code: str, team_code: str) -> Decimal | None:
    """The owner's capacity % in the newest snapshot, as a change has just left it."""
    owners = schema.table_of(schema.OwnerWorkload)
    with store.reading() as connection:
        record = _newest(connection)
        found = connection.execute(
            select(owners.c.capacity_percent).where(
                owners.c.snapshot_id == record.id,
                owners.c.staff_code == staff_code,
                owners.c.team_code == team_code,
            )
        ).scalar()
    return None if found is None else Decimal(found)


def _conflict(connection: Connection, reduction_id: int, what: str) -> EditConflict:
    row = _managed_reduction(connection, reduction_id)
    if row is None:
        return EditConflict(
            f"This reduction was deleted by someone else after you opened it. "
            f"Your {what} was not saved."
        )
    when = row.changed_at.strftime("%d %B %Y at %H:%M")
    return EditConflict(
        f"{row.changed_by} changed this reduction on {when}, after you opened it. "
        f"Your {what} was not saved: check the reduction as it is now and make your "
        f"change again."
    )


def _opened(connection: Connection, reduction_id: int, version: int, what: str) -> Any:
    """The reduction, if it is still the version the manager opened; EditConflict if not."""
    row = _managed_reduction(connection, reduction_id)
    if row is None or row.version != version:
        raise _conflict(connection, reduction_id, what)
    return row


def change_reduction(
    store: Store, username: str, reduction_id: int, version: int, entry: ReductionEntry
) -> None:
    """Change a reduction, if it is still the version the manager opened."""
    table = schema.table_of(schema.ManagedReduction)
    with store.changing_snapshots() as connection:
        row = _opened(connection, reduction_id, version, "change")
        _validated(connection, entry, row.staff_code, row.team_code, adding=False)
        changed = connection.execute(
            update(table)
            .where(table.c.id == reduction_id, table.c.version == version)
            .values(
                **entry.as_record(),
                version=version + 1,
                changed_at=datetime.now(),
                changed_by=username,
            )
        ).rowcount
        if changed != 1:
            raise _conflict(connection, reduction_id, "change")
        record_change(
            connection,
            username=username,
            action="reduction changed",
            subject=f"reduction {reduction_id}",
            before=_record_of(row),
            after=entry.as_record(),
            staff_code=row.staff_code,
            team_code=row.team_code,
        )
        _apply(connection, row.staff_code, row.team_code)


def delete_reduction(store: Store, username: str, reduction_id: int, version: int) -> None:
    """Delete a reduction, if it is still the version the manager opened."""
    table = schema.table_of(schema.ManagedReduction)
    with store.changing_snapshots() as connection:
        row = _opened(connection, reduction_id, version, "deletion")
        deleted = connection.execute(
            delete(table).where(table.c.id == reduction_id, table.c.version == version)
        ).rowcount
        if deleted != 1:
            raise _conflict(connection, reduction_id, "deletion")
        record_change(
            connection,
            username=username,
            action="reduction deleted",
            subject=f"reduction {reduction_id}",
            before=_record_of(row),
            after=None,
            staff_code=row.staff_code,
            team_code=row.team_code,
        )
        _apply(connection, row.staff_code, row.team_code)


def set_contracted_hours(
    store: Store,
    username: str,
    staff_code: str,
    team_code: str,
    hours: Decimal,
    version: int,
) -> None:
    """Set the owner's contracted hours, if nobody has set them since the manager looked."""
    if not Decimal(0) < hours <= MAX_CONTRACTED_HOURS:
        raise InvalidInput(
            {"contracted_hours": f"Enter hours more than 0 and at most {MAX_CONTRACTED_HOURS}"}
        )
    table = schema.table_of(schema.ManagedHours)
    with store.changing_snapshots() as connection:
        inputs = _owner_inputs(connection, staff_code, team_code)
        if inputs.hours_version != version:
            when = "after you opened them" if version else "after you opened the page"
            raise EditConflict(
                f"{inputs.hours_changed_by} changed these contracted hours {when}: they are now "
                f"{inputs.managed_contracted_hours}. Your change was not saved."
            )
        values = {"contracted_hours": hours, "changed_at": datetime.now(), "changed_by": username}
        if version == 0:
            try:
                with connection.begin_nested():
                    connection.execute(
                        insert(table).values(
                            staff_code=staff_code, team_code=team_code, version=1, **values
                        )
                    )
            except IntegrityError:
                raise EditConflict(
                    "Someone else set these contracted hours after you opened the page. "
                    "Your change was not saved."
                ) from None
        else:
            changed = connection.execute(
                update(table)
                .where(
                    table.c.staff_code == staff_code,
                    table.c.team_code == team_code,
                    table.c.version == version,
                )
                .values(version=version + 1, **values)
            ).rowcount
            if changed != 1:
                raise EditConflict("Someone else changed these contracted hours: not saved.")
        record_change(
            connection,
            username=username,
            action="contracted hours changed",
            subject=f"contracted hours of {staff_code} in {team_code}",
            before={"contracted_hours": inputs.contracted_hours},
            after={"contracted_hours": hours},
            staff_code=staff_code,
            team_code=team_code,
        )
        _apply(connection, staff_code, team_code)
