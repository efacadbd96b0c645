"""Allocating a case: a manager gives a waiting case to a practitioner, or moves an allocated
one to another, and the figures change at once.

Everything happens in one transaction on the newest snapshot: the person may allocate
there (`Viewer.may_allocate`), the practitioner may take the case by the eligibility rules
or the manager says why they should anyway, nobody else allocated it since the manager
looked; then the decision and its audit event are written (`audit.write_audited`), the
decision is laid over the stored case by the engine's one rule (`engine/decisions.py`, as
every later import lays it) and the new holder, the old one and every roll-up are
recalculated. Those two steps, `check_allocation` and `record_allocations`, also accept a
whole suggested plan in one transaction (`services/plan_acceptance.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import Connection

from wmt.domain.access import Place, Viewer
from wmt.domain.allocation_rules import (
    FIRST_ALLOCATION_REASON,
    AllocationReason,
    DecisionKind,
    allocation_reason,
)
from wmt.domain.clock import utc_now
from wmt.domain.eligibility import NotEligible
from wmt.domain.hierarchy import Level
from wmt.engine.allocation import candidates
from wmt.engine.arithmetic import percent, points
from wmt.engine.decisions import PENDING_DECISIONS_SCHEMA, with_decisions
from wmt.errors import NotFound
from wmt.services.audit import Written, write_audited
from wmt.services.importing import recalculate_owner
from wmt.services.places import places_in
from wmt.services.saving import EditConflict, InvalidInput, NotPermitted
from wmt.services.scope import check_may_read
from wmt.store import decisions as stored
from wmt.store.eligibility_versions import rules_in_force
from wmt.store.points_versions import version_in_force
from wmt.store.snapshots import SnapshotRecord, owner_figures, require_snapshot
from wmt.store.transactions import Store

NOT_AN_ALLOCATOR = (
    "Only the manager of the case's team (within their team) or the head of its PDU (across "
    "the PDU's teams) can allocate it."
)
NOTES_MOST = 4000


@dataclass(frozen=True)
class Holder:
    """Who held a case when the manager looked (both None: it was waiting)."""

    staff_code: str | None = None
    team_code: str | None = None


@dataclass(frozen=True)
class AllocationRequest:
    """What a manager asks: this case to this practitioner, why, and with what notes.

    `seen` is the holder the manager saw; if someone changed it since, nothing is saved. None
    asks for no such check (a script that allocates whatever holds the case now).
    """

    crn: str
    staff_code: str
    team_code: str | None = None  # the practitioner's team; needed only if they are in several
    reason: str | None = None  # one of AllocationReason; a first allocation defaults to one
    notes: str = ""
    sensitive: bool = False
    override_justification: str = ""
    seen: Holder | None = None


@dataclass(frozen=True)
class Proposal:
    """What the confirmation page shows before a manager allocates."""

    as_of: date
    crn: str
    case_type: str
    tier: str
    case_team_code: str
    points: Decimal
    holder: Holder
    kind: DecisionKind
    staff_code: str
    team_code: str
    name: str
    grade: str
    eligible: bool
    why_not: str | None  # left, grade, risk or no available time
    capacity_before: Decimal
    capacity_after: Decimal


@dataclass(frozen=True)
class Allocated:
    """A decision as recorded, and the practitioner's capacity as the engine gives it before
    and after (the stored figures of the newest snapshot)."""

    decision_id: int
    kind: DecisionKind
    crn: str
    staff_code: str
    team_code: str
    name: str
    from_staff_code: str | None
    from_team_code: str | None
    as_of: date
    capacity_before: Decimal
    capacity_after: Decimal


@dataclass(frozen=True)
class CapacityChange:
    """A practitioner given or losing cases: their capacity before and after, as stored."""

    staff_code: str
    team_code: str
    capacity_before: Decimal
    capacity_after: Decimal


@dataclass(frozen=True)
class Accepted:
    """The decisions recorded together, and everyone they changed."""

    decisions: tuple[Allocated, ...]
    practitioners: tuple[CapacityChange, ...]  # in staff code order


def _name(owner: dict[str, Any]) -> str:
    parts = [owner.get("forename"), owner.get("surname")]
    return " ".join(part for part in parts if part) or str(owner["staff_code"])


def _team_place(connection: Connection, snapshot_id: int, team_code: str) -> Place:
    return places_in(connection, snapshot_id, Level.TEAM, team_code)[0]


def _practitioner(
    connection: Connection, record: SnapshotRecord, request: AllocationRequest, case_team: str
) -> pl.DataFrame:
    """The practitioner asked for, in one team: the one given, else their only one, else the
    case's; refused if that cannot be told."""
    teams = None if request.team_code is None else [request.team_code]
    found = owner_figures(connection, record.id, teams, staff_code=request.staff_code)
    if found.is_empty():
        within = f" in team {request.team_code}" if request.team_code else ""
        raise NotFound(
            f"There is no practitioner {request.staff_code!r}{within} on {record.as_of}."
        )
    if found.height > 1:
        in_case_team = found.filter(pl.col("team_code") == case_team)
        if in_case_team.is_empty():
            named = ", ".join(found["team_code"].to_list())
            raise InvalidInput(
                {"team_code": f"{request.staff_code} is in teams {named}: say which team"}
            )
        found = in_case_team
    return found


