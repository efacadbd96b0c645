"""The real-format nDelius extract samples: the valid one end to end through the command line,
on both stores; the ones refused, by the reader (test_refusals_and_the_store shows a refused
workbook leaves the store as it was)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from tests.conftest import run_wmt
from tests.ingest.refusals import workbook_refusal
from tests.samples import TOO_MANY_T2A, VALID


def test_the_valid_extract_imports_and_is_scored_by_the_one_engine(database_url: str) -> None:
    result = run_wmt("import", str(VALID), db=database_url)
    assert result.exit_code == 0, result.stderr
    assert "Imported the snapshot of 2021-07-02: 8 workload owners, 376 cases." in result.stdout
    rows = json.loads(
        run_wmt("capacity", "--level", "practitioner", "--format", "json", db=database_url).stdout
    )
    owners = {(row["staff_code"], row["team_code"]): row for row in rows}
    # WMT_Extract_Filtered: A3 + 3 x B2 + C2 + D0 community = 206 + 345 + 63 + 29
    assert owners[("N53ICDE", "N53IAV")]["total_points"] == 643
    assert owners[("N53ICDE", "N53IAV")]["caseload"] == 6
    # WMT_Extract has C2 and D0; the filtered sheet only C2: the D0 case is inactive.
    assert (
        owners[("N53ITGB", "N53IAV")]["caseload"],
        owners[("N53ITGB", "N53IAV")]["total_points"],
    ) == (2, 63)
    # T2A sheet: one custody B2 young adult, scored from the T2A table (48)
    assert owners[("GHE3BG7", "N53DEC")]["t2a_points"] == "48.00"
    # Court_Reports: 5 fast reports (SDR conversions) in the last 30 days
    assert owners[("N53B820", "N53DEC")]["report_points"] == 325
    assert owners[("GH5NGE4", "N53XAE")]["grade"] == "PQiP"  # OMIC team, NPSP


def test_the_valid_extract_reports_what_cannot_be_trusted(database_url: str) -> None:
    run_wmt("import", str(VALID), db=database_url)
    findings = json.loads(run_wmt("quality", "--format", "json", db=database_url).stdout)
    kinds = {finding["finding"] for finding in findings}
    assert {
        "cases held with no supported grade",
        "cases held with no contracted hours",
        "staff not in any team",
        "row with no practitioner or team",
        "flag for a case not in the caseload",
    } <= kinds
    homeless = [f for f in findings if f["finding"] == "staff not in any team"]
    assert {f["staff_code"] for f in homeless} >= {"G56A3V4"}


def test_too_many_t2a_cases_refuses_the_whole_extract() -> None:
    assert (
        "T2A, column V-CRN_Count: the total 13 is not lower than the total 7 in "
        "WMT_Extract_Filtered" in workbook_refusal(TOO_MANY_T2A, date(2021, 7, 3))
    )


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "WMT_PS.xlsx"
    fake.write_text("not a workbook")
    assert "WMT_PS.xlsx: cannot be read as an Excel workbook" in workbook_refusal(fake)
