"""The reading services check who may see what themselves, whoever calls them.

Called directly, as a command or a batch job would, with a person of each role: a unit outside
their scope is not found, in the same words as a unit that does not exist, and a unit's
overview lists only what lies inside the person's scope.

The snapshot: region R1 > PDU P1 > teams T1 (S1, S2) and T2 (S3); region R2 > PDU P2 >
team T3 (S4).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.case_folders import VALID_FILES, write_folder
from wmt.domain.access import Place, Role, Viewer
from wmt.domain.hierarchy import Level
from wmt.errors import NotFound
from wmt.services.audit import unit_audit
from wmt.services.capacity import PractitionerFigures, UnitFigures, capacity
from wmt.services.history import history
from wmt.services.importing import import_case_folder
from wmt.services.inputs import inputs_to_read, set_contracted_hours
from wmt.services.overview import caseload_matrix, practitioner_overview, unit_overview
from wmt.services.places import teams_in_unit
from wmt.services.scope import NOT_FOUND, OPERATOR, visible_children
from wmt.services.signals import quality, signal_counts, signals
from wmt.store.transactions import Store

ON = date(2026, 11, 20)
PRACTITIONER = Viewer("ada", Role.PRACTITIONER, "S1")
MANAGER = Viewer("tess", Role.TEAM_MANAGER, "T1")
HEAD = Viewer("pat", Role.HEAD_OF_PDU, "P1")
LEAD = Viewer("rory", Role.REGIONAL_LEAD, "R1")
NATIONAL = Viewer("nia", Role.NATIONAL, "national")


@pytest.fixture
def two_regions(store: Store, tmp_path: Path) -> Store:
    """The test snapshot with a second region, holding one team of one practitioner."""
    extra = {
        "units.csv": "R2,South,P2,Kent,T3,Kent Team 3\n",
        "staff.csv": "S4,T3,PO,Dev,Evans,37,2020-01-01,\n",
        "cases.csv": "X000007,S4,T3,community,A1,false,,2026-01-05\n",
    }
    changes = {name: VALID_FILES[name] + lines for name, lines in extra.items()}
    import_case_folder(store, write_folder(tmp_path / "s", changes))
    return store


def _not_found(read: Callable[[], Any]) -> str:
    with pytest.raises(NotFound) as refused:
        read()
    return str(refused.value)


def _children(store: Store, viewer: Viewer, level: str, code: str) -> list[str]:
    found = unit_overview(store, viewer, level, code)
    key = "staff_code" if found.child_level is Level.PRACTITIONER else "unit_code"
    return sorted(getattr(row, key) for row in found.children)


def _capacity_codes(store: Store, viewer: Viewer, level: str, unit: str | None = None) -> list[str]:
    """The codes of the units (or practitioners) a capacity listing gives the person."""
    rows = capacity(store, viewer, level, unit).rows
    return [
        row.staff_code if isinstance(row, PractitionerFigures) else row.unit_code for row in rows
    ]


def test_a_team_manager_asking_for_another_team_is_told_it_is_not_found(
    two_regions: Store,
) -> None:
    store = two_regions
    assert _children(store, MANAGER, "team", "T1") == ["S1", "S2"]
    for level, code in (("team", "T2"), ("team", "T3"), ("pdu", "P1"), ("national", "national")):
        assert _not_found(partial(unit_overview, store, MANAGER, level, code)) == NOT_FOUND
    # A code no unit has is answered in the very same words.
    assert _not_found(lambda: unit_overview(store, MANAGER, "team", "NOWHERE")) == NOT_FOUND
    assert _not_found(lambda: practitioner_overview(store, MANAGER, "S3")) == NOT_FOUND
    assert practitioner_overview(store, MANAGER, "S2").staff_code == "S2"


def test_a_head_of_pdu_sees_the_teams_of_their_pdu_and_nothing_beyond(two_regions: Store) -> None:
    store = two_regions
    assert _children(store, HEAD, "pdu", "P1") == ["T1", "T2"]
    own = unit_overview(store, HEAD, "pdu", "P1").summary
    assert (own.unit_name, own.practitioners, own.caseload) == ("Tyneside", 3, 5)
    assert own.unallocated_cases == 1
    assert _children(store, HEAD, "team", "T2") == ["S3"]
    for level, code in (("pdu", "P2"), ("team", "T3"), ("region", "R1")):
        assert _not_found(partial(unit_overview, store, HEAD, level, code)) == NOT_FOUND
    assert _not_found(lambda: practitioner_overview(store, HEAD, "S4")) == NOT_FOUND


def test_a_practitioner_reads_only_their_own_figures(two_regions: Store) -> None:
    store = two_regions
    own = practitioner_overview(store, PRACTITIONER, "S1")
    assert [workload.team_code for workload in own.workloads] == ["T1"]
    assert own.on_newest_snapshot
    assert caseload_matrix(store, PRACTITIONER, "practitioner", "S1").rows
    assert history(store, PRACTITIONER, "practitioner", "S1").rows[0].unit_code == "S1"
    assert _capacity_codes(store, PRACTITIONER, "practitioner", "P1") == ["S1"]
    refused = (
        lambda: practitioner_overview(store, PRACTITIONER, "S2"),
        lambda: unit_overview(store, PRACTITIONER, "team", "T1"),
        lambda: caseload_matrix(store, PRACTITIONER, "team", "T1"),
        lambda: history(store, PRACTITIONER, "team", "T1"),
        lambda: signals(store, PRACTITIONER, "team", "T1"),
        lambda: quality(store, PRACTITIONER, "team", "T1"),
        lambda: signals(store, PRACTITIONER),  # the whole service
        lambda: capacity(store, PRACTITIONER, "practitioner", "S2"),
        lambda: capacity(store, PRACTITIONER, "team", "T1"),
    )
    assert [_not_found(read) for read in refused] == [NOT_FOUND] * len(refused)


def test_capacity_lists_only_the_rows_inside_the_persons_scope(two_regions: Store) -> None:
    store = two_regions
    assert _capacity_codes(store, MANAGER, "team", "P1") == ["T1"]  # their own team, not a refusal
    assert _capacity_codes(store, MANAGER, "practitioner", "P1") == ["S1", "S2"]
    assert _capacity_codes(store, HEAD, "team") == ["T1", "T2"]
    assert _capacity_codes(store, LEAD, "pdu", "national") == ["P1"]
    assert _capacity_codes(store, OPERATOR, "team") == ["T1", "T2", "T3"]
    for viewer, level, unit in (
        (MANAGER, "pdu", "P1"),
        (HEAD, "team", "P2"),
        (HEAD, "region", None),
    ):
        assert _not_found(partial(capacity, store, viewer, level, unit)) == NOT_FOUND


def test_every_reading_refuses_a_unit_outside_scope_as_one_that_is_not_there(
    two_regions: Store,
) -> None:
    store = two_regions
    # Each reading gives the date of the figures it read.
    reads: list[Callable[[str], date]] = [
        lambda code: caseload_matrix(store, LEAD, "pdu", code).as_of,
        lambda code: history(store, LEAD, "pdu", code).rows[-1].as_of,
        lambda code: signals(store, LEAD, "pdu", code).as_of,
        lambda code: quality(store, LEAD, "pdu", code).as_of,
        lambda code: signal_counts(store, LEAD, "pdu", code).as_of,
    ]
    for read in reads:
        assert read("P1") == ON
        outside, unknown = (_not_found(partial(read, code)) for code in ("P2", "NOWHERE"))
        assert outside == unknown == NOT_FOUND


def test_whoever_sees_everything_is_told_what_is_missing(two_regions: Store) -> None:
    store = two_regions
    assert _children(store, NATIONAL, "national", "national") == ["R1", "R2"]
    assert _children(store, OPERATOR, "region", "R2") == ["P2"]
    for viewer in (NATIONAL, OPERATOR):
        missing = _not_found(partial(unit_overview, store, viewer, "team", "NOWHERE"))
        assert missing == "There is no team 'NOWHERE' in the snapshot of 2026-11-20."
    assert [
        row.unit_code
        for row in capacity(store, OPERATOR, "region").rows
        if isinstance(row, UnitFigures)
    ] == ["R1", "R2"]


def test_a_child_outside_the_scope_never_slips_into_an_overview() -> None:
    team = Place(Level.TEAM, "T1", team="T1", pdu="P1", region="R1")
    rows = [
        SimpleNamespace(staff_code="S1", team_code="T1"),
        SimpleNamespace(staff_code="S9", team_code="T9"),
    ]
    assert visible_children(MANAGER, team, Level.PRACTITIONER, rows) == rows[:1]
    assert visible_children(OPERATOR, None, Level.PRACTITIONER, rows) == rows


def test_the_teams_of_a_unit_are_read_for_its_changes(two_regions: Store) -> None:
    assert sorted(teams_in_unit(two_regions, "pdu", "P1")) == ["T1", "T2"]
    assert teams_in_unit(two_regions, "region", "R2") == ["T3"]


def test_changes_and_inputs_are_read_within_the_persons_scope(two_regions: Store) -> None:
    store = two_regions
    set_contracted_hours(store, MANAGER, "S1", "T1", Decimal("30"), 0)
    assert [event.staff_code for event in unit_audit(store, MANAGER, "team", "T1").rows] == ["S1"]
    assert [event.staff_code for event in unit_audit(store, HEAD, "pdu", "P1").rows] == ["S1"]
    assert unit_audit(store, NATIONAL, "national", "national").rows
    assert inputs_to_read(store, PRACTITIONER, "S1", "T1").staff_code == "S1"
    refused = (
        lambda: unit_audit(store, MANAGER, "team", "T2"),
        lambda: unit_audit(store, MANAGER, "practitioner", "S3"),
        lambda: unit_audit(store, PRACTITIONER, "team", "T1"),
        lambda: unit_audit(store, LEAD, "region", "R2"),
        lambda: inputs_to_read(store, MANAGER, "S4", "T3"),
        lambda: inputs_to_read(store, PRACTITIONER, "S2", "T1"),
    )
    assert [_not_found(read) for read in refused] == [NOT_FOUND] * len(refused)
