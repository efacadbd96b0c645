"""Managing a practitioner's inputs: contracted hours and reductions, kept in wmt.

Each change is one transaction: check the input, make the change only if nobody else has
changed the record since the manager opened it, write the audit event, lay the managed inputs
over the newest snapshot and recalculate it with the one engine.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, insert, update
from sqlalchemy.exc import IntegrityError

from wmt.domain import entries
from wmt.domain.clock import spoken_moment, utc_now
from wmt.domain.hours_rules import (
    MAX_CONTRACTED_HOURS,
    ReductionEntry,
    contracted_hours_problem,
    entry_problems,
    hours_out_of_range,
)
from wmt.domain.reductions import InForce
from wmt.engine.managed import with_managed_inputs
from wmt.errors import WmtError
from wmt.services.audit import record_change
from wmt.services.importing import recalculate_owner
from wmt.services.owner_inputs import (
    OwnerInputs,
    ReductionView,
    capacity_now,
    find_reduction,
    in_force,
    managed_reduction,
    newest,
    owner_inputs,
    read_owner_inputs,
    reasons,
    suggested_entry,
)
from wmt.services.reasons import ReasonRecord, find_reason, list_reasons
from wmt.store import schema, snapshots
from wmt.store.managed import managed_frames
from wmt.store.transactions import Store

__all__ = [  # what a manager sees is read in owner_inputs, and offered here with the changes
    "MAX_CONTRACTED_HOURS",
    "EditConflict",
    "InvalidInput",
    "OwnerInputs",
    "ReductionEntry",
    "ReductionView",
    "add_reduction",
    "capacity_now",
    "change_reduction",
    "check_entry",
    "delete_reduction",
    "find_reduction",
    "owner_inputs",
    "parse_hours",
    "reasons",
    "set_contracted_hours",
    "suggested_entry",
]


class InvalidInput(WmtError):
    """What was entered breaks a rule; `errors` maps each form field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(". ".join(errors.values()) + ".")


class EditConflict(WmtError):
    """Someone else changed the record after it was opened: nothing was saved."""


def parse_hours(text: str, field_name: str, label: str) -> Decimal:
    """Hours typed by a person (see entries.hours); InvalidInput naming the field if not."""
    try:
        return entries.hours(text, label)
    except entries.EntryRefused as refused:
        raise InvalidInput({field_name: str(refused)}) from None


def check_entry(
    entry: ReductionEntry,
    reason: ReasonRecord | None,
    contracted_hours: Decimal,
    others: list[InForce] | None = None,
) -> dict[str, str]:
    """Every rule the entry breaks, by form field (see hours_rules.entry_problems)."""
    return entry_problems(entry, reason, contracted_hours, others or [])


def _record_of(row: Any) -> dict[str, Any]:
    return {
        "reason": row.reason,
        "hours": row.hours,
        "start_date": row.start_date,
        "end_date": row.end_date,
        "notes": row.notes,
    }


def _apply(connection: Connection, staff_code: str, team_code: str) -> None:
    """Lay the owner's managed inputs, as they are now, over the newest snapshot's import by
    the engine's one rule (the rule every import uses), store them and recalculate."""
    record = newest(connection)
    owner = (staff_code, team_code)
    imported = snapshots.load_tables(connection, record.id, owner, as_imported=True)
    tables = with_managed_inputs(imported, *managed_frames(connection, owner))
    snapshots.replace_owner_inputs(connection, record.id, owner, tables)
    recalculate_owner(connection, record, owner, tables)


def _validated(
    connection: Connection,
    entry: ReductionEntry,
    staff_code: str,
    team_code: str,
    *,
    replacing: int | None = None,
) -> OwnerInputs:
    """The owner's inputs, if the entry breaks no rule; InvalidInput naming each field if it
    does. A new reduction needs a reason in use; a changed one may keep a retired reason."""
    inputs = read_owner_inputs(connection, staff_code, team_code)
    reason = find_reason(connection, entry.reason)
    if reason is not None and replacing is None and not reason.active:
        reason = None
    others = in_force(inputs, leaving_out=replacing)
    errors = check_entry(entry, reason, inputs.contracted_hours, others)
    if errors:
        raise InvalidInput(errors)
    return inputs


def add_reduction(
    store: Store, username: str, staff_code: str, team_code: str, entry: ReductionEntry
) -> int:
    """Add a reduction for the owner. Returns its id."""
    table = schema.table_of(schema.ManagedReduction)
    with store.changing_snapshots() as connection:
        _validated(connection, entry, staff_code, team_code)
        reduction_id = connection.execute(
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


def _conflict(connection: Connection, reduction_id: int, what: str) -> EditConflict:
    row = managed_reduction(connection, reduction_id)
    if row is None:
        return EditConflict(
            f"This reduction was deleted by someone else after you opened it. "
            f"Your {what} was not saved."
        )
    when = spoken_moment(row.changed_at)
    return EditConflict(
        f"{row.changed_by} changed this reduction on {when}, after you opened it. "
        f"Your {what} was not saved: check the reduction as it is now and make your "
        f"change again."
    )


def _opened(connection: Connection, reduction_id: int, version: int, what: str) -> Any:
    """The reduction, if it is still the version the manager opened; EditConflict if not."""
    row = managed_reduction(connection, reduction_id)
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
        _validated(connection, entry, row.staff_code, row.team_code, replacing=reduction_id)
        changed = connection.execute(
            update(table)
            .where(table.c.id == reduction_id, table.c.version == version)
            .values(
                **entry.as_record(),
                version=version + 1,
                changed_at=utc_now(),
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


def _maxima(connection: Connection, inputs: OwnerInputs) -> dict[str, int]:
    """The maximum percent of each capped reason among the owner's reductions, by name."""
    names = {r.reason.strip().casefold() for r in inputs.reductions}
    return {
        reason.name: reason.maximum_percent
        for reason in list_reasons(connection, include_retired=True)
        if reason.maximum_percent is not None and reason.name.casefold() in names
    }


def set_contracted_hours(
    store: Store,
    username: str,
    staff_code: str,
    team_code: str,
    hours: Decimal,
    version: int,
) -> None:
    """Set the owner's contracted hours, if nobody has set them since the manager looked and
    no reduction in force from the newest snapshot's date on would then exceed them."""
    problem = hours_out_of_range(hours)
    if problem is not None:
        raise InvalidInput({"contracted_hours": problem})
    table = schema.table_of(schema.ManagedHours)
    with store.changing_snapshots() as connection:
        inputs = read_owner_inputs(connection, staff_code, team_code)
        if inputs.hours_version != version and inputs.hours_changed_by is None:
            raise EditConflict(
                "These contracted hours have never been set in wmt, so they cannot have the "
                "version sent. Your change was not saved: reload the page and make it again."
            )
        if inputs.hours_version != version:
            when = "after you opened them" if version else "after you opened the page"
            raise EditConflict(
                f"{inputs.hours_changed_by} changed these contracted hours {when}: they are now "
                f"{inputs.managed_contracted_hours}. Your change was not saved."
            )
        problem = contracted_hours_problem(
            hours, in_force(inputs), _maxima(connection, inputs), inputs.as_of
        )
        if problem is not None:
            raise InvalidInput({"contracted_hours": problem})
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
