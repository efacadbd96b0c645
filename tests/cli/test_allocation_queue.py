"""`wmt allocation queue` keeps the contract of allocation.md: one row per queued case with
the columns scripts read, as a table, CSV or JSON, for any unit code."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.conftest import run_wmt
from tests.services.test_allocation_queue import EARLIER, ON, allocation_folder
from wmt.demo.ndelius_workbook import write_ndelius_workbook

CONTRACT = [
    "crn",
    "team_code",
    "case_type",
    "tier",
    "rosh",
    "sentence_date",
    "waiting_days",
    "points",
    "previous_staff_code",
]


@pytest.fixture
def queued(database_url: str, tmp_path: Path) -> str:
    earlier = "Q5,,T1,licence,D2,true,priority,,,S1,low,\n"
    for folder in (
        allocation_folder(tmp_path / "earlier", EARLIER, earlier),
        allocation_folder(tmp_path / "now", ON),
    ):
        assert run_wmt("import", str(folder), db=database_url).exit_code == 0
    return database_url


def test_json_has_the_contract_fields_with_decimals_as_text(queued: str) -> None:
    result = run_wmt("allocation", "queue", "--format", "json", db=queued)
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [row["crn"] for row in rows] == ["Q3", "Q5", "Q1", "Q2"]
    assert all(list(row) == CONTRACT for row in rows)
    q2 = rows[3]
    assert q2 == {
        "crn": "Q2",
        "team_code": "T2",
        "case_type": "licence",
        "tier": "C1",
        "rosh": "high",
        "sentence_date": "2026-11-19",
        "waiting_days": 1,
        "points": q2["points"],
        "previous_staff_code": "S3",
    }
    assert isinstance(q2["points"], str) and q2["points"].endswith(".00")


def test_csv_for_a_team_lists_only_its_cases(queued: str) -> None:
    result = run_wmt("allocation", "queue", "--unit", "T1", "--format", "csv", db=queued)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(row["crn"], row["team_code"]) for row in rows] == [("Q5", "T1"), ("Q1", "T1")]
    assert rows[0]["sentence_date"] == "" and rows[0]["waiting_days"] == "14"


def test_an_earlier_date_shows_that_days_queue(queued: str) -> None:
    result = run_wmt(
        "allocation", "queue", "--unit", "P1", "--as-of", str(EARLIER), "--format", "json",
        db=queued,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert [row["crn"] for row in json.loads(result.stdout)] == ["Q5"]


def test_the_table_is_titled_with_the_unit_and_date(queued: str) -> None:
    result = run_wmt("allocation", "queue", "--unit", "R1", db=queued)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].strip() == f"Cases waiting for allocation in R1 on {ON}"
    assert [line.split("│")[1].strip() for line in lines if line.startswith("│ Q")] == [
        "Q3",
        "Q5",
        "Q1",
        "Q2",
    ]


def test_an_unknown_unit_is_refused_by_name(queued: str) -> None:
    result = run_wmt("allocation", "queue", "--unit", "NOPE", db=queued)
    assert result.exit_code == 1
    assert "There is no team, PDU or region 'NOPE'" in result.stderr


def test_an_ndelius_extract_is_listed_as_counts(database_url: str, tmp_path: Path) -> None:
    workbook = tmp_path / "WMT_PS.xlsx"
    write_ndelius_workbook(allocation_folder(tmp_path / "now", ON), workbook)
    assert run_wmt("import", str(workbook), db=database_url).exit_code == 0
    result = run_wmt("allocation", "queue", "--unit", "T1", "--format", "csv", db=database_url)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows == [
        {"case_type": "community", "tier": "B2", "cases": "1"},
        {"case_type": "licence", "tier": "D2", "cases": "1"},
    ]
