"""`wmt allocation suggest`, `rebalance` and `what-if-leave` keep the contract of
allocation.md: the JSON objects' field names, decimals as text with their places, and each
capacity after the figure the calculation gives once the plan is imported."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_wmt
from tests.services.test_allocation_plans import RECENT, with_holders
from tests.services.test_allocation_queue import ON, QUEUED_CASES, allocation_folder
from tests.test_docs import ROOT, commands, run_documented

PLAN = ["allocations", "unplaced", "max_capacity_after", "lower_bound", "status"]
PLACEMENT = ["crn", "staff_code", "team_code", "capacity_before", "capacity_after"]
UNPLACED = ["crn", "points", "reason"]
REBALANCE = ["moves", "max_capacity_before", "max_capacity_after", "status"]
MOVE = ["crn", "from_staff_code", "to_staff_code", "points"]
LEAVING = ["as_of", "staff_code", "team_code", "from_date", "team", *PLAN]
TEAM_MEMBER = [
    "staff_code",
    "grade",
    "leaving",
    "caseload_before",
    "caseload_after",
    "capacity_before",
    "capacity_after",
]
STATUSES = {"optimal", "feasible"}
QUICK = ("--time-limit", "2")
GUIDED = ("suggest", "rebalance", "what-if-leave")


@pytest.fixture
def queued(database_url: str, tmp_path: Path) -> str:
    folder = allocation_folder(tmp_path / "now", ON, QUEUED_CASES + RECENT)
    assert run_wmt("import", str(folder), db=database_url).exit_code == 0
    return database_url


def json_of(*args: str, db: str) -> Any:
    said = run_wmt("allocation", *args, "--format", "json", db=db)
    assert said.exit_code == 0, said.stderr
    return json.loads(said.stdout)


def is_percent(text: object) -> bool:
    """A percentage as the API writes it: text with one decimal place."""
    whole, point, tenths = str(text).partition(".")
    return isinstance(text, str) and whole.isdigit() and point == "." and len(tenths) == 1


def is_points(text: object) -> bool:
    whole, point, hundredths = str(text).partition(".")
    return isinstance(text, str) and whole.isdigit() and point == "." and len(hundredths) == 2


def capacities(db: str) -> dict[tuple[str, str], str]:
    said = run_wmt("capacity", "--level", "practitioner", "--format", "json", db=db)
    assert said.exit_code == 0, said.stderr
    return {
        (r["staff_code"], r["team_code"]): r["capacity_percent"] for r in json.loads(said.stdout)
    }


def test_a_suggestion_keeps_the_contract_and_the_engines_figures(
    queued: str, tmp_path: Path
) -> None:
    plan = json_of("suggest", "--unit", "P1", "--allow-over", *QUICK, db=queued)
    assert list(plan) == PLAN
    assert [row["crn"] for row in plan["allocations"]] == ["Q1", "Q2", "Q3", "Q5"]
    assert plan["unplaced"] == [] and plan["status"] in STATUSES
    for row in plan["allocations"]:
        assert list(row) == PLACEMENT
        assert all(isinstance(row[name], str) for name in ("crn", "staff_code", "team_code"))
        assert is_percent(row["capacity_before"]) and is_percent(row["capacity_after"])
    assert is_percent(plan["max_capacity_after"]) and is_percent(plan["lower_bound"])
    before = capacities(queued)
    holders = {row["crn"]: (row["staff_code"], row["team_code"]) for row in plan["allocations"]}
    folder = with_holders(tmp_path / "planned", holders)
    assert run_wmt("import", str(folder), db=queued).exit_code == 0
    after = capacities(queued)
    for row in plan["allocations"]:
        owner = (row["staff_code"], row["team_code"])
        assert (row["capacity_before"], row["capacity_after"]) == (before[owner], after[owner])
    largest = max(Decimal(row["capacity_after"]) for row in plan["allocations"])
    assert Decimal(plan["max_capacity_after"]) == largest


def test_unplaced_cases_carry_their_points_and_why(queued: str) -> None:
    plan = json_of("suggest", "--unit", "T1", "--ceiling", "1", *QUICK, db=queued)
    assert plan["allocations"] == []
    assert [row["crn"] for row in plan["unplaced"]] == ["Q1", "Q5"]
    for row in plan["unplaced"]:
        assert list(row) == UNPLACED and is_points(row["points"])
        assert row["reason"] == "every eligible practitioner would pass the ceiling"


def test_a_rebalance_keeps_the_contract(queued: str) -> None:
    moved = json_of(
        "rebalance", "--unit", "P1", "--target", "10", "--max-moves", "2", *QUICK, db=queued
    )
    assert list(moved) == REBALANCE and moved["status"] in STATUSES
    assert 0 < len(moved["moves"]) <= 2
    for row in moved["moves"]:
        assert list(row) == MOVE and is_points(row["points"]) and row["crn"] != "R1"
        assert row["from_staff_code"] != row["to_staff_code"]
    before, after = Decimal(moved["max_capacity_before"]), Decimal(moved["max_capacity_after"])
    assert is_percent(moved["max_capacity_before"]) and after < before


def test_what_if_someone_leaves_shows_the_team_before_and_after(queued: str) -> None:
    found = json_of(
        "what-if-leave", "S2", "--team", "T1", "--from", "2026-12-01", "--allow-over", *QUICK,
        db=queued,
    )  # fmt: skip
    assert list(found) == LEAVING
    assert (found["as_of"], found["from_date"]) == (str(ON), "2026-12-01")
    assert [list(row) for row in found["team"]] == [TEAM_MEMBER, TEAM_MEMBER]
    s1, s2 = found["team"]
    assert (s1["staff_code"], s1["leaving"], s2["leaving"], s2["capacity_after"]) == (
        "S1",
        False,
        True,
        None,
    )
    assert [row["crn"] for row in found["allocations"]] == ["X000004"]
    assert s1["capacity_after"] == found["allocations"][0]["capacity_after"]


def test_the_tables_are_titled_with_the_unit_and_date(queued: str) -> None:
    said = run_wmt("allocation", "suggest", "--unit", "T1", "--ceiling", "1", *QUICK, db=queued)
    assert said.exit_code == 0, said.stderr
    lines = [line.strip() for line in said.stdout.splitlines()]
    assert lines[0] == f"A plan for the queue of T1 on {ON} (ceiling 1 %)"
    assert "Unplaced" in lines
    said = run_wmt("allocation", "rebalance", "--unit", "T1", *QUICK, db=queued)
    assert said.stdout.splitlines()[0].strip() == f"Moves to bring T1 to 110 % on {ON}"


def test_a_region_or_a_wrong_percentage_is_refused(queued: str) -> None:
    region = run_wmt("allocation", "suggest", "--unit", "R1", db=queued)
    assert region.exit_code == 1 and "A plan is for a team or a PDU" in region.stderr
    wrong = run_wmt("allocation", "rebalance", "--unit", "T1", "--target", "-5", db=queued)
    assert wrong.exit_code == 2 and "is not a percentage" in wrong.stderr


def test_the_guides_plan_commands_print_what_it_says(tmp_path: Path) -> None:
    guide = [
        command
        for command in commands(ROOT / "docs" / "cli.md")
        if command.split()[:3] in (["wmt", "allocation", name] for name in GUIDED)
    ]
    assert len(guide) == 4
    run_documented("wmt demo-data week --scale small --seed 3 --as-of 2026-11-20", tmp_path)
    run_documented("wmt import week", tmp_path)
    said = [run_documented(command, tmp_path) for command in guide]
    assert said[0].splitlines()[0].strip() == (
        "A plan for the queue of R01P02 on 2026-11-20 (ceiling 110 %)"
    )
    plan, moved = json.loads(said[1]), json.loads(said[2])
    assert list(plan) == PLAN and all(list(row) == PLACEMENT for row in plan["allocations"])
    assert list(moved) == REBALANCE and 0 < len(moved["moves"]) <= 5
    assert said[3].splitlines()[0].strip() == (
        "Team R01P02T01 on 2026-11-20, and once STF866422 leaves on 2026-12-01"
    )