def _the_case(connection: Connection, record: SnapshotRecord, crn: str) -> dict[str, Any]:
    case = stored.case_tables(connection, record.id, crn).cases
    if case.is_empty():
        raise NotFound(f"There is no case {crn!r} in the snapshot of {record.as_of}.")
    return case.row(0, named=True)


def _figures(
    connection: Connection, record: SnapshotRecord, case: dict[str, Any], owner: pl.DataFrame
) -> dict[str, Any]:
    """The practitioner beside the case: the engine's figures before and after taking it and
    whether the rules let them."""
    config = version_in_force(connection, record.as_of).configuration
    rules = rules_in_force(connection, record.as_of)
    found = candidates(pl.DataFrame([case]), owner, config, rules, record.as_of)
    return found.row(0, named=True)


def _check_may_allocate(
    connection: Connection, record: SnapshotRecord, viewer: Viewer, case_team: str, team: str
) -> None:
    """NotFound if the person may not see the case's team; NotPermitted unless they may
    allocate its cases to the practitioner's team."""
    check_may_read(connection, record.id, viewer, Level.TEAM, case_team)
    places = (
        _team_place(connection, record.id, case_team),
        _team_place(connection, record.id, team),
    )
    if not viewer.may_allocate(*places):
        raise NotPermitted(NOT_AN_ALLOCATOR)


def _proposal(
    connection: Connection, record: SnapshotRecord, viewer: Viewer, request: AllocationRequest
) -> Proposal:
    case = _the_case(connection, record, request.crn)
    owner = _practitioner(connection, record, request, case["team_code"])
    person = owner.row(0, named=True)
    _check_may_allocate(connection, record, viewer, case["team_code"], person["team_code"])
    figures = _figures(connection, record, case, owner)
    holder = Holder(case["staff_code"], case["team_code"] if case["staff_code"] else None)
    return Proposal(
        as_of=record.as_of,
        crn=request.crn,
        case_type=case["case_type"],
        tier=case["tier"],
        case_team_code=case["team_code"],
        points=points(figures["points_centi"]),
        holder=holder,
        kind=DecisionKind.ALLOCATION if holder.staff_code is None else DecisionKind.REALLOCATION,
        staff_code=person["staff_code"],
        team_code=person["team_code"],
        name=_name(person),
        grade=person["grade"],
        eligible=bool(figures["eligible"]),
        why_not=figures["why_not"],
        capacity_before=percent(figures["capacity_before_tenths"]),
        capacity_after=percent(figures["capacity_after_tenths"]),
    )


