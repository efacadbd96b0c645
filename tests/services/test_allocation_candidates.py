"""Who could take a case: each practitioner's capacity before and after is the figure the
engine gives once the case is theirs, those who may not take it are listed with the reason,
and a person sees candidates only for cases in their scope.

The snapshot is the queue's (tests/services/test_allocation_queue.py): Q1, a community case of
tier B2 and medium risk, waits in team T1 (S1, a PO; S2, a PSO); team T2 holds S3 (PQiP).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import run_wmt
from tests.services.test_allocation_queue import ON, QUEUED_CASES, allocation_folder
from wmt.domain.access import Role, Viewer
from wmt.errors import NotFound
from wmt.services.allocation_candidates import candidates_for_case, candidates_for_kind
from wmt.services.importing import import_case_folder
from wmt.services.overview import practitioner_overview
from wmt.services.scope import NOT_FOUND, OPERATOR
from wmt.store.transactions import Store

CONTRACT = [
    "staff_code",
    "team_code",
    "grade",
    "eligible",
    "why_not",
    "continuity",
    "caseload",
    "capacity_before",
    "capacity_after",
    "allocated_last_7_days",
]


@pytest.fixture
def queued(store: Store, tmp_path: Path) -> Store:
    import_case_folder(store, allocation_folder(tmp_path / "now", ON))
    return store


def _capacity(store: Store, staff_code: str) -> Decimal:
    return practitioner_overview(store, OPERATOR, staff_code).workloads[0].capacity_percent


def test_capacity_after_is_the_engines_figure_once_the_case_is_theirs(
    queued: Store, tmp_path: Path
) -> None:
    found = candidates_for_case(queued, OPERATOR, "Q1")
    assert found.case.crn == "Q1" and found.case.team_code == "T1" and found.case.points > 0
    by_staff = {candidate.staff_code: candidate for candidate in found.candidates}
    assert list(by_staff) == ["S1", "S2"]  # the team of the case, the eligible first
    for staff_code, candidate in by_staff.items():
        assert candidate.capacity_before == _capacity(queued, staff_code)
        given = QUEUED_CASES.replace("Q1,,T1", f"Q1,{staff_code},T1")
        import_case_folder(queued, allocation_folder(tmp_path / staff_code, ON, given))
        assert _capacity(queued, staff_code) == candidate.capacity_after > candidate.capacity_before
        assert candidate.caseload_after == candidate.caseload + 1
        import_case_folder(queued, allocation_folder(tmp_path / f"{staff_code}-back", ON))


def test_those_who_may_not_take_it_say_why(queued: Store) -> None:
    by_staff = {c.staff_code: c for c in candidates_for_case(queued, OPERATOR, "Q1").candidates}
    assert (by_staff["S1"].eligible, by_staff["S1"].why_not) == (True, None)
    assert (by_staff["S2"].eligible, by_staff["S2"].why_not) == (False, "grade")  # PSO, B2


def test_their_previous_practitioner_comes_first(queued: Store) -> None:
    found = candidates_for_case(queued, OPERATOR, "Q5")  # T1's licence case, last with S1
    first, *others = found.candidates
    assert (first.staff_code, first.continuity) == ("S1", True)
    assert not [other for other in others if other.continuity]


def test_a_kind_of_case_not_in_the_queue_is_offered_across_a_pdu(queued: Store) -> None:
    found = candidates_for_kind(queued, OPERATOR, "P1", "B2", "community")
    assert found.case.crn is None
    assert found.case.points == candidates_for_case(queued, OPERATOR, "Q1").case.points
    assert sorted(c.staff_code for c in found.candidates) == ["S1", "S2", "S3"]


def test_a_person_sees_candidates_only_for_cases_in_their_scope(queued: Store) -> None:
    own = Viewer("tess", Role.TEAM_MANAGER, "T1")
    other = Viewer("tom", Role.TEAM_MANAGER, "T2")
    assert candidates_for_case(queued, own, "Q1").candidates
    refused: tuple[Callable[[], object], ...] = (
        lambda: candidates_for_case(queued, other, "Q1"),
        lambda: candidates_for_kind(queued, other, "T1", "B2", "community"),
        lambda: candidates_for_kind(queued, own, "P1", "B2", "community"),
    )
    for read in refused:
        with pytest.raises(NotFound) as not_found:
            read()
        assert str(not_found.value) == NOT_FOUND
    with pytest.raises(NotFound):
        candidates_for_case(queued, OPERATOR, "X000001")  # held already: not waiting


def test_the_command_keeps_the_contract(database_url: str, tmp_path: Path) -> None:
    folder = allocation_folder(tmp_path / "now", ON)
    assert run_wmt("import", str(folder), db=database_url).exit_code == 0
    said = run_wmt("allocation", "candidates", "Q1", "--format", "json", db=database_url)
    assert said.exit_code == 0, said.stderr
    rows = json.loads(said.stdout)
    assert [list(row) for row in rows] == [CONTRACT, CONTRACT]
    assert [row["staff_code"] for row in rows] == ["S1", "S2"]
    for row in rows:
        for name in ("capacity_before", "capacity_after"):
            whole, _, tenths = row[name].partition(".")
            assert whole.isdigit() and len(tenths) == 1, row
    kind = ("--unit", "P1", "--tier", "B2", "--case-type", "community")
    by_kind = run_wmt("allocation", "candidates", *kind, "--format", "csv", db=database_url)
    assert by_kind.exit_code == 0 and by_kind.stdout.splitlines()[0] == ",".join(CONTRACT)
    neither = run_wmt("allocation", "candidates", "--tier", "B2", db=database_url)
    assert neither.exit_code == 1 and "Give a CRN" in neither.stderr
