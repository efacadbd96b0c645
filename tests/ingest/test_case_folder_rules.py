"""Each rule of case-format.md: broken, the folder is refused whole, naming file, row, column
and value. (That a refused import leaves the store as it was: test_refusals_and_the_store.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.case_folders import VALID_FILES, Changes, replace_line
from tests.ingest.refusals import folder_refusal

# The cases with the optional columns that allocating a case needs.
ALLOCATION_CASES = {
    "cases.csv": (
        "crn,staff_code,team_code,case_type,tier,sentence_date,previous_staff_code,rosh,"
        "initial_appointment_date\n"
        "X000001,S1,T1,community,A3,2025-01-01,,High,2025-01-06\n"
        "X000006,,T2,community,B2,2026-11-16,S1,medium,\n"
    )
}


def allocation_cases(old: str, new: str) -> Changes:
    """The cases with the allocation columns, one piece of text changed."""
    text = ALLOCATION_CASES["cases.csv"]
    assert old in text, f"{old!r} is not in the cases"
    return {"cases.csv": text.replace(old, new, 1)}


BROKEN: dict[str, tuple[Changes, str]] = {
    "missing_required_file": ({"cases.csv": None}, "missing required file cases.csv"),
    "missing_required_column": (
        replace_line("cases.csv", "case_type,tier,", "case_type,level,"),
        "cases.csv, row 1, column tier: no such column in the header; it is required",
    ),
    "staff_team_not_in_units": (
        replace_line("staff.csv", "S3,T2,", "S3,T9,"),
        "staff.csv, row 4, column team_code: 'T9' is not a team in units.csv",
    ),
    "case_team_not_in_units": (
        replace_line("cases.csv", "X000006,,T2", "X000006,,T7"),
        "cases.csv, row 7, column team_code: 'T7' is not a team in units.csv",
    ),
    "case_holder_not_in_staff": (
        replace_line("cases.csv", "X000002,S1,T1", "X000002,S9,T1"),
        "cases.csv, row 3, column staff_code + team_code: 'S9 / T1' is not a practitioner "
        "in that team in staff.csv",
    ),
    "case_holder_in_other_team": (
        replace_line("cases.csv", "X000004,S2,T1", "X000004,S2,T2"),
        "cases.csv, row 5, column staff_code + team_code: 'S2 / T2' is not a practitioner",
    ),
    "report_author_not_in_staff": (
        replace_line("reports.csv", "S2,T1,fast", "S4,T1,fast"),
        "reports.csv, row 3, column staff_code + team_code: 'S4 / T1' is not a practitioner",
    ),
    "contact_by_unknown_staff": (
        replace_line("contacts.csv", "CMS05,S2,T1", "CMS05,S2,T2"),
        "contacts.csv, row 2, column staff_code + team_code: 'S2 / T2' is not a practitioner",
    ),
    "reduction_for_unknown_staff": (
        replace_line("reductions.csv", "S1,T1,trade", "S7,T1,trade"),
        "reductions.csv, row 4, column staff_code + team_code: 'S7 / T1' is not a practitioner",
    ),
    "duplicate_crn": (
        replace_line("cases.csv", "X000002,", "X000001,"),
        "cases.csv, row 3, column crn: 'X000001' appears more than once (first in row 2)",
    ),
    "unknown_case_type": (
        replace_line("cases.csv", "S1,T1,licence", "S1,T1,prison"),
        "cases.csv, row 3, column case_type: 'prison' is not valid; expected community, "
        "custody or licence",
    ),
    "unknown_tier": (
        replace_line("cases.csv", "community,A3", "community,E4"),
        "cases.csv, row 2, column tier: 'E4' is not valid",
    ),
    "unknown_t2a_value": (
        replace_line("cases.csv", "C1,true", "C1,maybe"),
        "cases.csv, row 4, column t2a: 'maybe' is not valid; expected true or false",
    ),
    "unknown_flag": (
        replace_line("cases.csv", "unpaid_work;priority", "unpaid_work;curfew"),
        "cases.csv, row 5, column flags: 'unpaid_work;curfew' has a flag that is not one of",
    ),
    "unknown_grade": (
        replace_line("staff.csv", "S2,T1,PSO", "S2,T1,CEO"),
        "staff.csv, row 3, column grade: 'CEO' is not valid; expected PO, PQiP, PSO, SPO",
    ),
    "contracted_hours_above_range": (
        replace_line("staff.csv", "18.5", "40"),
        "staff.csv, row 3, column contracted_hours: '40' is not valid; expected hours from 0 "
        "to 37.5",
    ),
    "contracted_hours_not_a_number": (
        replace_line("staff.csv", "18.5", "half"),
        "staff.csv, row 3, column contracted_hours: 'half' is not valid",
    ),
    "hours_with_three_decimals": (
        replace_line("reductions.csv", "29.6", "29.605"),
        "reductions.csv, row 2, column hours: '29.605' is not valid",
    ),
    "unknown_report_type": (
        replace_line("reports.csv", "oral", "verbal"),
        "reports.csv, row 4, column report_type: 'verbal' is not valid; expected standard, "
        "fast, oral, parole",
    ),
    "unknown_reduction_reason": (
        replace_line("reductions.csv", "PQiP first 6 months", "Gardening leave"),
        "reductions.csv, row 2, column reason: 'Gardening leave' is not valid; expected a "
        "reduction reason",
    ),
    "unknown_reduction_status": (
        replace_line("reductions.csv", ",deleted,", ",paused,"),
        "reductions.csv, row 4, column status: 'paused' is not valid; expected active or deleted",
    ),
    "reduction_ends_before_it_starts": (
        replace_line("reductions.csv", "2026-03-01,2026-09-01", "2026-03-01,2026-02-01"),
        "reductions.csv, row 2, column end_date: '2026-02-01' is before start_date",
    ),
    "impossible_date": (
        replace_line("cases.csv", "2026-02-03", "2026-02-30"),
        "cases.csv, row 5, column allocated_date: '2026-02-30' is not a date; expected YYYY-MM-DD",
    ),
    "date_not_iso": (
        replace_line("reports.csv", "2026-11-01", "01/11/2026"),
        "reports.csv, row 2, column completed_date: '01/11/2026' is not a date",
    ),
    "blank_required_value": (
        replace_line("contacts.csv", "2,X000004,2026-11-10,CMS01", "2,X000004,,CMS01"),
        "contacts.csv, row 3, column contact_date: None is blank; a value is required",
    ),
    "duplicate_contact_id": (
        replace_line("contacts.csv", "2,X000004", "1,X000004"),
        "contacts.csv, row 3, column contact_id: '1' appears more than once",
    ),
    "duplicate_team": (
        replace_line("units.csv", "P1,Tyneside,T2", "P1,Tyneside,T1"),
        "units.csv, row 3, column team_code: 'T1' appears more than once",
    ),
    "unknown_rosh": (
        allocation_cases(",medium,", ",severe,"),
        "cases.csv, row 3, column rosh: 'severe' is not valid; expected low, medium, high or "
        "very_high",
    ),
    "sentence_date_not_a_date": (
        allocation_cases("2026-11-16", "16/11/2026"),
        "cases.csv, row 3, column sentence_date: '16/11/2026' is not a date; expected YYYY-MM-DD",
    ),
    "initial_appointment_date_impossible": (
        allocation_cases("2025-01-06", "2025-01-32"),
        "cases.csv, row 2, column initial_appointment_date: '2025-01-32' is not a date",
    ),
    "previous_staff_code_too_long": (
        allocation_cases(",S1,medium", f",{'S' * 41},medium"),
        "cases.csv, row 3, column previous_staff_code: 'SSSS",
    ),
    "no_snapshot_date": (
        {"snapshot.txt": None},
        "no snapshot date: give --as-of or put one ISO date in snapshot.txt",
    ),
    "snapshot_date_not_a_date": (
        {"snapshot.txt": "yesterday\n"},
        "snapshot.txt, row 1, column 1: 'yesterday' is not a date",
    ),
}


@pytest.mark.parametrize("rule", list(BROKEN))
def test_broken_rule_is_refused_naming_where(rule: str, tmp_path: Path) -> None:
    changes, expected = BROKEN[rule]
    message = folder_refusal(tmp_path, changes)
    assert expected in message
    assert "nothing was changed" in message


def test_every_problem_is_reported(tmp_path: Path) -> None:
    cases = VALID_FILES["cases.csv"].replace(",A3,", ",Z1,").replace(",B2,", ",Q9,")
    message = folder_refusal(tmp_path, {"cases.csv": cases})
    assert "cases.csv, row 2, column tier: 'Z1'" in message
    assert "cases.csv, row 3, column tier: 'Q9'" in message
    assert "(2 problems)" in message
    assert "nothing was changed" in message
