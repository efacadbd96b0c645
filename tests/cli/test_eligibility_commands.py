"""`wmt eligibility`: the rules in force shown, edited and set as a new version, and the
documented example's output."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.conftest import database_content, run_wmt
from tests.test_docs import ROOT, commands, run_documented

REFERENCE_ROWS = [
    {"grade": "PO", "tiers": "A3 to D0, A3S to D0S, untiered", "highest_rosh": "very_high"},
    {"grade": "PQiP", "tiers": "B3 to D0, B3S to D0S, untiered", "highest_rosh": "high"},
    {"grade": "PSO", "tiers": "C3 to D0, C3S to D0S, untiered", "highest_rosh": "medium"},
    {"grade": "SPO", "tiers": "no new cases", "highest_rosh": ""},
    {"grade": "none", "tiers": "no new cases", "highest_rosh": ""},
]


def _rows(printed: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(printed)))


def test_rules_shown_as_json_load_back_as_a_new_version(database_url: str, tmp_path: Path) -> None:
    shown = run_wmt("eligibility", "show", "--format", "json", db=database_url)
    assert shown.exit_code == 0, shown.stderr
    document = json.loads(shown.stdout)
    assert document["effective_from"] == "2000-01-01"
    assert set(document["grades"]) == {"PO", "PQiP", "PSO"}
    document["grades"]["PQiP"]["tiers"].remove("B3")
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(document), encoding="utf8")
    saved = run_wmt("eligibility", "set", str(rules), "--from", "2026-11-20", db=database_url)
    assert saved.stdout == "Saved version 2 of the eligibility rules, in force from 2026-11-20.\n"

    def rows_on(day: str) -> list[dict[str, str]]:
        printed = run_wmt("eligibility", "show", "--as-of", day, "--format", "csv", db=database_url)
        return _rows(printed.stdout)

    assert rows_on("2026-11-19") == REFERENCE_ROWS
    assert rows_on("2026-11-20")[1] == {
        "grade": "PQiP",
        "tiers": "B2 to D0, B3S to D0S, untiered",
        "highest_rosh": "high",
    }


def test_a_wrong_file_is_refused_naming_grade_and_setting(
    database_url: str, tmp_path: Path
) -> None:
    run_wmt("eligibility", "show", db=database_url)  # the store exists before it is compared
    before = database_content(database_url)
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"grades": {"PSO": {"tiers": ["C3"], "highest_rosh": "x"}}}))
    refused = run_wmt("eligibility", "set", str(rules), "--from", "2026-11-20", db=database_url)
    assert refused.exit_code == 1
    assert refused.stderr.splitlines() == [
        f"{rules} was refused (1 problem); nothing was changed:",
        "  - grades.PSO.highest_rosh: 'x' is not valid; expected one of low, medium, high, "
        "very_high",
    ]
    assert database_content(database_url) == before


def test_the_documented_example_leaves_a_pso_only_low_rosh_cases(tmp_path: Path) -> None:
    guide = commands(ROOT / "docs" / "cli.md")
    documented = [c for c in guide if c.startswith("wmt eligibility") or "rules.json" in c]
    said = {command: run_documented(command, tmp_path) for command in documented}
    assert said["wmt eligibility set rules.json --from 2026-11-20"] == (
        "Saved version 2 of the eligibility rules, in force from 2026-11-20.\n"
    )
    after = _rows(said["wmt eligibility show --as-of 2026-11-20 --format csv"])
    assert after[2] == {**REFERENCE_ROWS[2], "highest_rosh": "low"}
    assert [row for row in after if row["grade"] != "PSO"] == [
        row for row in REFERENCE_ROWS if row["grade"] != "PSO"
    ]
