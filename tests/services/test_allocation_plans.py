"""Plans over the stored snapshot: a plan for a team's or PDU's queue, a rebalance of its
caseloads and what if someone leaves, each figure the engine's once the plan is imported,
for whoever may see the unit, and refused for an nDelius extract.

The snapshot is the queue's (tests/services/test_allocation_queue.py): in PDU P1, team T1
holds S1 (a PO) and S2 (a PSO), team T2 holds S3 (a PQiP); Q1, Q2, Q3 and Q5 wait.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.case_folders import VALID_FILES, write_folder
from tests.services.test_allocation_queue import (
    ALLOCATION_COLUMNS,
    ON,
    QUEUED_CASES,
    allocation_folder,
)
from wmt.demo.ndelius_workbook import write_ndelius_workbook
from wmt.domain.access import Role, Viewer
from wmt.errors import NotFound, WmtError
from wmt.planning.plan import UnplacedReason
from wmt.services.allocation_plans import rebalance_unit, suggest
from wmt.services.allocation_queue import queue_of_unit
from wmt.services.allocation_what_if import what_if_leaves
from wmt.services.importing import import_case_folder, import_ndelius_workbook
from wmt.services.overview import practitioner_overview
from wmt.services.scope import NOT_FOUND, OPERATOR
from wmt.store.transactions import Store

LEAVING = date(2026, 12, 1)
# A case S1 was given ten days before the snapshot: too recent to move.
RECENT = "R1,S1,T1,community,B3,false,,2026-11-10,,,,\n"


@pytest.fixture
def queued(store: Store, tmp_path: Path) -> Store:
    import_case_folder(store, allocation_folder(tmp_path / "now", ON, QUEUED_CASES + RECENT))
    return store


def capacity(store: Store, staff_code: str, team_code: str) -> Decimal:
    found = practitioner_overview(store, OPERATOR, staff_code).workloads
    return next(w.capacity_percent for w in found if w.team_code == team_code)


def with_holders(folder: Path, holders: dict[str, tuple[str, str]]) -> Path:
    """The snapshot with these cases (CRN: staff code and team) held as given."""
    header, *rows = VALID_FILES["cases.csv"].splitlines()
    lines = [f"{row},,,,\n" for row in rows] + (QUEUED_CASES + RECENT).splitlines(keepends=True)
    held = []
    for line in lines:
        crn, staff_code, team_code, rest = line.split(",", 3)
        staff_code, team_code = holders.get(crn, (staff_code, team_code))
        held.append(f"{crn},{staff_code},{team_code},{rest}")
    cases = "".join([f"{header},{ALLOCATION_COLUMNS}\n", *held])
    return write_folder(folder, {"cases.csv": cases, "snapshot.txt": f"{ON}\n"})


def test_each_capacity_after_is_the_engines_figure_once_the_whole_plan_is_imported(
    queued: Store, tmp_path: Path
) -> None:
    found = suggest(queued, OPERATOR, "P1", ceiling=None, time_limit=2)
    assert (found.as_of, found.unit_code, found.ceiling) == (ON, "P1", None)
    plan = found.plan
    assert sorted(p.crn for p in plan.allocations) == ["Q1", "Q2", "Q3", "Q5"]
    assert plan.unplaced == ()
    before = {(p.staff_code, p.team_code): capacity(queued, p.staff_code, p.team_code)
              for p in plan.allocations}  # fmt: skip
    holders = {p.crn: (p.staff_code, p.team_code) for p in plan.allocations}
    import_case_folder(queued, with_holders(tmp_path / "planned", holders))
    for placement in plan.allocations:
        owner = (placement.staff_code, placement.team_code)
        assert placement.capacity_before == before[owner]
        assert placement.capacity_after == capacity(queued, *owner)
    assert plan.max_capacity_after == max(p.capacity_after for p in plan.allocations)


def test_cases_that_would_pass_the_ceiling_are_unplaced_with_their_points(queued: Store) -> None:
    plan = suggest(queued, OPERATOR, "T1", ceiling=Decimal("1"), time_limit=2).plan
    points = {case.crn: case.points for case in queue_of_unit(queued, OPERATOR, "T1").cases}
    assert plan.allocations == ()
    assert {u.crn: u.points for u in plan.unplaced} == points
    assert {u.reason for u in plan.unplaced} == {UnplacedReason.OVER_CEILING}
    assert plan.shortfall_officers > 0


def test_a_rebalance_moves_no_recent_case_and_reports_the_engines_figures(
    queued: Store, tmp_path: Path
) -> None:
    found = rebalance_unit(queued, OPERATOR, "P1", target=Decimal("10"), time_limit=2)
    moves = found.rebalance.moves
    assert moves and "R1" not in {move.crn for move in moves}
    before = {(m.from_staff_code, m.from_team_code): m.from_capacity_before for m in moves}
    for move in moves:
        assert before[(move.from_staff_code, move.from_team_code)] == capacity(
            queued, move.from_staff_code, move.from_team_code
        )
    holders = {move.crn: (move.to_staff_code, move.to_team_code) for move in moves}
    import_case_folder(queued, with_holders(tmp_path / "moved", holders))
    for move in moves:
        assert move.from_capacity_after == capacity(
            queued, move.from_staff_code, move.from_team_code
        )
        assert move.to_capacity_after == capacity(queued, move.to_staff_code, move.to_team_code)
    everyone = [
        capacity(queued, code, team) for code, team in (("S1", "T1"), ("S2", "T1"), ("S3", "T2"))
    ]
    assert found.rebalance.max_capacity_after == max(everyone)


def test_max_moves_limits_the_moves(queued: Store) -> None:
    found = rebalance_unit(queued, OPERATOR, "P1", target=Decimal("10"), max_moves=1, time_limit=2)
    assert len(found.rebalance.moves) == 1


def test_when_someone_leaves_their_cases_go_to_the_rest_of_the_team(
    queued: Store, tmp_path: Path
) -> None:
    found = what_if_leaves(queued, OPERATOR, "S2", "T1", LEAVING, ceiling=None, time_limit=2)
    assert (found.as_of, found.from_date) == (ON, LEAVING)
    assert [(p.crn, p.staff_code) for p in found.plan.allocations] == [("X000004", "S1")]
    s1_before = capacity(queued, "S1", "T1")
    import_case_folder(queued, with_holders(tmp_path / "gone", {"X000004": ("S1", "T1")}))
    s1, s2 = found.team
    assert (s1.staff_code, s1.leaving, s1.capacity_before) == ("S1", False, s1_before)
    assert (
        s1.capacity_after
        == capacity(queued, "S1", "T1")
        == found.plan.allocations[0].capacity_after
    )
    assert s1.caseload_after == s1.caseload_before + 1
    assert (s2.staff_code, s2.leaving, s2.caseload_after, s2.capacity_after) == (
        "S2",
        True,
        0,
        None,
    )


def test_cases_nobody_left_in_the_team_may_take_are_unplaced(queued: Store) -> None:
    found = what_if_leaves(queued, OPERATOR, "S1", "T1", LEAVING, time_limit=2)
    reasons = {unplaced.crn: unplaced.reason for unplaced in found.plan.unplaced}
    # S2, a PSO, may take none of S1's cases of tiers A3, B2 or B3.
    assert reasons == dict.fromkeys(
        ["R1", "X000001", "X000002"], UnplacedReason.NO_ELIGIBLE_PRACTITIONER
    )
    assert next((m.staff_code, m.capacity_after) for m in found.team) == ("S1", None)


def test_plans_are_for_a_team_or_a_pdu(queued: Store) -> None:
    for code in ("R1", "national"):
        with pytest.raises(WmtError, match="A plan is for a team or a PDU") as refused:
            suggest(queued, OPERATOR, code, time_limit=1)
        assert not isinstance(refused.value, NotFound)
    with pytest.raises(NotFound, match="There is no team or PDU 'NOPE'"):
        rebalance_unit(queued, OPERATOR, "NOPE", time_limit=1)


def test_a_unit_outside_someones_scope_is_answered_as_one_that_is_not_there(
    queued: Store,
) -> None:
    own = Viewer("tess", Role.TEAM_MANAGER, "T1")
    other = Viewer("tom", Role.TEAM_MANAGER, "T2")
    assert suggest(queued, own, "T1", time_limit=1).plan.allocations
    refused: tuple[Callable[[], object], ...] = (
        lambda: suggest(queued, other, "T1", time_limit=1),
        lambda: suggest(queued, own, "P1", time_limit=1),
        lambda: suggest(queued, own, "NOPE", time_limit=1),
        lambda: rebalance_unit(queued, other, "T1", time_limit=1),
        lambda: what_if_leaves(queued, other, "S1", "T1", LEAVING, time_limit=1),
        lambda: what_if_leaves(queued, own, "S3", "T2", LEAVING, time_limit=1),
    )
    for read in refused:
        with pytest.raises(NotFound) as not_found:
            read()
        assert str(not_found.value) == NOT_FOUND
    with pytest.raises(NotFound, match="S3 is not in team T1"):
        what_if_leaves(queued, own, "S3", "T1", LEAVING, time_limit=1)


def test_an_ndelius_extract_has_no_cases_to_plan(store: Store, tmp_path: Path) -> None:
    workbook = tmp_path / "WMT_PS.xlsx"
    write_ndelius_workbook(allocation_folder(tmp_path / "now", ON), workbook)
    import_ndelius_workbook(store, workbook)
    refused: tuple[Callable[[], object], ...] = (
        lambda: suggest(store, OPERATOR, "T1", time_limit=1),
        lambda: rebalance_unit(store, OPERATOR, "T1", time_limit=1),
        lambda: what_if_leaves(store, OPERATOR, "S1", "T1", LEAVING, time_limit=1),
    )
    for read in refused:
        with pytest.raises(WmtError, match="Plans need case-level imports"):
            read()
