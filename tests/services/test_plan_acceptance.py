"""Accepting a suggested plan or rebalance: every row a decision, checked as allocating one
case is, all in one transaction or none; and each capacity after the plan showed is the
engine's figure once the plan is accepted.

The snapshot is the queue's (tests/services/test_allocation_queue.py): in PDU P1, team T1
holds S1 (a PO) and S2 (a PSO), team T2 holds S3 (a PQiP); Q1 and Q5 wait in T1, Q2 and Q3
in T2.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import database_content
from tests.services.test_allocation_plans import RECENT, capacity
from tests.services.test_allocation_queue import ON, QUEUED_CASES, allocation_folder
from wmt.domain.access import Role, Viewer
from wmt.domain.allocation_rules import AllocationReason, DecisionKind
from wmt.domain.hierarchy import Level
from wmt.errors import NotFound
from wmt.planning.plan import Plan
from wmt.services.allocating import AllocationRequest, Holder, allocate
from wmt.services.allocation_decisions import decisions
from wmt.services.allocation_plans import rebalance_unit, suggest
from wmt.services.allocation_queue import queue_of_unit
from wmt.services.importing import import_case_folder
from wmt.services.plan_acceptance import (
    PLAN_NOTE,
    REBALANCE_NOTE,
    PlannedAllocation,
    PlannedMove,
    accept_moves,
    accept_plan,
    may_accept,
)
from wmt.services.saving import EditConflict, InvalidInput, NotPermitted
from wmt.services.scope import OPERATOR
from wmt.store.transactions import Store

HEAD = Viewer("pat", Role.HEAD_OF_PDU, "P1")
T1_MANAGER = Viewer("tess", Role.TEAM_MANAGER, "T1")
P1 = (Level.PDU, "P1")


@pytest.fixture
def queued(store: Store, tmp_path: Path) -> Store:
    import_case_folder(store, allocation_folder(tmp_path / "now", ON, QUEUED_CASES + RECENT))
    return store


def rows_of(plan: Plan) -> list[PlannedAllocation]:
    return [PlannedAllocation(p.crn, p.staff_code, p.team_code) for p in plan.allocations]


def recorded(store: Store) -> list[tuple[str, str, str, str, str, str | None]]:
    """Each decision: case, kind, to, reason and notes, in CRN order."""
    found = decisions(store, OPERATOR, Level.NATIONAL, "national").rows
    return sorted(
        (d.crn, d.kind, d.to_staff_code, d.to_team_code, d.reason, d.notes) for d in found
    )


def test_each_capacity_after_a_plan_shows_is_the_engines_figure_once_it_is_accepted(
    queued: Store,
) -> None:
    plan = suggest(queued, HEAD, "P1", ceiling=None, time_limit=1).plan
    assert sorted(p.crn for p in plan.allocations) == ["Q1", "Q2", "Q3", "Q5"]
    accepted = accept_plan(queued, HEAD, rows_of(plan), within=P1)
    changed = {(c.staff_code, c.team_code): c.capacity_after for c in accepted.practitioners}
    for placement in plan.allocations:
        owner = (placement.staff_code, placement.team_code)
        assert placement.capacity_after == capacity(queued, *owner) == changed[owner], placement
    reason = AllocationReason.RESPONSIBLE_OFFICER.value
    assert recorded(queued) == sorted(
        (p.crn, DecisionKind.ALLOCATION.value, p.staff_code, p.team_code, reason, PLAN_NOTE)
        for p in plan.allocations
    )
    assert queue_of_unit(queued, HEAD, "P1").cases == ()


def test_accepting_a_selection_allocates_exactly_those_cases(queued: Store) -> None:
    plan = suggest(queued, HEAD, "P1", ceiling=None, time_limit=1).plan
    chosen = [row for row in rows_of(plan) if row.crn in ("Q2", "Q5")]
    accepted = accept_plan(queued, HEAD, chosen, within=P1)
    assert [d.crn for d in accepted.decisions] == ["Q2", "Q5"]
    assert [row[:4] for row in recorded(queued)] == [
        (row.crn, "allocation", row.staff_code, row.team_code) for row in chosen
    ]
    assert sorted(case.crn for case in queue_of_unit(queued, HEAD, "P1").cases) == ["Q1", "Q3"]


def test_a_row_someone_else_allocated_since_refuses_the_whole_plan_and_writes_nothing(
    queued: Store, database_url: str
) -> None:
    plan = suggest(queued, HEAD, "T1", ceiling=None, time_limit=1).plan
    assert sorted(p.crn for p in plan.allocations) == ["Q1", "Q5"]
    allocate(queued, T1_MANAGER, AllocationRequest("Q5", "S1", seen=Holder()))
    content = database_content(database_url)
    with pytest.raises(EditConflict, match=r"^Q5 was allocated to S1 \(T1\) by tess at "):
        accept_plan(queued, HEAD, rows_of(plan), within=(Level.TEAM, "T1"))
    assert database_content(database_url) == content


def test_a_refusal_names_the_row(queued: Store) -> None:
    rows = [PlannedAllocation("Q1", "S1", "T1"), PlannedAllocation("Q3", "S3", "T2")]
    with pytest.raises(InvalidInput) as refused:  # S3, a PQiP, may not take tier A3
        accept_plan(queued, HEAD, rows, within=P1)
    assert list(refused.value.errors) == ["Q3"]
    assert refused.value.errors["Q3"].startswith("Q3: Cara Davies may not be given this case")
    twice = [PlannedAllocation("Q1", "S1", "T1")] * 2
    with pytest.raises(InvalidInput, match="Q1 is listed more than once"):
        accept_plan(queued, HEAD, twice, within=P1)
    with pytest.raises(InvalidInput, match="Select at least one case"):
        accept_plan(queued, HEAD, [], within=P1)
    assert recorded(queued) == []


@pytest.mark.parametrize(
    ("viewer", "refusal"),
    [
        (Viewer("S1", Role.PRACTITIONER, "S1"), NotFound),
        (T1_MANAGER, NotFound),  # a team manager cannot see the PDU
        (Viewer("reg", Role.REGIONAL_LEAD, "R1"), NotPermitted),
        (Viewer("nat", Role.NATIONAL, "national"), NotPermitted),
        (OPERATOR, NotPermitted),
    ],
)
def test_only_managers_and_heads_of_pdu_accept_plans(
    queued: Store, viewer: Viewer, refusal: type[Exception]
) -> None:
    rows = [PlannedAllocation("Q1", "S1", "T1")]
    with pytest.raises(refusal):
        accept_plan(queued, viewer, rows, within=P1)
    assert not may_accept(queued, viewer, Level.PDU, "P1")
    assert recorded(queued) == []


def test_a_team_manager_accepts_only_their_own_teams_plan(queued: Store) -> None:
    assert may_accept(queued, T1_MANAGER, Level.TEAM, "T1")
    assert may_accept(queued, HEAD, Level.TEAM, "T2") and may_accept(queued, HEAD, *P1)
    with pytest.raises(InvalidInput, match="team T2 is not part of this plan's unit"):
        accept_plan(queued, HEAD, [PlannedAllocation("Q2", "S3", "T2")], within=(Level.TEAM, "T1"))
    accepted = accept_plan(
        queued, T1_MANAGER, [PlannedAllocation("Q1", "S1", "T1")], within=(Level.TEAM, "T1")
    )
    assert [(d.crn, d.staff_code) for d in accepted.decisions] == [("Q1", "S1")]


def test_accepted_moves_are_caseload_adjustments_with_the_engines_figures(queued: Store) -> None:
    moves = rebalance_unit(queued, HEAD, "P1", target=Decimal("10"), time_limit=1).rebalance.moves
    assert moves
    planned = [
        PlannedMove(m.crn, m.from_staff_code, m.from_team_code, m.to_staff_code, m.to_team_code)
        for m in moves
    ]
    accepted = accept_moves(queued, HEAD, planned, within=P1)
    reason = AllocationReason.CASELOAD_ADJUSTMENT.value
    assert recorded(queued) == sorted(
        (m.crn, DecisionKind.REALLOCATION.value, m.to_staff_code, m.to_team_code, reason,
         REBALANCE_NOTE)
        for m in moves
    )  # fmt: skip
    assert [(d.from_staff_code, d.from_team_code) for d in accepted.decisions] == [
        (m.from_staff_code, m.from_team_code) for m in moves
    ]
    for move in moves:
        assert move.from_capacity_after == capacity(
            queued, move.from_staff_code, move.from_team_code
        )
        assert move.to_capacity_after == capacity(queued, move.to_staff_code, move.to_team_code)


def test_a_move_of_a_case_someone_else_moved_since_is_refused(queued: Store) -> None:
    moves = rebalance_unit(queued, HEAD, "P1", target=Decimal("10"), time_limit=1).rebalance.moves
    planned = [
        PlannedMove(m.crn, m.from_staff_code, m.from_team_code, m.to_staff_code, m.to_team_code)
        for m in moves
    ]
    last = moves[-1]
    other = Viewer("pam", Role.HEAD_OF_PDU, "P1")
    move = AllocationRequest(last.crn, last.to_staff_code, last.to_team_code, reason="Other")
    allocate(queued, other, move)
    with pytest.raises(EditConflict, match=f"^{last.crn} was allocated to .* by pam at "):
        accept_moves(queued, HEAD, planned, within=P1)
    assert [row[0] for row in recorded(queued)] == [last.crn]
