"""Allocating a case through the service: who may, the rules and their override, two managers
at once, and the figures and roll-ups moving at once; then later imports laying the decision
over, confirming it or contradicting it.

The store holds the test snapshot (2026-11-20): X000006 waits in team T2 (untiered); S3 is
T2's PQiP, S1 and S2 are T1's PO and PSO; everyone is in PDU P1.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.case_folders import replace_line, write_folder
from tests.conftest import copied_store, database_content
from tests.web.conftest import imported_postgres, imported_sqlite  # noqa: F401 (fixtures)
from wmt.domain.access import Role, Viewer
from wmt.domain.allocation_rules import AllocationReason, DecisionStatus
from wmt.engine.decisions import CONTRADICTED_FINDING
from wmt.errors import NotFound
from wmt.services import allocating, allocation_decisions
from wmt.services.allocating import AllocationRequest, Holder
from wmt.services.importing import import_case_folder
from wmt.services.saving import EditConflict, InvalidInput, NotPermitted
from wmt.services.scope import OPERATOR
from wmt.store import schema
from wmt.store.transactions import Store

WAITING = "X000006,,T2,community,0,,,"
T2_MANAGER = Viewer("tina", Role.TEAM_MANAGER, "T2")
HEAD_OF_PDU = Viewer("pat", Role.HEAD_OF_PDU, "P1")
TO_S3 = AllocationRequest("X000006", "S3", seen=Holder())


@pytest.fixture
def held(database_url: str, request: pytest.FixtureRequest) -> Iterator[Store]:
    """A store holding the test snapshot (copied, not imported)."""
    yield from copied_store(database_url, request, "imported_sqlite", "imported_postgres")


def _units(store: Store) -> dict[tuple[str, str], tuple[int, int]]:
    """Each unit's caseload and unallocated cases on the newest snapshot."""
    table = schema.table_of(schema.UnitWorkload)
    with store.reading() as connection:
        rows = connection.execute(select(table)).all()
    return {(row.level, row.unit_code): (row.caseload, row.unallocated_cases) for row in rows}


def _case(store: Store, crn: str, on: date = date(2026, 11, 20)) -> tuple[Any, ...]:
    cases, snapshots = schema.table_of(schema.SnapshotCase), schema.table_of(schema.Snapshot)
    with store.reading() as connection:
        row = connection.execute(
            select(cases.c.staff_code, cases.c.allocated_date, cases.c.allocation_decision_id)
            .join(snapshots, snapshots.c.id == cases.c.snapshot_id)
            .where(snapshots.c.as_of == on, cases.c.crn == crn)
        ).one()
    return tuple(row)


def test_allocating_moves_the_practitioners_figure_and_every_roll_up_at_once(held: Store) -> None:
    before = _units(held)
    shown = allocating.proposal(held, T2_MANAGER, TO_S3)
    done = allocating.allocate(held, T2_MANAGER, TO_S3)
    assert (done.capacity_before, done.capacity_after) == (
        shown.capacity_before,
        shown.capacity_after,
    )
    assert _case(held, "X000006") == ("S3", date(2026, 11, 20), done.decision_id)
    after = _units(held)
    for unit in (("team", "T2"), ("pdu", "P1"), ("region", "R1"), ("national", "national")):
        caseload, unallocated = before[unit]
        assert after[unit] == (caseload + 1, unallocated - 1)
    assert after[("team", "T1")] == before[("team", "T1")]


def test_the_second_of_two_managers_is_refused_and_nothing_is_written(
    held: Store, database_url: str
) -> None:
    allocating.allocate(held, T2_MANAGER, TO_S3)
    content = database_content(database_url)
    second = AllocationRequest("X000006", "S3", seen=Holder())
    with pytest.raises(EditConflict, match=r"X000006 was allocated to S3 \(T2\) by tina at .*"):
        allocating.allocate(held, HEAD_OF_PDU, second)
    assert database_content(database_url) == content


@pytest.mark.parametrize(
    ("viewer", "refusal"),
    [
        (Viewer("t1", Role.TEAM_MANAGER, "T1"), NotFound),
        (Viewer("S3", Role.PRACTITIONER, "S3"), NotFound),
        (Viewer("reg", Role.REGIONAL_LEAD, "R1"), NotPermitted),
        (Viewer("nat", Role.NATIONAL, "national"), NotPermitted),
        (OPERATOR, NotPermitted),
    ],
)
def test_only_the_teams_manager_or_the_head_of_its_pdu_may_allocate(
    held: Store, viewer: Viewer, refusal: type[Exception]
) -> None:
    with pytest.raises(refusal):
        allocating.allocate(held, viewer, TO_S3)
    assert _case(held, "X000006") == (None, None, None)


def test_a_team_manager_may_not_give_a_case_to_another_team_but_a_head_of_pdu_may(
    held: Store,
) -> None:
    to_s1 = AllocationRequest("X000006", "S1", seen=Holder())
    with pytest.raises(NotPermitted):
        allocating.allocate(held, T2_MANAGER, to_s1)
    done = allocating.allocate(held, HEAD_OF_PDU, to_s1)
    assert (done.staff_code, done.team_code) == ("S1", "T1")


