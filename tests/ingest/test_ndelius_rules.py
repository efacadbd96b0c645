"""Each check on the nDelius extract: broken, the workbook is refused whole, naming sheet, row,
column (as the workbook spells it) and value. (That a refused import leaves the store as it
was: test_refusals_and_the_store.)"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from tests.ingest.refusals import workbook_refusal
from tests.samples import VALID
from tests.workbooks import (
    LAST_COLUMN,
    LAST_ROW,
    Cell,
    Sheets,
    changed_copy,
    edited_sheet_xml,
    rename_column,
    set_cell,
)
from wmt.ingest.ndelius import MAX_COUNT, MAX_SHEET_TOTAL, read_ndelius_workbook
from wmt.ingest.sheet_extent import MAX_SHEET_CELLS
from wmt.ingest.stored_lengths import length_of
from wmt.store import schema

STAFF_CODE_LENGTH = length_of(schema.SnapshotStaff, "staff_code") or 0


def _drop_sheet(name: str) -> Callable[[Sheets], None]:
    def change(sheets: Sheets) -> None:
        del sheets[name]

    return change


def _drop_column(sheet: str, column: str) -> Callable[[Sheets], None]:
    def change(sheets: Sheets) -> None:
        sheets[sheet] = sheets[sheet].drop(column)

    return change


def _cell(sheet: str, row: int, column: str, value: str) -> Callable[[Sheets], None]:
    return lambda sheets: set_cell(sheets, sheet, row, column, value)


def _copy_column(sheet: str, column: str, header: str) -> Callable[[Sheets], None]:
    def change(sheets: Sheets) -> None:
        sheets[sheet] = sheets[sheet].with_columns(sheets[sheet][column].alias(header))

    return change


def _unchanged(sheets: Sheets) -> None:
    del sheets  # the workbook as it is, with extra cells


# A cell given a wrong value -> what the refusal says of it, after naming the cell.
WRONG_VALUES: dict[str, tuple[tuple[str, int, str, str], str]] = {
    "count_not_a_number": (
        ("WMT_Extract", 3, "CommTierA3", "abc"),
        f"'abc' is not a count (a whole number from 0 to {MAX_COUNT:,})",
    ),
    "negative_count": (("WMT_Extract_Filtered", 2, "CommTierC2", "-1"), "'-1' is not a count"),
    "count_with_a_fraction": (("T2A", 2, "CustTierB2", "2.5"), "'2.5' is not a count"),
    "count_of_twenty_digits": (
        ("OMIC_Teams", 2, "V-CRN_Count", "12345678901234567890"),
        "'12345678901234567890' is not a count",
    ),
    "count_above_the_most_one_cell_may_hold": (
        ("WMT_Extract", 4, "LicenceTierB2", str(MAX_COUNT + 1)),
        f"'{MAX_COUNT + 1}' is more than {MAX_COUNT:,}, the most one count may be",
    ),
    "count_of_ten_million": (
        ("Court_Reports", 2, "SDR_Conv_Last_30", "10000000"),
        "'10000000' is more than",
    ),
    "count_in_arabic_indic_digits": (
        ("WMT_Extract", 3, "CommTierA3", "\u0663"),
        "'٣' has a digit other than 0-9",
    ),
    "tier_number_out_of_range": (("Flag_Upw", 2, "Tier_Code", "40"), "'40' is not a tier number"),
    "tier_number_of_twenty_digits": (
        ("Flag_Upw", 2, "Tier_Code", "12345678901234567890"),
        "'12345678901234567890' is not a tier number",
    ),
    "unknown_location": (
        ("Flag_Warr_4_N", 3, "Location", "Prison"),
        "'Prison' is not a location",
    ),
    "contact_date_not_a_date": (
        ("CMS", 2, "Contact_Date", "yesterday"),
        "'yesterday' is not a date",
    ),
    "blank_case_reference": (("Flag_Priority", 2, "Case_Ref_No", ""), "None is blank"),
    "key_longer_than_the_store_keeps": (
        ("Court_Reports", 2, "OM_Key", "K" * (STAFF_CODE_LENGTH + 1)),
        f"'{'K' * (STAFF_CODE_LENGTH + 1)}' is longer than the {STAFF_CODE_LENGTH} characters "
        "kept for om_key",
    ),
    "nul_in_a_name": (
        ("WMT_Extract", 2, "OM_Surname", "Sm\x00ith"),
        "'Sm\\x00ith' holds a NUL character",
    ),
}
# A sheet or column missing, or one column twice -> what the refusal says.
WRONG_LAYOUTS: dict[str, tuple[Callable[[Sheets], None], str]] = {
    "missing_sheet": (_drop_sheet("CMS"), "WMT_PS.xlsx: missing required sheet CMS"),
    "missing_column": (
        _drop_column("Court_Reports", "SDR_Last_30"),
        "Court_Reports: missing required column(s) SDR_Last_30",
    ),
    "one_column_under_two_headers": (
        _copy_column("WMT_Extract", "CommTierA3", "Comm Tier A3"),
        "WMT_Extract, row 1, columns R and DM: 'CommTierA3' and 'Comm Tier A3' are the same "
        "column (headers are matched ignoring case and punctuation); keep one",
    ),
}
# Cells written where the table has none, or over its header -> what the refusal says.
CELLS_OUT_OF_PLACE: dict[str, tuple[list[Cell], str]] = {
    "one_header_written_twice": (
        [("CMS", 0, 15, "CRN"), ("CMS", 1, 15, "X1")],
        "CMS, row 1, columns B and P: 'CRN' and 'CRN' are the same column",
    ),
    "stray_value_in_the_last_cell": (
        [("WMT_Extract", LAST_ROW, LAST_COLUMN, "7")],
        "WMT_Extract, row 1048576, column XFD: '7' is outside the table: no column header above "
        "it (the headers end at column DL); remove it",
    ),
    "stray_value_far_down": (
        [("CMS", LAST_ROW, 0, "late")],
        f"CMS, row 1048576, column A: 'late' lies so far down that the sheet would be 1,048,576 "
        f"rows of 15 columns, more than the {MAX_SHEET_CELLS:,} cells a sheet may have",
    ),
}


def _assert_refused_naming_where(
    tmp_path: Path,
    message: str,
    change: Callable[[Sheets], None] = _unchanged,
    cells: list[Cell] | None = None,
) -> None:
    broken = changed_copy(VALID, tmp_path / "WMT_PS.xlsx", change, cells or [])
    refusal = workbook_refusal(broken)
    assert message in refusal
    assert "nothing was changed" in refusal


@pytest.mark.parametrize("rule", list(WRONG_VALUES))
def test_a_wrong_value_is_refused_naming_its_sheet_row_and_column(
    rule: str, tmp_path: Path
) -> None:
    (sheet, row, column, value), says = WRONG_VALUES[rule]
    message = f"{sheet}, row {row}, column {column}: {says}"
    _assert_refused_naming_where(tmp_path, message, _cell(sheet, row, column, value))


@pytest.mark.parametrize("rule", list(WRONG_LAYOUTS))
def test_a_wrong_layout_is_refused_naming_where(rule: str, tmp_path: Path) -> None:
    change, message = WRONG_LAYOUTS[rule]
    _assert_refused_naming_where(tmp_path, message, change)


@pytest.mark.parametrize("rule", list(CELLS_OUT_OF_PLACE))
def test_a_cell_out_of_place_is_refused_naming_where(rule: str, tmp_path: Path) -> None:
    cells, message = CELLS_OUT_OF_PLACE[rule]
    _assert_refused_naming_where(tmp_path, message, cells=cells)


def test_counts_that_add_up_to_more_than_the_country_holds_are_refused(tmp_path: Path) -> None:
    rows = MAX_SHEET_TOTAL // MAX_COUNT + 1

    def change(sheets: Sheets) -> None:
        for row in range(2, rows + 2):
            set_cell(sheets, "WMT_Extract", row, "CommTierD0", str(MAX_COUNT))

    refusal = workbook_refusal(changed_copy(VALID, tmp_path / "WMT_PS.xlsx", change))
    assert "WMT_Extract: its counts add up to 1,005,049, more than the " in refusal
    assert f"{MAX_SHEET_TOTAL:,} an extract for all of England and Wales could hold" in refusal


def test_the_most_one_cell_may_hold_is_accepted(tmp_path: Path) -> None:
    change = _cell("OMIC_Teams", 2, "CustTierB2", str(MAX_COUNT))
    tables, _, _ = read_ndelius_workbook(changed_copy(VALID, tmp_path / "WMT_PS.xlsx", change))
    sample, _, _ = read_ndelius_workbook(VALID)
    assert tables.cases.height == sample.cases.height - 114 + MAX_COUNT


def test_a_malformed_sheet_is_refused_naming_the_sheet(tmp_path: Path) -> None:
    def unclosed(xml: str) -> str:
        return xml.replace("</c>", "", 1)

    refusal = workbook_refusal(
        edited_sheet_xml(VALID, tmp_path / "WMT_PS.xlsx", "Flag_Upw", unclosed)
    )
    assert "Flag_Upw: the sheet cannot be read (" in refusal
    assert "export the workbook again" in refusal


def _same_cases(first: Path, second: Path) -> bool:
    one, _, _ = read_ndelius_workbook(first)
    other, _, _ = read_ndelius_workbook(second)
    assert one.cases.height == 376
    return one.cases.sort(pl.all()).equals(other.cases.sort(pl.all()))


def test_empty_cells_far_away_and_a_false_dimension_do_not_matter(tmp_path: Path) -> None:
    blank = [("WMT_Extract", LAST_ROW, LAST_COLUMN, None)]
    copy = changed_copy(VALID, tmp_path / "copy.xlsx", _unchanged)
    far = changed_copy(VALID, tmp_path / "far.xlsx", _unchanged, blank)

    def false_dimension(xml: str) -> str:
        return re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', xml)

    lying = edited_sheet_xml(copy, tmp_path / "lying.xlsx", "WMT_Extract", false_dimension)
    assert _same_cases(copy, far) and _same_cases(copy, lying)


def test_a_sheet_written_with_namespace_prefixes_reads_the_same(tmp_path: Path) -> None:
    def prefixed(xml: str) -> str:
        main = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        xml = xml.replace(main, main.replace("xmlns=", "xmlns:x="))
        return xml.replace("<", "<x:").replace("<x:/", "</x:").replace("<x:?", "<?")

    copy = changed_copy(VALID, tmp_path / "copy.xlsx", _unchanged)
    written = edited_sheet_xml(copy, tmp_path / "prefixed.xlsx", "WMT_Extract", prefixed)
    assert _same_cases(copy, written)


def test_a_stray_value_is_found_in_a_sheet_written_with_prefixes(tmp_path: Path) -> None:
    def prefixed_with_a_stray_value(xml: str) -> str:
        main = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        xml = xml.replace(main, main.replace("xmlns=", "xmlns:x="))
        far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>far</t></is></c></row>'
        xml = xml.replace("</sheetData>", far + "</sheetData>")
        return xml.replace("<", "<x:").replace("<x:/", "</x:").replace("<x:?", "<?")

    copy = changed_copy(VALID, tmp_path / "copy.xlsx", _unchanged)
    written = edited_sheet_xml(copy, tmp_path / "WMT_PS.xlsx", "CMS", prefixed_with_a_stray_value)
    assert "CMS, row 1048576, column XFD: 'far' is outside the table" in workbook_refusal(written)


def test_header_spellings_are_matched_ignoring_case_and_punctuation(tmp_path: Path) -> None:
    def respell(sheets: Sheets) -> None:
        rename_column(sheets, "WMT_Extract", "V-CRN_Count", "v crn count")
        rename_column(sheets, "WMT_Extract", "Team_Code", "TEAM CODE")
        rename_column(sheets, "CMS", "Contact_Staff_Key", "contactstaffkey")
        set_cell(sheets, "WMT_Extract", 3, "CommTierA3", "abc")

    refusal = workbook_refusal(changed_copy(VALID, tmp_path / "WMT_PS.xlsx", respell))
    assert "WMT_Extract, row 3, column CommTierA3: 'abc' is not a count" in refusal
    assert "missing" not in refusal

    def respell_only(sheets: Sheets) -> None:
        rename_column(sheets, "WMT_Extract", "V-CRN_Count", "v crn count")
        rename_column(sheets, "CMS", "Contact_Staff_Key", "contactstaffkey")

    tables, _, _ = read_ndelius_workbook(changed_copy(VALID, tmp_path / "b.xlsx", respell_only))
    copy, _, _ = read_ndelius_workbook(changed_copy(VALID, tmp_path / "c.xlsx", _unchanged))
    assert tables.contacts.equals(copy.contacts)
    assert tables.cases.sort(pl.all()).equals(copy.cases.sort(pl.all()))


def test_a_spreadsheet_error_in_a_cell_is_refused_not_read_as_blank(tmp_path: Path) -> None:
    copy = changed_copy(VALID, tmp_path / "copy.xlsx", _unchanged)

    def divided_by_zero(xml: str) -> str:
        cell = re.compile(r'<c r="C2"[^>]*?(/>|>.*?</c>)', re.DOTALL)
        assert cell.search(xml), "the sheet has no value at C2 to replace"
        return cell.sub('<c r="C2" t="e"><v>#DIV/0!</v></c>', xml, count=1)

    broken = edited_sheet_xml(copy, tmp_path / "WMT_PS.xlsx", "WMT_Extract", divided_by_zero)
    refusal = workbook_refusal(broken)
    assert "WMT_Extract, row 2, column C: '#DIV/0!' is a spreadsheet error" in refusal
