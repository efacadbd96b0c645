"""The allocation queue: each unit's unallocated, tiered cases, how long each has waited, its
first-appointment standard and the points it will add, for whoever may see the unit.

The snapshot of 2026-11-20 (a Friday) is the test snapshot with the cases below added; the
one of 2026-11-06 already held Q5 unallocated, without a sentence date.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import inspect

from tests.case_folders import VALID_FILES, write_folder
from tests.store.test_results_migration import _move_to
from wmt.demo.ndelius_workbook import write_ndelius_workbook
from wmt.domain.access import Role, Viewer
from wmt.domain.hierarchy import Level
from wmt.domain.points import default_points_configuration
from wmt.engine import calculate
from wmt.errors import NotFound
from wmt.ingest.case_folder import read_case_folder
from wmt.services.allocation_queue import AllocationQueue, QueuedCase, WaitingCount, queue
from wmt.services.importing import import_case_folder, import_ndelius_workbook
from wmt.services.scope import NOT_FOUND, OPERATOR
from wmt.store.transactions import Store

ON = date(2026, 11, 20)
EARLIER = date(2026, 11, 6)
ALLOCATION_COLUMNS = "sentence_date,previous_staff_code,rosh,initial_appointment_date"
QUEUED_CASES = (
    "Q1,,T1,community,B2,false,,,2026-11-12,,medium,\n"  # six working days: past the standard
    "Q2,,T2,licence,C1,false,,,2026-11-19,S3,HIGH,\n"  # released yesterday: within it
    "Q3,,T2,custody,A3,false,,,2026-10-01,GONE1,very_high,\n"  # custody: no standard
    "Q4,,T1,community,0,false,,,2026-11-01,,,\n"  # untiered: not queued
    "Q5,,T1,licence,D2,true,priority,,,S1,low,\n"  # no sentence date: waits from 2026-11-06
)


def allocation_folder(folder: Path, as_of: date, queued: str = QUEUED_CASES) -> Path:
    """The test snapshot on a date, its cases with the allocation columns and those queued."""
    header, *rows = VALID_FILES["cases.csv"].splitlines()
    cases = "".join([f"{header},{ALLOCATION_COLUMNS}\n", *(f"{row},,,,\n" for row in rows), queued])
    return write_folder(folder, {"cases.csv": cases, "snapshot.txt": f"{as_of}\n"})


@pytest.fixture
def queued(store: Store, tmp_path: Path) -> Store:
    earlier = "Q5,,T1,licence,D2,true,priority,,,S1,low,\n"
    import_case_folder(store, allocation_folder(tmp_path / "earlier", EARLIER, earlier))
    import_case_folder(store, allocation_folder(tmp_path / "now", ON))
    return store


def by_crn(found: AllocationQueue) -> dict[str, QueuedCase]:
    return {case.crn: case for case in found.cases}


def test_the_national_queue_lists_every_tiered_unallocated_case_longest_waiting_first(
    queued: Store,
) -> None:
    found = queue(queued, OPERATOR, Level.NATIONAL, "national")
    assert found.as_of == ON and not found.counted_only
    assert [case.crn for case in found.cases] == ["Q3", "Q5", "Q1", "Q2"]
    q2 = found.cases[3]
    assert (q2.team_code, q2.case_type, q2.tier, q2.rosh) == ("T2", "licence", "C1", "high")
    assert (q2.sentence_date, q2.previous_staff_code) == (date(2026, 11, 19), "S3")


def test_waiting_days_count_from_the_sentence_date(queued: Store) -> None:
    found = by_crn(queue(queued, OPERATOR, Level.NATIONAL, "national"))
    assert [found[crn].waiting_days for crn in ("Q1", "Q2", "Q3")] == [8, 1, 50]


def test_without_a_sentence_date_waiting_counts_from_the_first_snapshot_it_waits_in(
    queued: Store,
) -> None:
    found = by_crn(queue(queued, OPERATOR, Level.TEAM, "T1"))
    assert found["Q5"].waiting_days == (ON - EARLIER).days
    earlier = by_crn(queue(queued, OPERATOR, Level.TEAM, "T1", as_of=EARLIER))
    assert earlier["Q5"].waiting_days == 0


def test_cases_past_the_first_appointment_standard_are_marked(queued: Store) -> None:
    found = queue(queued, OPERATOR, Level.NATIONAL, "national")
    past = {case.crn for case in found.cases if case.past_first_appointment_standard}
    assert past == {"Q1"}


def test_the_next_working_day_puts_a_licence_case_past_its_standard(
    queued: Store, tmp_path: Path
) -> None:
    monday = date(2026, 11, 23)  # two working days after Q2's release on Thursday
    import_case_folder(queued, allocation_folder(tmp_path / "monday", monday))
    found = queue(queued, OPERATOR, Level.TEAM, "T2")
    assert {c.crn for c in found.cases if c.past_first_appointment_standard} == {"Q2"}


def test_untiered_cases_are_not_queued(queued: Store) -> None:
    found = by_crn(queue(queued, OPERATOR, Level.NATIONAL, "national"))
    assert "Q4" not in found and "X000006" not in found


def test_points_are_what_the_engine_adds_when_the_case_is_held(
    queued: Store, tmp_path: Path
) -> None:
    found = by_crn(queue(queued, OPERATOR, Level.NATIONAL, "national"))
    tables, _ = read_case_folder(allocation_folder(tmp_path / "again", ON))
    config = default_points_configuration()
    points = ["case_points_centi", "t2a_points_centi"]

    def s1_points(cases: pl.DataFrame) -> int:
        owners = calculate(replace(tables, cases=cases), config, ON).owners
        return int(
            owners.filter(pl.col("staff_code") == "S1").select(pl.sum_horizontal(points)).item()
        )

    before = s1_points(tables.cases)
    for crn in ("Q1", "Q3", "Q5"):  # community, custody, and a T2A case
        given = pl.col("crn") == crn
        held = tables.cases.with_columns(
            staff_code=pl.when(given).then(pl.lit("S1")).otherwise("staff_code"),
            team_code=pl.when(given).then(pl.lit("T1")).otherwise("team_code"),
        )
        added = Decimal(s1_points(held) - before).scaleb(-2)
        assert found[crn].points == added > 0


def test_a_team_manager_sees_their_own_teams_queue_only(queued: Store) -> None:
    manager = Viewer("tess", Role.TEAM_MANAGER, "T1")
    found = queue(queued, manager, Level.TEAM, "T1")
    assert sorted(case.crn for case in found.cases) == ["Q1", "Q5"]
    for level, code in ((Level.TEAM, "T2"), (Level.PDU, "P1"), (Level.NATIONAL, "national")):
        with pytest.raises(NotFound) as refused:
            queue(queued, manager, level, code)
        assert str(refused.value) == NOT_FOUND


def test_a_unit_that_is_not_there_is_not_found(queued: Store) -> None:
    with pytest.raises(NotFound, match="There is no pdu 'P9'"):
        queue(queued, OPERATOR, Level.PDU, "P9")


def test_a_pdu_queue_holds_its_teams_cases(queued: Store) -> None:
    found = queue(queued, OPERATOR, Level.PDU, "P1")
    assert {case.team_code for case in found.cases} == {"T1", "T2"}
    assert len(found.cases) == 4


def test_an_ndelius_extract_gives_counts_by_type_and_tier(store: Store, tmp_path: Path) -> None:
    workbook = tmp_path / "WMT_PS.xlsx"
    write_ndelius_workbook(allocation_folder(tmp_path / "now", ON), workbook)
    import_ndelius_workbook(store, workbook)
    found = queue(store, OPERATOR, Level.TEAM, "T2")
    assert found.counted_only and found.cases == ()
    assert found.counts == (
        WaitingCount("custody", "A3", 1),
        WaitingCount("licence", "C1", 1),
    )


def test_cases_stored_before_migration_0011_wait_from_their_first_snapshot(queued: Store) -> None:
    _move_to(queued, "0010")
    with queued.reading() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("snapshot_case")}
    assert "sentence_date" not in columns and "rosh" not in columns
    _move_to(queued, "head")
    found = by_crn(queue(queued, OPERATOR, Level.NATIONAL, "national"))
    assert sorted(found) == ["Q1", "Q2", "Q3", "Q5"]
    assert {case.sentence_date for case in found.values()} == {None}
    assert {case.rosh for case in found.values()} == {None}
    assert found["Q5"].waiting_days == (ON - EARLIER).days and found["Q1"].waiting_days == 0
