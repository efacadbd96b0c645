"""The command line end to end, on SQLite and on PostgreSQL, as a person would use it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.case_folders import AS_OF, write_folder
from tests.conftest import run_wmt


@pytest.fixture
def imported(database_url: str, tmp_path: Path) -> str:
    result = run_wmt("import", str(write_folder(tmp_path / "snapshot")), db=database_url)
    assert result.exit_code == 0, result.stderr
    assert f"Imported the snapshot of {AS_OF}: 3 workload owners, 6 cases." in result.stdout
    return database_url


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_practitioner_capacity_as_csv_has_the_contract_columns(imported: str) -> None:
    result = run_wmt("capacity", "--level", "practitioner", "--format", "csv", db=imported)
    assert result.exit_code == 0, result.stderr
    rows = {row["staff_code"]: row for row in _csv(result.stdout)}
    # S1 PO 37h: A3 community 206 + B2 licence 132 + C1 custody T2A warrant 0
    #   + standard report 138 + contact by S1 on S2's case (CMS01 9, 10 days ago: expired)
    #   - S2's CMS05 contact on S1's case yesterday (18) = 458
    s1 = rows["S1"]
    assert (s1["caseload"], s1["total_points"], s1["available_points"]) == ("3", "458", "2176")
    assert (s1["remaining_points"], s1["capacity_percent"]) == ("1718", "21.0")
    assert (s1["contracted_hours"], s1["reduction_hours"]) == ("37.00", "0.00")
    # S2 PSO 18.5h: D2 community 41 (unpaid work weighs 100 %) + fast report 65 + contact 18
    s2 = rows["S2"]
    assert (s2["total_points"], s2["available_points"], s2["capacity_percent"]) == (
        "124",
        "1088",
        "11.4",
    )
    # S3 PQiP: B1S scores 0; the second PQiP reduction (22.2h) is the one active
    s3 = rows["S3"]
    assert (s3["reduction_hours"], s3["available_points"], s3["total_points"]) == (
        "22.20",
        "870",
        "0",
    )


def test_unit_levels_roll_up_sum_over_sum(imported: str) -> None:
    result = run_wmt("capacity", "--level", "team", "--format", "json", db=imported)
    assert result.exit_code == 0, result.stderr
    teams = {row["unit_code"]: row for row in json.loads(result.stdout)}
    assert teams["T1"]["total_points"] == 458 + 124
    assert teams["T1"]["available_points"] == 2176 + 1088
    assert teams["T1"]["capacity_percent"] == "17.8"
    assert teams["T2"]["unallocated_cases"] == 1
    national = json.loads(
        run_wmt("capacity", "--level", "national", "--format", "json", db=imported).stdout
    )
    assert national == [
        {
            "level": "national",
            "unit_code": "national",
            "unit_name": "National",
            "parent_code": None,
            "practitioners": 3,
            "caseload": 5,
            "unallocated_cases": 1,
            "total_points": 582,
            "available_points": 4134,
            "remaining_points": 3552,
            "contracted_hours": "92.50",
            "reduction_hours": "22.20",
            "capacity_percent": "14.1",
        }
    ]


def test_unit_filter_lists_what_lies_within(imported: str) -> None:
    result = run_wmt(
        "capacity", "--level", "practitioner", "--unit", "T2", "--format", "csv", db=imported
    )
    assert [row["staff_code"] for row in _csv(result.stdout)] == ["S3"]
    result = run_wmt("capacity", "--level", "team", "--unit", "P1", "--format", "csv", db=imported)
    assert [row["unit_code"] for row in _csv(result.stdout)] == ["T1", "T2"]
    result = run_wmt("capacity", "--level", "region", db=imported)
    assert "North" in result.stdout and "Capacity %" in result.stdout


def test_reimporting_a_date_replaces_the_snapshot(imported: str, tmp_path: Path) -> None:
    # As the installed command runs, in a process of its own.
    again = run_wmt("import", str(write_folder(tmp_path / "again")), db=imported, child=True)
    assert again.exit_code == 0
    assert f"Replaced the snapshot of {AS_OF}" in again.stdout
    other_day = run_wmt("import", str(tmp_path / "again"), "--as-of", "2026-11-27", db=imported)
    assert other_day.exit_code == 0
    listing = _csv(run_wmt("snapshots", "--format", "csv", db=imported).stdout)
    assert [row["as_of"] for row in listing] == [AS_OF, "2026-11-27"]
    national = _csv(
        run_wmt("capacity", "--level", "national", "--format", "csv", db=imported).stdout
    )
    assert national[0]["caseload"] == "5"  # the newest snapshot, not a sum of copies


def test_capacity_for_an_earlier_date(imported: str, tmp_path: Path) -> None:
    later = write_folder(tmp_path / "later")
    (later / "snapshot.txt").write_text("2026-12-04\n")
    assert run_wmt("import", str(later), db=imported).exit_code == 0
    # A fortnight on, the report and contacts have fallen out of their windows.
    newest = _csv(
        run_wmt("capacity", "--level", "practitioner", "--format", "csv", db=imported).stdout
    )
    earlier = _csv(
        run_wmt(
            "capacity", "--level", "practitioner", "--as-of", AS_OF, "--format", "csv", db=imported
        ).stdout
    )
    assert newest[0]["total_points"] == "338"
    assert earlier[0]["total_points"] == "458"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["capacity", "--unit", "NOWHERE"], "No national within 'NOWHERE'"),
        (["capacity", "--as-of", "2020-01-01"], "There is no snapshot for 2020-01-01"),
        (["capacity", "--as-of", "yesterday"], "'yesterday' is not a date"),
        (["capacity", "--level", "county"], "'county' is not one of"),
        (["import", "/no/such/folder"], "not a folder"),
    ],
)
def test_mistakes_get_a_message_not_a_traceback(
    imported: str, args: list[str], message: str
) -> None:
    result = run_wmt(*args, db=imported, child=True)  # no traceback even outside a test
    assert result.exit_code != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_an_empty_store_says_how_to_begin(database_url: str) -> None:
    result = run_wmt("capacity", db=database_url)
    assert result.exit_code == 1
    assert "There are no snapshots yet: import one with `wmt import`." in result.stderr


def test_every_command_has_help() -> None:
    for command in (
        [],
        ["import"],
        ["capacity"],
        ["snapshots"],
        ["points"],
        ["points", "show"],
        ["points", "load"],
        ["demo-data"],
        ["reasons"],
    ):
        result = run_wmt(*command, "--help")
        assert result.exit_code == 0, command
        assert "Usage" in result.stdout


def test_accounts_are_added_once_with_a_long_enough_password(database_url: str) -> None:
    import subprocess
    import sys

    def add(username: str, password: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "wmt",
                "users",
                "add",
                username,
                "--role",
                "team_manager",
                "--scope",
                "T1",
                "--password-stdin",
                "--db",
                database_url,
            ],
            input=password + "\n",
            capture_output=True,
            text=True,
        )

    assert add("sam", "a long enough password").returncode == 0
    again = add("sam", "a long enough password")
    assert again.returncode == 1
    assert "There is already a user called 'sam'" in again.stderr
    short = add("kim", "short")
    assert "Choose a password of at least 12 characters." in short.stderr
