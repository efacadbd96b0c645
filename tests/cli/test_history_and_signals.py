"""History, signals, data quality and pruning over real weekly snapshots, on both stores."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.case_folders import VALID_FILES, write_folder
from tests.conftest import run_wmt
from wmt.cli.main import app
from wmt.services.scope import OPERATOR
from wmt.services.signals import freshness, signals
from wmt.store.database import open_store

LAST = date(2026, 11, 20)


def _week(folder: Path, as_of: date, s1_a3_cases: int) -> Path:
    """The test snapshot, with S1 holding a given number of A3 community cases."""
    extra = "".join(f"Y{n:06d},S1,T1,community,A3,,,\n" for n in range(s1_a3_cases))
    staff = VALID_FILES["staff.csv"].replace(
        "S2,T1,PSO,Ben,Carter,18.5,2019-09-01,", "S2,T1,PSO,Ben,Carter,18.5,2019-09-01,2026-10-01"
    )
    return write_folder(
        folder,
        {
            "cases.csv": VALID_FILES["cases.csv"] + extra,
            "staff.csv": staff,
            "snapshot.txt": f"{as_of}\n",
        },
    )


@pytest.fixture
def weeks(database_url: str, tmp_path: Path) -> str:
    """Five weekly snapshots: S1 at 21 % then over 110 % for the last four weeks."""
    for index, cases in enumerate([0, 10, 11, 12, 13]):
        as_of = LAST - timedelta(weeks=4 - index)
        folder = _week(tmp_path / str(as_of), as_of, cases)
        assert run_wmt("import", str(folder), db=database_url).exit_code == 0
    return database_url


def test_history_shows_every_snapshot(weeks: str) -> None:
    result = run_wmt(
        "history", "--level", "practitioner", "--unit", "S1", "--format", "json", db=weeks
    )
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [row["as_of"] for row in rows] == [
        str(LAST - timedelta(weeks=n)) for n in (4, 3, 2, 1, 0)
    ]
    # 338 points of cases + 206 per extra A3 case; the 1 November report (138) and S1's
    # 10 November contact (9) count only in the weeks whose windows hold them.
    assert [row["capacity_percent"] for row in rows] == ["15.5", "110.2", "126.0", "135.9", "144.1"]
    team = json.loads(
        run_wmt(
            "history",
            "--level",
            "team",
            "--unit",
            "T1",
            "--from",
            str(LAST - timedelta(weeks=1)),
            "--format",
            "json",
            db=weeks,
        ).stdout
    )
    assert [row["as_of"] for row in team] == [str(LAST - timedelta(weeks=1)), str(LAST)]


def test_sustained_overload_after_four_weeks_over_110(weeks: str) -> None:
    result = run_wmt("signals", "--format", "json", db=weeks)
    assert result.exit_code == 0, result.stderr
    signals = json.loads(result.stdout)
    sustained = [s for s in signals if s["signal"] == "sustained overload"]
    assert [s["staff_code"] for s in sustained] == ["S1"]
    assert sustained[0]["detail"].startswith("over 110 % in all 4 snapshots from 2026-10-30")
    earlier = json.loads(
        run_wmt(
            "signals", "--as-of", str(LAST - timedelta(weeks=1)), "--format", "json", db=weeks
        ).stdout
    )
    assert not [s for s in earlier if s["signal"] == "sustained overload"]
    assert {s["signal"] for s in signals} >= {"severe overload", "team imbalance"}
    elsewhere = json.loads(
        run_wmt("signals", "--level", "team", "--unit", "T2", "--format", "json", db=weeks).stdout
    )
    assert not [s for s in elsewhere if s["staff_code"] == "S1"]


def test_quality_names_who_holds_cases_they_cannot_work(weeks: str) -> None:
    findings = json.loads(run_wmt("quality", "--format", "json", db=weeks).stdout)
    by_kind = {(f["finding"], f["staff_code"], f["team_code"]): f["detail"] for f in findings}
    assert by_kind[("cases held after leaving", "S2", "T1")] == (
        "left on 2026-10-01 but still holds 1 cases; they need reallocating"
    )
    assert by_kind[("unallocated cases", None, "T2")] == (
        "1 cases in this team are not allocated to anyone"
    )


def test_pruning_lists_first_and_removes_only_when_told(weeks: str) -> None:
    cut = str(LAST - timedelta(weeks=2))
    listed = run_wmt("prune", "--before", cut, db=weeks)
    assert "Would remove 2 snapshot(s) dated before 2026-11-06: 2026-10-23, 2026-10-30." in (
        listed.stdout
    )
    assert len(json.loads(run_wmt("snapshots", "--format", "json", db=weeks).stdout)) == 5
    removed = run_wmt("prune", "--before", cut, "--yes", db=weeks)
    assert "Removed 2 snapshot(s)" in removed.stdout
    remaining = json.loads(run_wmt("snapshots", "--format", "json", db=weeks).stdout)
    assert [row["as_of"] for row in remaining] == ["2026-11-06", "2026-11-13", "2026-11-20"]
    history = json.loads(
        run_wmt(
            "history", "--level", "practitioner", "--unit", "S1", "--format", "json", db=weeks
        ).stdout
    )
    assert len(history) == 3


def test_figures_out_of_date_are_a_signal_in_wmt_signals(database_url: str, tmp_path: Path) -> None:
    old = date.today() - timedelta(days=5)
    folder = write_folder(tmp_path / "old", {"snapshot.txt": f"{old}\n"})
    runner = CliRunner()
    assert runner.invoke(app, ["import", str(folder), "--db", database_url]).exit_code == 0
    listed = runner.invoke(app, ["signals", "--format", "json", "--db", database_url])
    stale = [s for s in json.loads(listed.stdout) if s["signal"] == "figures out of date"]
    assert [(s["value"], s["threshold"], s["team_code"]) for s in stale] == [("5", "3 days", None)]
    within = runner.invoke(
        app,
        ["signals", "--level", "team", "--unit", "T2", "--format", "json", "--db", database_url],
    )
    assert "figures out of date" in {s["signal"] for s in json.loads(within.stdout)}
    store = open_store(database_url)
    try:
        assert not [
            row
            for row in signals(store, OPERATOR, today=old + timedelta(days=3)).rows
            if row.signal == "figures out of date"
        ]
        assert freshness(store, old + timedelta(days=4)).stale
        assert not freshness(store, old + timedelta(days=3)).stale
    finally:
        store.engine.dispose()
