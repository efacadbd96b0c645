"""Managing a practitioner's inputs: contracted hours and reductions, kept in wmt.

Each change here says whose inputs it touches and how it is checked and written; saving it —
the permission check, the version check, the audit event and the recalculation, in one
transaction — is the one routine in services/saving.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from sqlalchemy import Connection

from wmt.domain.access import Viewer
from wmt.domain.clock import spoken_moment
from wmt.domain.hierarchy import Level
from wmt.domain.hours_rules import (
    MAX_CONTRACTED_HOURS,
    ReductionEntry,
    contracted_hours_problem,
    entry_problems,
    hours_out_of_range,
)
from wmt.errors import NotFound
from wmt.services.audit import Written
from wmt.services.owner_inputs import (
    OwnerInputs,
    ReductionView,
    find_reduction,
    in_force,
    owner_inputs,
    read_owner_inputs,
    reasons,
    suggested_entry,
)
from wmt.services.reasons import find_reason, list_reasons
from wmt.services.saving import (
    EditConflict,
    InvalidInput,
    NotPermitted,
    Saved,
    require_may_edit,
    save,
)
from wmt.services.scope import visible_place
from wmt.store import managed_inputs
from wmt.store.managed_inputs import ManagedReduction
from wmt.store.transactions import Store

__all__ = [  # what a manager sees is read in owner_inputs, and offered here with the changes
    "MAX_CONTRACTED_HOURS",
    "EditConflict",
    "InvalidInput",
    "NotPermitted",
    "OwnerInputs",
    "ReductionEntry",
    "ReductionView",
    "Saved",
    "add_reduction",
    "change_reduction",
    "delete_reduction",
    "find_reduction",
    "inputs_to_change",
    "owner_inputs",
    "reasons",
    "reduction_to_change",
    "set_contracted_hours",
    "suggested_entry",
]


def inputs_to_read(store: Store, viewer: Viewer, staff_code: str, team_code: str) -> OwnerInputs:
    """The owner's inputs, for anyone who may see the practitioner; NotFound, the same as for
    nobody, for anyone else."""
    visible_place(store, viewer, Level.PRACTITIONER, staff_code)
    return owner_inputs(store, staff_code, team_code)


def inputs_to_change(store: Store, viewer: Viewer, staff_code: str, team_code: str) -> OwnerInputs:
    """The owner's inputs, for the manager of their team to change; NotPermitted for anyone
    else (checked first, so nobody learns who is in a team they may not change)."""
    require_may_edit(viewer, team_code)
    return owner_inputs(store, staff_code, team_code)


def reduction_to_change(store: Store, viewer: Viewer, reduction_id: int) -> ReductionView:
    """A reduction kept in wmt, for the manager of its team to change; NotFound if there is
    no such reduction, NotPermitted for anyone else."""
    found = find_reduction(store, reduction_id)
    if found is None:
        raise NotFound(f"There is no reduction {reduction_id}: it may have been deleted.")
    require_may_edit(viewer, found.team_code or "")
    return found


def _validate(
    connection: Connection,
    entry: ReductionEntry,
    staff_code: str,
    team_code: str,
    *,
    replacing: int | None = None,
) -> None:
    """InvalidInput naming each field if the entry breaks a rule. A new reduction needs a
    reason in use; a changed one may keep a retired reason."""
    inputs = read_owner_inputs(connection, staff_code, team_code)
    reason = find_reason(connection, entry.reason)
    if reason is not None and replacing is None and not reason.active:
        reason = None
    others = in_force(inputs, leaving_out=replacing)
    errors = entry_problems(entry, reason, inputs.contracted_hours, others)
    if errors:
        raise InvalidInput(errors)


def _conflict(connection: Connection, reduction_id: int, what: str) -> EditConflict:
    kept = managed_inputs.read_reduction(connection, reduction_id)
    if kept is None:
        return EditConflict(
            f"This reduction was deleted by someone else after you opened it. "
            f"Your {what} was not saved."
        )
    when = spoken_moment(kept.changed_at)
    return EditConflict(
        f"{kept.changed_by} changed this reduction on {when}, after you opened it. "
        f"Your {what} was not saved: check the reduction as it is now and make your "
        f"change again."
    )


def _opened(connection: Connection, reduction_id: int, version: int, what: str) -> ManagedReduction:
    """The reduction, if it is still the version the manager opened; EditConflict if not."""
    kept = managed_inputs.read_reduction(connection, reduction_id)
    if kept is None or kept.version != version:
        raise _conflict(connection, reduction_id, what)
    return kept


@dataclass(frozen=True)
class NewReduction:
    staff_code: str
    team_code: str
    entry: ReductionEntry

    def owner(self, connection: Connection) -> tuple[str, str]:
        return self.staff_code, self.team_code

    def write(self, connection: Connection, username: str) -> Written:
        _validate(connection, self.entry, self.staff_code, self.team_code)
        new_id = managed_inputs.insert_reduction(
            connection, self.staff_code, self.team_code, self.entry, username
        )
        return Written(
            "reduction added", f"reduction {new_id}", None, self.entry.as_record(), new_id
        )


@dataclass(frozen=True)
class _KeptReductionChange:
    """A change to a reduction kept in wmt, made against the version the manager opened."""

    reduction_id: int
    version: int
    what: ClassVar[str]  # the change, as the manager is told it was not saved

    def owner(self, connection: Connection) -> tuple[str, str]:
        kept = self.opened(connection)
        return kept.staff_code, kept.team_code

    def opened(self, connection: Connection) -> ManagedReduction:
        return _opened(connection, self.reduction_id, self.version, self.what)

    def conflict(self, connection: Connection) -> EditConflict:
        return _conflict(connection, self.reduction_id, self.what)


@dataclass(frozen=True)
class ReductionChange(_KeptReductionChange):
    entry: ReductionEntry
    what = "change"

    def write(self, connection: Connection, username: str) -> Written:
        kept = self.opened(connection)
        _validate(
            connection, self.entry, kept.staff_code, kept.team_code, replacing=self.reduction_id
        )
        if not managed_inputs.update_reduction(
            connection, self.reduction_id, self.version, self.entry, username
        ):
            raise self.conflict(connection)
        return Written(
            "reduction changed",
            f"reduction {self.reduction_id}",
            kept.as_record(),
            self.entry.as_record(),
            self.reduction_id,
        )


@dataclass(frozen=True)
class ReductionDeletion(_KeptReductionChange):
    what = "deletion"

    def write(self, connection: Connection, username: str) -> Written:
        kept = self.opened(connection)
        if not managed_inputs.delete_reduction(connection, self.reduction_id, self.version):
            raise self.conflict(connection)
        return Written(
            "reduction deleted", f"reduction {self.reduction_id}", kept.as_record(), None
        )


def _maxima(connection: Connection, inputs: OwnerInputs) -> dict[str, int]:
    """The maximum percent of each capped reason among the owner's reductions, by name."""
    names = {r.reason.strip().casefold() for r in inputs.reductions}
    return {
        reason.name: reason.maximum_percent
        for reason in list_reasons(connection, include_retired=True)
        if reason.maximum_percent is not None and reason.name.casefold() in names
    }


