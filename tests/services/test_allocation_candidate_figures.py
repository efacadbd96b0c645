"""What the pages show of each candidate beside the command line's figures: their name,
caseload per full-time equivalent after, cases given in the last 30 days and reductions
ending soon; who may allocate; and candidates for a case someone already holds.

The snapshot is the queue's (tests/services/test_allocation_queue.py), with S1 given X000002
19 days before it and a reduction of S1's ending 11 days after it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.case_folders import VALID_FILES
from tests.services.test_allocation_queue import ON, QUEUED_CASES, allocation_folder
from wmt.domain.access import Role, Viewer
from wmt.domain.thresholds import Thresholds
from wmt.errors import NotFound
from wmt.services.allocation_candidates import (
    Candidate,
    candidates_for_case,
    candidates_for_reallocation,
)
from wmt.services.importing import import_case_folder
from wmt.services.scope import OPERATOR
from wmt.store.transactions import Store

REDUCTION_END = date(2026, 12, 1)


@pytest.fixture
def queued(store: Store, tmp_path: Path) -> Store:
    folder = allocation_folder(tmp_path / "now", ON, QUEUED_CASES)
    cases = (folder / "cases.csv").read_text().replace("B2,,,2025-06-01", "B2,,,2026-11-01")
    reductions = VALID_FILES["reductions.csv"] + (
        f"S1,T1,trade union facility time,2,2026-10-01,{REDUCTION_END},active,\n"
    )
    (folder / "cases.csv").write_text(cases)
    (folder / "reductions.csv").write_text(reductions)
    import_case_folder(store, folder)
    return store


def _by_staff(candidates: tuple[Candidate, ...]) -> dict[str, Candidate]:
    return {candidate.staff_code: candidate for candidate in candidates}


def test_candidates_carry_their_names_and_recent_cases(queued: Store) -> None:
    s1 = _by_staff(candidates_for_case(queued, OPERATOR, "Q1").candidates)["S1"]
    assert (s1.forename, s1.surname) == ("Ada", "Brown")
    assert (s1.allocated_last_7_days, s1.allocated_last_30_days) == (0, 1)
    assert (s1.reductions_ending_soon, s1.first_reduction_end) == (1, REDUCTION_END)
    assert s1.weeks_over_overload == 0  # 21 % in the one snapshot


def test_caseload_per_fte_after_scales_to_full_time_hours(queued: Store) -> None:
    by_staff = _by_staff(candidates_for_case(queued, OPERATOR, "Q5").candidates)
    full_time = Thresholds().full_time_hours
    s1, s2 = by_staff["S1"], by_staff["S2"]  # S1 full time; S2 on 18.5 hours
    assert s1.caseload_per_fte_after == Decimal(s1.caseload_after).quantize(Decimal("0.1"))
    expected = (Decimal(s2.caseload_after) * full_time / Decimal("18.5")).quantize(Decimal("0.1"))
    assert s2.caseload_per_fte_after == expected


@pytest.mark.parametrize(
    ("role", "scope", "may"),
    [
        (Role.TEAM_MANAGER, "T1", True),
        (Role.HEAD_OF_PDU, "P1", True),
        (Role.REGIONAL_LEAD, "R1", False),
        (Role.NATIONAL, "national", False),
    ],
)
def test_only_the_teams_manager_or_head_of_pdu_may_allocate(
    queued: Store, role: Role, scope: str, may: bool
) -> None:
    viewer = Viewer("someone", role, scope)
    assert candidates_for_case(queued, viewer, "Q1").may_allocate is may


def test_a_held_case_lists_its_holder_apart(queued: Store) -> None:
    found = candidates_for_reallocation(queued, OPERATOR, "X000004")  # S2's D2 case in T1
    assert found.holder is not None and found.holder.staff_code == "S2"
    assert found.holder.capacity_after == found.holder.capacity_before
    assert found.holder.caseload_after == found.holder.caseload
    assert [candidate.staff_code for candidate in found.candidates] == ["S1"]
    assert found.case.crn == "X000004" and found.case.team_code == "T1"


def test_a_waiting_case_has_no_holder_to_reallocate_from(queued: Store) -> None:
    with pytest.raises(NotFound, match="held by a practitioner"):
        candidates_for_reallocation(queued, OPERATOR, "Q1")
