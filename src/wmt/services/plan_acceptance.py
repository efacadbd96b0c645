"""Accepting a suggested plan for a unit's queue, or a suggested rebalance of its caseloads:
every row becomes a decision, checked exactly as allocating one case checks it
(`allocating.check_allocation`) and recorded the one way (`allocating.record_allocations`),
all in one transaction: every row accepted, or none and a refusal naming the case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from wmt.domain.access import Viewer
from wmt.domain.allocation_rules import FIRST_ALLOCATION_REASON, AllocationReason
from wmt.domain.hierarchy import Level
from wmt.errors import NotFound
from wmt.services.allocating import (
    NOT_AN_ALLOCATOR,
    Accepted,
    AllocationRequest,
    CheckedAllocation,
    Holder,
    check_allocation,
    record_allocations,
)
from wmt.services.places import places_in
from wmt.services.saving import EditConflict, InvalidInput, NotPermitted
from wmt.services.scope import check_may_read
from wmt.store.snapshots import SnapshotRecord, require_snapshot
from wmt.store.transactions import Store
from wmt.store.units import teams_within


@dataclass(frozen=True)
class PlannedAllocation:
    """A row of a suggested plan: this waiting case to this practitioner."""

    crn: str
    staff_code: str
    team_code: str


@dataclass(frozen=True)
class PlannedMove:
    """A move of a suggested rebalance: this case from the practitioner holding it to another."""

    crn: str
    from_staff_code: str
    from_team_code: str
    to_staff_code: str
    to_team_code: str


PLAN_NOTE = "From a suggested plan"
REBALANCE_NOTE = "From a suggested rebalance"


def accept_plan(
    store: Store,
    viewer: Viewer,
    rows: Sequence[PlannedAllocation],
    *,
    within: tuple[Level, str] | None = None,
) -> Accepted:
    """Allocate each case of a suggested plan to its practitioner, every row checked as
    `allocate` checks one, in one transaction: all of them, or none and a refusal naming the
    row. `within` is the team or PDU whose plan it is: its cases and practitioners only."""
    requests = [
        AllocationRequest(
            row.crn,
            row.staff_code,
            row.team_code,
            reason=FIRST_ALLOCATION_REASON.value,
            notes=PLAN_NOTE,
            seen=Holder(),
        )
        for row in rows
    ]
    return _accept(store, viewer, requests, within)


def accept_moves(
    store: Store,
    viewer: Viewer,
    moves: Sequence[PlannedMove],
    *,
    within: tuple[Level, str] | None = None,
) -> Accepted:
    """Reallocate each case of a suggested rebalance for a caseload adjustment, as
    `accept_plan` allocates a plan: all or nothing."""
    requests = [
        AllocationRequest(
            move.crn,
            move.to_staff_code,
            move.to_team_code,
            reason=AllocationReason.CASELOAD_ADJUSTMENT.value,
            notes=REBALANCE_NOTE,
            seen=Holder(move.from_staff_code, move.from_team_code),
        )
        for move in moves
    ]
    return _accept(store, viewer, requests, within)


def may_accept(store: Store, viewer: Viewer, level: Level, code: str) -> bool:
    """Whether the person may accept plans for the team or PDU (one they may see)."""
    with store.reading() as connection:
        record = require_snapshot(connection, None)
        place = places_in(connection, record.id, level, code)[0]
    return viewer.may_allocate(place, place)


def _accept(
    store: Store,
    viewer: Viewer,
    requests: list[AllocationRequest],
    within: tuple[Level, str] | None,
) -> Accepted:
    with store.changing_snapshots() as connection:
        record = require_snapshot(connection, None)
        teams = None if within is None else _teams_allocated(connection, record, viewer, *within)
        _check_each_case_once(requests)
        checked = [_row_checked(connection, record, viewer, one, teams) for one in requests]
        return record_allocations(connection, record, viewer, checked)


def _check_each_case_once(requests: list[AllocationRequest]) -> None:
    if not requests:
        raise InvalidInput({"rows": "Select at least one case to accept"})
    seen: set[str] = set()
    for request in requests:
        if request.crn in seen:
            raise InvalidInput({request.crn: f"{request.crn} is listed more than once"})
        seen.add(request.crn)


def _teams_allocated(
    connection: Connection, record: SnapshotRecord, viewer: Viewer, level: Level, code: str
) -> set[str]:
    """The unit's teams, if the person may see it (else NotFound) and allocate across it (else
    NotPermitted)."""
    check_may_read(connection, record.id, viewer, level, code)
    place = places_in(connection, record.id, level, code)[0]  # NotFound if not there
    if not viewer.may_allocate(place, place):
        raise NotPermitted(NOT_AN_ALLOCATOR)
    return set(teams_within(connection, record.id, code, level))


def _row_checked(
    connection: Connection,
    record: SnapshotRecord,
    viewer: Viewer,
    request: AllocationRequest,
    teams: set[str] | None,
) -> CheckedAllocation:
    """One row checked as `allocate` checks it, and within the unit; a refusal names it."""
    try:
        checked = check_allocation(connection, record, viewer, request)
        found = checked.found
        if teams is not None and not {found.case_team_code, found.team_code} <= teams:
            outside = found.case_team_code if found.case_team_code not in teams else found.team_code
            raise InvalidInput({"crn": f"team {outside} is not part of this plan's unit"})
    except InvalidInput as refused:
        raise InvalidInput({request.crn: _naming(request.crn, str(refused))}) from None
    except (NotFound, NotPermitted, EditConflict) as refused:
        raise type(refused)(_naming(request.crn, str(refused))) from None
    return checked


def _naming(crn: str, message: str) -> str:
    """The refusal, beginning with the case it is about."""
    return message if message.startswith(f"{crn} ") else f"{crn}: {message}"
