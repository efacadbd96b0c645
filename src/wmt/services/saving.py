"""Saving a change to a practitioner's inputs, the one way every change is saved.

A change (a reduction added, changed or deleted, contracted hours set) says whose inputs it
touches and how it is written. Saving it is always the same: check the signed-in person may
change that team's inputs, check and write the change against the version the manager opened,
write the audit event (in the order every change is saved in, `audit.write_audited`), lay the
owner's managed inputs over the newest snapshot by the engine's one rule and recalculate them
— all in one transaction — and answer with what was saved and the practitioner's figures as
that recalculation left them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Connection

from wmt.domain.access import Viewer
from wmt.engine.managed import with_managed_inputs
from wmt.services.audit import Change, write_audited
from wmt.services.importing import recalculate_owner
from wmt.services.owner_inputs import (
    OwnerInputs,
    ReductionView,
    newest,
    read_owner_inputs,
    read_reduction_view,
)
from wmt.store import snapshots
from wmt.store.managed import managed_frames
from wmt.store.managed_inputs import OwnerFigures, read_owner_figures
from wmt.store.snapshots import SnapshotRecord
from wmt.store.transactions import Store

ONLY_THE_TEAMS_MANAGER = (
    "Only the manager of the practitioner's team can change their hours and reductions."
)


class ChangeRefused(Exception):
    """A change was refused and nothing was saved.

    Not a WmtError (a problem to put right, answered 400): each kind of refusal is answered
    in its own way, and the web does so in one place (web/app.py).
    """


class NotPermitted(ChangeRefused):
    """The signed-in person may see these inputs but not change them: nothing was saved."""


class InvalidInput(ChangeRefused):
    """What was entered breaks a rule; `errors` maps each form field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(". ".join(errors.values()) + ".")


class EditConflict(ChangeRefused):
    """Someone else changed the record after it was opened: nothing was saved."""


def require_may_edit(viewer: Viewer, team_code: str) -> None:
    """NotPermitted unless the person may change the inputs of owners in the team."""
    if not viewer.may_edit_inputs(team_code):
        raise NotPermitted(ONLY_THE_TEAMS_MANAGER)


class InputChange(Change, Protocol):
    """One change to one owner's inputs: checked and written against the version the manager
    opened, InvalidInput or EditConflict, writing nothing, if it cannot be."""

    def owner(self, connection: Connection) -> tuple[str, str]:
        """Whose inputs it changes: (staff code, team code)."""
        ...


@dataclass(frozen=True)
class Saved:
    """A change as saved, and the practitioner's figures after it."""

    inputs: OwnerInputs  # the owner's hours and reductions now, with their new versions
    figures: OwnerFigures  # from the recalculation the change made
    reduction: ReductionView | None = None  # the reduction added or changed, with its id


def save(store: Store, viewer: Viewer, change: InputChange) -> Saved:
    """Save the change for the viewer in one transaction, or nothing at all."""
    with store.changing_snapshots() as connection:
        owner = change.owner(connection)
        require_may_edit(viewer, owner[1])
        written = write_audited(connection, viewer.username, change, owner)
        record = newest(connection)
        _recalculate(connection, record, owner)
        return _saved(connection, record, owner, written.record_id)


def _recalculate(connection: Connection, record: SnapshotRecord, owner: tuple[str, str]) -> None:
    """Lay the owner's managed inputs, as they are now, over the snapshot's import by the
    engine's one rule (the rule every import uses), store them and recalculate."""
    imported = snapshots.load_tables(connection, record.id, owner, as_imported=True)
    tables = with_managed_inputs(imported, *managed_frames(connection, owner))
    snapshots.replace_owner_inputs(connection, record.id, owner, tables)
    recalculate_owner(connection, record, owner, tables)


def _saved(
    connection: Connection, record: SnapshotRecord, owner: tuple[str, str], reduction_id: int | None
) -> Saved:
    staff_code, team_code = owner
    figures = read_owner_figures(connection, record.id, record.as_of, staff_code, team_code)
    if figures is None:  # the recalculation always stores the owner it was given
        raise AssertionError(f"No figures were stored for {staff_code} in {team_code}.")
    return Saved(
        inputs=read_owner_inputs(connection, staff_code, team_code, record),
        figures=figures,
        reduction=None
        if reduction_id is None
        else read_reduction_view(connection, reduction_id, record.as_of),
    )