def proposal(store: Store, viewer: Viewer, request: AllocationRequest) -> Proposal:
    """What allocating the case to the practitioner on the newest snapshot would do, for a
    person who may allocate it; NotFound or NotPermitted otherwise."""
    with store.reading() as connection:
        record = require_snapshot(connection, None)
        return _proposal(connection, record, viewer, request)


def _check_nobody_else(connection: Connection, found: Proposal, request: AllocationRequest) -> None:
    """EditConflict if the case's holder is no longer the one the manager saw."""
    if request.seen is None or request.seen == found.holder:
        return
    latest = stored.latest_decision(connection, found.crn)
    if latest is not None and (latest.to_staff_code, latest.to_team_code) == (
        found.holder.staff_code,
        found.holder.team_code,
    ):
        raise EditConflict(
            f"{found.crn} was allocated to {latest.to_staff_code} ({latest.to_team_code}) by "
            f"{latest.username} at {latest.decided_at:%H:%M on %d %B %Y} UTC; nothing was saved."
        )
    now = found.holder.staff_code or "nobody"
    raise EditConflict(f"{found.crn} is now held by {now}; nothing was saved.")


def _reason(found: Proposal, request: AllocationRequest) -> AllocationReason:
    if request.reason is None or not request.reason.strip():
        if found.kind is DecisionKind.ALLOCATION:
            return FIRST_ALLOCATION_REASON
        raise InvalidInput({"reason": "Select why the case is being reallocated"})
    reason = allocation_reason(request.reason)
    if reason is None:
        known = "; ".join(AllocationReason)
        raise InvalidInput(
            {"reason": f"{request.reason!r} is not a reason; choose one of: {known}"}
        )
    return reason


def _check_request(found: Proposal, request: AllocationRequest) -> AllocationReason:
    """The reason to record; InvalidInput, naming each field, for what breaks a rule."""
    if found.holder == Holder(found.staff_code, found.team_code):
        raise InvalidInput({"staff_code": f"{found.name} already holds {found.crn}"})
    reason = _reason(found, request)
    problems: dict[str, str] = {}
    if len(request.notes) > NOTES_MOST:
        problems["notes"] = f"Notes must be {NOTES_MOST:,} characters or fewer"
    if found.why_not == NotEligible.LEFT.value:
        problems["staff_code"] = f"{found.name} has left, so cannot be given a case"
    elif found.why_not is not None and not request.override_justification.strip():
        problems["override_justification"] = (
            f"{found.name} may not be given this case under the rules ({found.why_not}): "
            "explain why they should have it to override them"
        )
    if problems:
        raise InvalidInput(problems)
    return reason


@dataclass(frozen=True)
class Decision:
    """A decision to be appended: written with its audit event by the one save routine."""

    fields: dict[str, Any]

    def write(self, connection: Connection, username: str) -> Written:
        decision_id = stored.append_decision(connection, self.fields)
        before = {
            "staff_code": self.fields["from_staff_code"],
            "team_code": self.fields["from_team_code"],
        }
        after = {key: value for key, value in self.fields.items() if key != "notes"}
        return Written(
            action=f"{self.fields['kind']} of a case",
            subject=f"case {self.fields['crn']}",
            before=before if self.fields["from_staff_code"] else None,
            after=after,
            record_id=decision_id,
        )


def _decision(
    viewer: Viewer, found: Proposal, request: AllocationRequest, reason: AllocationReason
) -> Decision:
    justification = request.override_justification.strip()
    return Decision(
        {
            "crn": found.crn,
            "kind": found.kind.value,
            "to_staff_code": found.staff_code,
            "to_team_code": found.team_code,
            "from_staff_code": found.holder.staff_code,
            "from_team_code": found.holder.team_code,
            "reason": reason.value,
            "notes": request.notes.strip() or None,
            "sensitive": request.sensitive,
            "override_justification": justification if found.why_not else None,
            "username": viewer.username,
            "decided_at": utc_now().replace(microsecond=0),
            "as_of": found.as_of,
        }
    )


