"""Files refused whole before any value is read: rows of the wrong shape, headers given twice,
text that is not UTF-8, digits other than 0-9, keys repeated once spaces are trimmed, text longer
than the store keeps, NUL characters. Each names file, row, column and value."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.case_folders import VALID_FILES, Changes, replace_line, write_folder
from tests.ingest.refusals import folder_refusal
from wmt.ingest.case_folder import read_case_folder
from wmt.ingest.stored_lengths import length_of
from wmt.store import schema

CONTACT_TYPE_LENGTH = length_of(schema.SnapshotContact, "contact_type_code") or 0
CRN_LENGTH = length_of(schema.SnapshotCase, "crn") or 0
STAFF_ROW_2 = "S2,T1,PSO,Ben,Carter,18.5,2019-09-01,"


REFUSED: dict[str, tuple[Changes, str]] = {
    "short_row": (
        replace_line("staff.csv", STAFF_ROW_2, "S2,T1,PSO,Ben,Carter,18.5"),
        "staff.csv, row 3, column start_date: no value: the row ends early, with 6 fields where "
        "the header has 8; is a comma or a value missing? (the row reads "
        "'S2,T1,PSO,Ben,Carter,18.5')",
    ),
    "file_cut_off_mid_row": (
        {"cases.csv": VALID_FILES["cases.csv"].removesuffix("unity,0,,,\n")},
        "cases.csv, row 7, column tier: no value: the row ends early, with 4 fields where the "
        "header has 8; is a comma or a value missing? (the row reads 'X000006,,T2,comm')",
    ),
    "row_with_a_field_too_many": (
        replace_line("staff.csv", STAFF_ROW_2, STAFF_ROW_2 + ",Leeds"),
        "staff.csv, row 3, column 9: no column header: the row has 9 fields where the header "
        "has 8; a value holding a comma must be wrapped in double quotes (the row reads "
        "'S2,T1,PSO,Ben,Carter,18.5,2019-09-01,,Leeds')",
    ),
    "header_row_repeated": (
        {"units.csv": VALID_FILES["units.csv"] + VALID_FILES["units.csv"]},
        "units.csv, row 4, column region_code: 'region_code' is the header row again; remove "
        "the repeated header",
    ),
    "column_named_twice": (
        replace_line("cases.csv", "allocated_date\n", "CRN\n"),
        "cases.csv, row 1, column CRN: 'CRN' is the same column as 'crn' (column 1)",
    ),
    "quote_out_of_place": (
        replace_line("staff.csv", "Ben,Carter", 'Ben "the pen",Carter'),
        "staff.csv, row 3, column forename: a double quote is out of place or never closed",
    ),
    "quoted_value_never_closed": (
        {"reductions.csv": VALID_FILES["reductions.csv"] + 'S1,T1,Other,1,2026-01-01,,,"oops\n'},
        "reductions.csv, row 5, column notes: a double quote is out of place or never closed",
    ),
    "arabic_indic_hours": (
        replace_line("staff.csv", "18.5", "\u0661\u0668.\u0665"),
        "staff.csv, row 3, column contracted_hours: '١٨.٥' has a digit other than 0-9; write "
        "numbers and dates with the digits 0 to 9",
    ),
    "full_width_date": (
        replace_line("reports.csv", "2026-11-01", "２０２６-11-01"),
        "reports.csv, row 2, column completed_date: '２０２６-11-01' has a digit other than 0-9",
    ),
    "arabic_indic_snapshot_date": (
        {"snapshot.txt": "٢٠٢٦-١١-٢٠\n"},
        "snapshot.txt, row 1, column 1: '٢٠٢٦-١١-٢٠' has a digit other than 0-9",
    ),
    "snapshot_not_utf8": (
        {"snapshot.txt": b"2026-11-20\xff\n"},
        "snapshot.txt, row 1, column 1: is not UTF-8 text; it should hold one date, YYYY-MM-DD",
    ),
    "snapshot_week_date": (
        {"snapshot.txt": "2026-W47-5\n"},
        "snapshot.txt, row 1, column 1: '2026-W47-5' is not a date; expected YYYY-MM-DD",
    ),
    "csv_not_utf8": (
        {"staff.csv": VALID_FILES["staff.csv"].replace("Ben", "Bén").encode("latin-1")},
        "staff.csv, row 3, column forename: 'B\ufffdn' is not UTF-8 text (\ufffd marks bytes that "
        "could not be read); save the file as UTF-8",
    ),
    "case_repeated_with_a_trailing_space": (
        replace_line("cases.csv", "X000002,", "X000001 ,"),
        "cases.csv, row 3, column crn: 'X000001 ' appears more than once (first in row 2, once "
        "surrounding spaces are trimmed); each case once",
    ),
    "practitioner_repeated_with_spaces": (
        {"staff.csv": VALID_FILES["staff.csv"] + " S1,T1 ,PO,Ada,Brown,,2015-04-01,\n"},
        "staff.csv, row 5, column staff_code + team_code: ' S1 / T1 ' appears more than once "
        "(first in row 2, once surrounding spaces are trimmed); each practitioner in a team once",
    ),
    "code_longer_than_the_store_keeps": (
        replace_line("contacts.csv", "CMS05", "C" * (CONTACT_TYPE_LENGTH + 1)),
        f"contacts.csv, row 2, column contact_type_code: '{'C' * (CONTACT_TYPE_LENGTH + 1)}' is "
        f"longer than the {CONTACT_TYPE_LENGTH} characters kept for contact_type_code",
    ),
    "crn_longer_than_the_store_keeps": (
        replace_line("cases.csv", "X000006", "X" * (CRN_LENGTH + 1)),
        f"cases.csv, row 7, column crn: '{'X' * 60}'… ({CRN_LENGTH + 1} characters) is longer "
        f"than the {CRN_LENGTH} characters kept for crn",
    ),
    "nul_in_a_name": (
        replace_line("staff.csv", "Carter", "Car\x00ter"),
        "staff.csv, row 3, column surname: 'Car\\x00ter' holds a NUL character (\\x00), which no "
        "value may; the file may be damaged",
    ),
    "nul_in_an_ignored_column": (
        {
            "cases.csv": VALID_FILES["cases.csv"]
            .replace("allocated_date\n", "allocated_date,note\n")
            .replace("\n", ",\n")
            .replace("allocated_date,note,\n", "allocated_date,note\n")
            .replace("2025-01-02,\n", "2025-01-02,\x00\n")
        },
        "cases.csv, row 2, column note: '\\x00' holds a NUL character",
    ),
}


@pytest.mark.parametrize("kind", list(REFUSED))
def test_a_badly_formed_file_is_refused_naming_file_row_column_and_value(
    kind: str, tmp_path: Path
) -> None:
    changes, expected = REFUSED[kind]
    assert expected in folder_refusal(tmp_path, changes)


def test_a_value_as_long_as_the_store_keeps_is_accepted(tmp_path: Path) -> None:
    longest = "C" * CONTACT_TYPE_LENGTH
    folder = write_folder(tmp_path / "s", replace_line("contacts.csv", "CMS05", longest))
    tables, _ = read_case_folder(folder)
    assert longest in tables.contacts["contact_type_code"].to_list()


def test_every_short_row_is_named(tmp_path: Path) -> None:
    cases = VALID_FILES["cases.csv"].replace(",,2025-06-01\n", "\n")
    message = folder_refusal(
        tmp_path, {"cases.csv": cases.replace("community,0,,,\n", "community,0\n")}
    )
    assert "(2 problems)" in message
    assert "cases.csv, row 3, column flags: no value" in message
    assert "cases.csv, row 7, column t2a: no value" in message


def test_a_byte_order_mark_is_accepted_on_a_csv_and_on_the_snapshot_date(tmp_path: Path) -> None:
    marked = {
        name: "\ufeff" + text
        for name, text in VALID_FILES.items()
        if name in ("units.csv", "cases.csv", "snapshot.txt")
    }
    tables, on = read_case_folder(write_folder(tmp_path / "marked", marked))
    plain, _ = read_case_folder(write_folder(tmp_path / "plain"))
    assert str(on) == "2026-11-20"
    assert tables.units.equals(plain.units) and tables.cases.equals(plain.cases)


def test_line_ends_empty_lines_and_quoted_values_read_as_plain_ones(tmp_path: Path) -> None:
    staff = VALID_FILES["staff.csv"].replace("Ada,Brown", '"Ada, Jr","Br""own\nSmith"')
    changes: Changes = {
        "staff.csv": staff.replace("\n", "\r\n"),
        "cases.csv": VALID_FILES["cases.csv"].replace("X000004", "\nX000004") + "\n\n",
    }
    tables, _ = read_case_folder(write_folder(tmp_path / "written", changes))
    plain, _ = read_case_folder(write_folder(tmp_path / "plain"))
    assert tables.cases.equals(plain.cases)
    ada = tables.staff.filter(tables.staff["staff_code"] == "S1").row(0, named=True)
    assert (ada["forename"], ada["surname"]) == ("Ada, Jr", 'Br"own\r\nSmith')
    assert tables.staff.drop("forename", "surname").equals(plain.staff.drop("forename", "surname"))


def test_a_value_after_an_empty_line_is_numbered_as_a_spreadsheet_would(tmp_path: Path) -> None:
    cases = VALID_FILES["cases.csv"].replace("X000004", "\nX000004").replace("D2", "E9")
    message = folder_refusal(tmp_path, {"cases.csv": cases})
    assert "cases.csv, row 6, column tier: 'E9' is not valid" in message