def _stale_hours(inputs: OwnerInputs, version: int) -> EditConflict:
    if inputs.hours_changed_by is None:
        return EditConflict(
            "These contracted hours have never been set in wmt, so they cannot have the "
            "version sent. Your change was not saved: reload the page and make it again."
        )
    when = "after you opened them" if version else "after you opened the page"
    return EditConflict(
        f"{inputs.hours_changed_by} changed these contracted hours {when}: they are now "
        f"{inputs.managed_contracted_hours}. Your change was not saved."
    )


@dataclass(frozen=True)
class HoursSetting:
    staff_code: str
    team_code: str
    hours: Decimal
    version: int

    def owner(self, connection: Connection) -> tuple[str, str]:
        return self.staff_code, self.team_code

    def write(self, connection: Connection, username: str) -> Written:
        problem = hours_out_of_range(self.hours)
        if problem is not None:
            raise InvalidInput({"contracted_hours": problem})
        inputs = read_owner_inputs(connection, self.staff_code, self.team_code)
        if inputs.hours_version != self.version:
            raise _stale_hours(inputs, self.version)
        problem = contracted_hours_problem(
            self.hours, in_force(inputs), _maxima(connection, inputs), inputs.as_of
        )
        if problem is not None:
            raise InvalidInput({"contracted_hours": problem})
        if not managed_inputs.write_hours(
            connection, self.staff_code, self.team_code, self.hours, self.version, username
        ):
            raise EditConflict(
                "Someone else set these contracted hours after you opened the page. "
                "Your change was not saved."
                if self.version == 0
                else "Someone else changed these contracted hours: not saved."
            )
        return Written(
            "contracted hours changed",
            f"contracted hours of {self.staff_code} in {self.team_code}",
            {"contracted_hours": inputs.contracted_hours},
            {"contracted_hours": self.hours},
        )


def add_reduction(
    store: Store, viewer: Viewer, staff_code: str, team_code: str, entry: ReductionEntry
) -> Saved:
    """Add a reduction for the owner, if the viewer manages their team."""
    return save(store, viewer, NewReduction(staff_code, team_code, entry))


def change_reduction(
    store: Store, viewer: Viewer, reduction_id: int, version: int, entry: ReductionEntry
) -> Saved:
    """Change a reduction, if it is still the version the manager opened."""
    return save(store, viewer, ReductionChange(reduction_id, version, entry))


def delete_reduction(store: Store, viewer: Viewer, reduction_id: int, version: int) -> Saved:
    """Delete a reduction, if it is still the version the manager opened."""
    return save(store, viewer, ReductionDeletion(reduction_id, version))


def set_contracted_hours(
    store: Store,
    viewer: Viewer,
    staff_code: str,
    team_code: str,
    hours: Decimal,
    version: int,
) -> Saved:
    """Set the owner's contracted hours, if nobody has set them since the manager looked and
    no reduction in force from the newest snapshot's date on would then exceed them."""
    return save(store, viewer, HoursSetting(staff_code, team_code, hours, version))