def test_an_ineligible_practitioner_needs_a_justification_which_the_decision_keeps(
    held: Store,
) -> None:
    t1_manager = Viewer("tom", Role.TEAM_MANAGER, "T1")
    move = AllocationRequest("X000001", "S2", reason="Caseload adjustment", seen=Holder("S1", "T1"))
    with pytest.raises(InvalidInput) as refused:
        allocating.allocate(held, t1_manager, move)
    assert "(grade)" in refused.value.errors["override_justification"]
    justified = AllocationRequest(
        "X000001",
        "S2",
        reason="Caseload adjustment",
        override_justification="Known to the family",
        seen=Holder("S1", "T1"),
    )
    done = allocating.allocate(held, t1_manager, justified)
    assert (done.from_staff_code, done.kind) == ("S1", "reallocation")
    listed = allocation_decisions.decisions(held, t1_manager, "team", "T1").rows
    assert [(d.crn, d.override_justification, d.reason) for d in listed] == [
        ("X000001", "Known to the family", AllocationReason.CASELOAD_ADJUSTMENT.value)
    ]


def test_a_reallocation_needs_one_of_the_nine_reasons(held: Store) -> None:
    t1_manager = Viewer("tom", Role.TEAM_MANAGER, "T1")
    with pytest.raises(InvalidInput) as refused:
        allocating.allocate(held, t1_manager, AllocationRequest("X000002", "S2", reason="Whim"))
    assert "is not a reason" in refused.value.errors["reason"]


def _import(store: Store, folder: Path, on: str, holder: str | None) -> None:
    cases = replace_line("cases.csv", WAITING, WAITING.replace(",,T2", f",{holder or ''},T2"))
    import_case_folder(store, write_folder(folder, {**cases, "snapshot.txt": f"{on}\n"}))


def _statuses(store: Store) -> list[tuple[str, str, date | None]]:
    found = allocation_decisions.decisions(store, OPERATOR, "national", "national")
    return [(d.crn, d.status, d.settled_on) for d in found.rows]


def test_later_imports_lay_the_decision_over_then_confirm_it(held: Store, tmp_path: Path) -> None:
    done = allocating.allocate(held, T2_MANAGER, TO_S3)
    _import(held, tmp_path / "a", "2026-11-27", None)
    assert _case(held, "X000006", date(2026, 11, 27)) == (
        "S3",
        date(2026, 11, 20),
        done.decision_id,
    )
    assert _statuses(held) == [("X000006", DecisionStatus.PENDING, None)]
    _import(held, tmp_path / "b", "2026-12-04", "S3")
    assert _case(held, "X000006", date(2026, 12, 4)) == ("S3", None, None)
    assert _statuses(held) == [("X000006", DecisionStatus.CONFIRMED, date(2026, 12, 4))]


def test_an_import_showing_someone_else_wins_and_says_so(held: Store, tmp_path: Path) -> None:
    allocating.allocate(held, HEAD_OF_PDU, AllocationRequest("X000006", "S1", team_code="T1"))
    _import(held, tmp_path / "a", "2026-11-27", "S3")
    assert _case(held, "X000006", date(2026, 11, 27)) == ("S3", None, None)
    assert _statuses(held) == [("X000006", DecisionStatus.CONTRADICTED, date(2026, 11, 27))]
    findings = schema.table_of(schema.QualityFinding)
    with held.reading() as connection:
        found = connection.execute(
            select(findings.c.crn, findings.c.detail).where(
                findings.c.finding == CONTRADICTED_FINDING
            )
        ).all()
    assert [row.crn for row in found] == ["X000006"]
    assert found[0].detail.startswith("allocated in wmt to S1 (T1) on 2026-11-20")


def _figures(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    stored = {}
    for model in (schema.OwnerWorkload, schema.UnitWorkload, schema.SnapshotCase):
        table = schema.table_of(model)
        with store.reading() as connection:
            rows = connection.execute(select(table).order_by(*table.primary_key)).all()
        stored[table.name] = [tuple(row)[1:] for row in rows]  # the snapshot's id aside
    return stored


def test_importing_the_same_date_again_gives_the_figures_the_allocation_left(
    held: Store, tmp_path: Path
) -> None:
    allocating.allocate(held, T2_MANAGER, TO_S3)
    left = _figures(held)
    import_case_folder(held, write_folder(tmp_path / "again"))
    assert _figures(held) == left


def test_practitioners_see_only_decisions_about_their_own_cases(held: Store) -> None:
    allocating.allocate(held, T2_MANAGER, TO_S3)
    allocating.allocate(
        held,
        Viewer("tom", Role.TEAM_MANAGER, "T1"),
        AllocationRequest(
            "X000002",
            "S2",
            reason="Other",
            notes="Private",
            sensitive=True,
            override_justification="x",
        ),
    )
    s2 = Viewer("S2", Role.PRACTITIONER, "S2")
    mine = allocation_decisions.decisions(held, s2, "practitioner", "S2").rows
    assert [(d.crn, d.notes) for d in mine] == [("X000002", None)]
    with pytest.raises(NotFound):
        allocation_decisions.decisions(held, s2, "team", "T1")
    assert len(allocation_decisions.decisions(held, HEAD_OF_PDU, "pdu", "P1").rows) == 2
    pending = allocation_decisions.decisions(held, HEAD_OF_PDU, "pdu", "P1", status="confirmed")
    assert pending.rows == []