def _lay_over(connection: Connection, record: SnapshotRecord, decision: dict[str, Any]) -> None:
    """Lay the decision over the stored case by the rule every import uses."""
    crn = decision["crn"]
    one = pl.DataFrame([decision]).select(list(PENDING_DECISIONS_SCHEMA))
    laid = with_decisions(stored.case_tables(connection, record.id, crn), one, record.as_of)
    stored.replace_case(connection, record.id, crn, laid.tables)


Owner = tuple[str, str]  # (staff code, team code)


@dataclass(frozen=True)
class CheckedAllocation:
    """A request that passed every check, and the decision it makes."""

    found: Proposal
    decision: Decision


def check_allocation(
    connection: Connection, record: SnapshotRecord, viewer: Viewer, request: AllocationRequest
) -> CheckedAllocation:
    """Every check `allocate` makes of one request; NotFound, NotPermitted, InvalidInput or
    EditConflict for the first it fails."""
    found = _proposal(connection, record, viewer, request)
    _check_nobody_else(connection, found, request)
    reason = _check_request(found, request)
    return CheckedAllocation(found, _decision(viewer, found, request, reason))


def _capacities(
    connection: Connection, record: SnapshotRecord, owners: list[Owner]
) -> dict[Owner, Decimal]:
    """The owners' capacity as stored now."""
    stored_now = owner_figures(connection, record.id, sorted({team for _, team in owners}))
    rows = stored_now.select("staff_code", "team_code", "capacity_tenths").iter_rows()
    wanted = set(owners)
    return {
        (staff, team): percent(tenths) for staff, team, tenths in rows if (staff, team) in wanted
    }


def _touched(checked: list[CheckedAllocation]) -> list[Owner]:
    """Everyone given or losing a case, in staff code order."""
    owners = {(one.found.staff_code, one.found.team_code) for one in checked}
    holders = {(one.found.holder.staff_code, one.found.holder.team_code) for one in checked}
    owners |= {(staff, team) for staff, team in holders if staff is not None and team is not None}
    return sorted(owners)


def record_allocations(
    connection: Connection, record: SnapshotRecord, viewer: Viewer, checked: list[CheckedAllocation]
) -> Accepted:
    """Write each decision with its audit event and lay it over its case, then recalculate
    once each practitioner given or losing a case, and every roll-up."""
    owners = _touched(checked)
    before = _capacities(connection, record, owners)
    decided = []
    for one in checked:
        owner = (one.found.staff_code, one.found.team_code)
        written = write_audited(connection, viewer.username, one.decision, owner)
        _lay_over(connection, record, {**one.decision.fields, "id": written.record_id})
        decided.append((one.found, int(written.record_id or 0)))
    for owner in owners:
        recalculate_owner(connection, record, owner)
    after = _capacities(connection, record, owners)
    return Accepted(
        decisions=tuple(
            _allocated(found, decision_id, before, after) for found, decision_id in decided
        ),
        practitioners=tuple(
            CapacityChange(*owner, before[owner], after[owner]) for owner in owners
        ),
    )


def _allocated(
    found: Proposal, decision_id: int, before: dict[Owner, Decimal], after: dict[Owner, Decimal]
) -> Allocated:
    owner = (found.staff_code, found.team_code)
    return Allocated(
        decision_id=decision_id,
        kind=found.kind,
        crn=found.crn,
        staff_code=found.staff_code,
        team_code=found.team_code,
        name=found.name,
        from_staff_code=found.holder.staff_code,
        from_team_code=found.holder.team_code,
        as_of=found.as_of,
        capacity_before=before[owner],
        capacity_after=after[owner],
    )


def allocate(store: Store, viewer: Viewer, request: AllocationRequest) -> Allocated:
    """Record the decision and change the figures on the newest snapshot, in one transaction
    or not at all (NotFound, NotPermitted, InvalidInput or EditConflict)."""
    with store.changing_snapshots() as connection:
        record = require_snapshot(connection, None)
        checked = check_allocation(connection, record, viewer, request)
        return record_allocations(connection, record, viewer, [checked]).decisions[0]
