"""The sheets and columns of the nDelius WMT extract workbook, and reading them as text.

Sheet names and column headers are matched ignoring case and everything but letters and
digits (`V-CRN_Count`, `V CRN Count` and `vcrncount` are one column). Columns are then known
by a key (`vcrn_count`); messages name a sheet and a column as the workbook spells them.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from zipfile import BadZipFile, ZipFile

import polars as pl

from wmt.domain.cases import SUPERVISED_TIERS
from wmt.ingest.checks import ROW, Problems, clean
from wmt.ingest.sheet_extent import (
    DamagedWorkbook,
    check_extent,
    column_letters,
    sheet_parts,
)

if TYPE_CHECKING:
    from fastexcel import ExcelReader


def key(spelling: str) -> str:
    """`V-CRN_Count` -> `vcrn_count`: how the code names a column nDelius spells so."""
    return spelling.lower().replace("-", "")


def _keys(spellings: str) -> tuple[str, ...]:
    return tuple(key(spelling) for spelling in spellings.split())


OWNER_HEADERS = (
    "Trust Region_Desc Region_Code PDU_Desc PDU_Code LDU_Desc LDU_Code Team_Desc Team_Code "
    "OM_Surname OM_Forename OM_Key OM_Grade_Code"
)
# Count columns: prefix + tier suffix. nDelius writes untiered as 0 and tiers as A0…D3(S).
CASE_TYPE_PREFIXES = {"CommTier": "community", "CustTier": "custody", "LicenceTier": "licence"}
TIER_SUFFIXES: dict[str, str] = {"0": "untiered"}
TIER_SUFFIXES.update({tier: tier for tier in SUPERVISED_TIERS})
TIER_SUFFIXES.update({f"{tier}S": f"{tier}S" for tier in SUPERVISED_TIERS})
COUNT_HEADERS: dict[str, tuple[str, str]] = {
    f"{prefix}{suffix}": (case_type, tier)
    for prefix, case_type in CASE_TYPE_PREFIXES.items()
    for suffix, tier in TIER_SUFFIXES.items()
}
COURT_HEADERS = "SDR_Last_30 SDR_Conv_Last_30 Oral_Reports Datestamp"
FLAG_HEADERS = "Row_Type Case_Ref_No Tier_Code Team_Code OM_Grade_Code OM_Key Location"
CMS_HEADERS = (
    "Contact_ID CRN Contact_Date Contact_Type_Code Contact_Staff_Key Contact_Staff_Grade "
    "Contact_Team_Key OM_Key OM_Grade OM_Team_Key"
)

OWNER_BLOCK = _keys(OWNER_HEADERS)
COUNT_COLUMNS: dict[str, tuple[str, str]] = {key(h): kind for h, kind in COUNT_HEADERS.items()}
CASELOAD_COLUMNS = (*OWNER_BLOCK, "datestamp", "vcrn_count")  # count columns may be absent
FLAG_COLUMNS = _keys(FLAG_HEADERS)
CMS_COLUMNS = _keys(CMS_HEADERS)
# Each column the reader uses, as nDelius spells it.
SPELLING: dict[str, str] = {
    key(spelling): spelling
    for spelling in (
        *OWNER_HEADERS.split(),
        *COUNT_HEADERS,
        "Datestamp",
        "V-CRN_Count",
        *COURT_HEADERS.split(),
        *FLAG_HEADERS.split(),
        *CMS_HEADERS.split(),
    )
}

# The sheets counting each owner's cases: one row per owner, a count column per case type and tier.
CASELOAD_SHEETS = ("wmt_extract", "wmt_extract_filtered", "t2a", "omic_teams")
# The sheets whose rows begin with the owner block (region, PDU, team and practitioner), in the
# order they are read for them: the first to give a team's names or a practitioner's name and
# grade is the one kept.
OWNER_SHEETS = ("wmt_extract", "omic_teams", "t2a", "wmt_extract_filtered", "court_reports")

# Sheet (by key) -> (name as nDelius writes it, required columns, optional columns).
REQUIRED_SHEETS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "wmt_extract": ("WMT_Extract", CASELOAD_COLUMNS, tuple(COUNT_COLUMNS)),
    "wmt_extract_filtered": ("WMT_Extract_Filtered", CASELOAD_COLUMNS, tuple(COUNT_COLUMNS)),
    "t2a": ("T2A", CASELOAD_COLUMNS, tuple(COUNT_COLUMNS)),
    "omic_teams": ("OMIC_Teams", CASELOAD_COLUMNS, tuple(COUNT_COLUMNS)),
    "court_reports": ("Court_Reports", (*OWNER_BLOCK, *_keys(COURT_HEADERS)), ()),
    "flag_warr_4_n": ("Flag_Warr_4_N", FLAG_COLUMNS, ()),
    "flag_upw": ("Flag_Upw", FLAG_COLUMNS, ()),
    "flag_o_due": ("Flag_O_Due", FLAG_COLUMNS, ()),
    "flag_priority": ("Flag_Priority", FLAG_COLUMNS, ()),
    "wmt_extract_sa": ("WMT_Extract_SA", FLAG_COLUMNS, ()),
    "suspended_lifers": ("Suspended_Lifers", FLAG_COLUMNS, ()),
    "cms": ("CMS", CMS_COLUMNS, ()),
    "t2a_detail": ("T2A_Detail", ("crn",), ()),
}

_NOT_LETTER_OR_DIGIT = re.compile(r"[^0-9a-z]+")


def matched(name: str) -> str:
    """The form in which names are compared: lower case, letters and digits only."""
    return _NOT_LETTER_OR_DIGIT.sub("", name.lower())


COLUMN_MATCH: dict[str, str] = {matched(spelling): k for k, spelling in SPELLING.items()}
SHEET_MATCH: dict[str, str] = {matched(label): k for k, (label, _, _) in REQUIRED_SHEETS.items()}


def count_value(column: str) -> pl.Expr:
    """A count cell as a whole number; null if it is not one (Excel may write 3 as 3.0)."""
    return clean(column).str.replace(r"\.0+$", "").cast(pl.Int64, strict=False)


def parse_count(column: str) -> pl.Expr:
    """A count cell as a whole number, blank as 0 (the checks have refused anything else)."""
    return count_value(column).fill_null(0).alias(column)


def parse_day(column: str) -> pl.Expr:
    """The date part of an Excel date-time, as the reader gives it (YYYY-MM-DD hh:mm:ss)."""
    return clean(column).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False).alias(column)


def label(sheet: str) -> str:
    """The sheet as nDelius names it."""
    return REQUIRED_SHEETS[sheet][0]


@dataclass(frozen=True)
class Extract:
    """The workbook's sheets as text tables, keyed, and how the workbook spells them."""

    sheets: dict[str, pl.DataFrame]  # sheet key -> columns by key, with the row number
    names: dict[str, str]  # sheet key -> its name in the workbook
    headers: dict[str, dict[str, str]]  # sheet key -> column key -> its header in the workbook

    def place(self, sheet: str) -> str:
        return self.names.get(sheet, label(sheet))

    def header(self, sheet: str, column: str) -> str:
        return self.headers.get(sheet, {}).get(column) or SPELLING.get(column, column)


def _find_sheets(file: str, sheet_names: list[str], problems: Problems) -> dict[str, str]:
    """Sheet key -> the workbook's sheet of that name; two sheets of one name are refused."""
    found: dict[str, str] = {}
    for name in sheet_names:
        sheet = SHEET_MATCH.get(matched(name))
        if sheet is None:
            continue
        if sheet in found:
            problems.add(
                f"{file}: sheets {found[sheet]!r} and {name!r} are both {label(sheet)} (names "
                "are matched ignoring case and punctuation); keep one"
            )
        found.setdefault(sheet, name)
    for sheet, (name, _, _) in REQUIRED_SHEETS.items():
        if sheet not in found:
            problems.add(f"{file}: missing required sheet {name}")
    return found


def _columns(
    sheet: str, name: str, header: list[tuple[str, str | None]], problems: Problems
) -> dict[str, tuple[int, str]] | None:
    """Column key -> (its place in the grid, its header as written); None if one is missing or
    given twice. `header` is each grid column's letters and row-1 text."""
    columns: dict[str, tuple[int, str]] = {}
    letters_of: dict[str, str] = {}
    twice = False
    for index, (letters, text) in enumerate(header):
        column = COLUMN_MATCH.get(matched(text)) if text else None
        if column is None or text is None:
            continue
        if column in columns:
            problems.add(
                f"{name}, row 1, columns {letters_of[column]} and {letters}: "
                f"{columns[column][1]!r} and {text!r} are the same column (headers are matched "
                "ignoring case and punctuation); keep one"
            )
            twice = True
            continue
        columns[column], letters_of[column] = (index, text), letters
    _, required, _ = REQUIRED_SHEETS[sheet]
    missing = [SPELLING.get(c, c) for c in required if c not in columns]
    if missing:
        listed = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        problems.add(f"{name}: missing required column(s) {listed}")
    return None if twice or missing else columns


def _table(sheet: str, grid: pl.DataFrame, columns: dict[str, tuple[int, str]]) -> pl.DataFrame:
    """The rows under the header, by key, numbered as Excel numbers them; blank rows dropped."""
    _, _, optional = REQUIRED_SHEETS[sheet]
    numbered = grid.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(ROW))
    frame = numbered.slice(1).select(
        ROW,
        *[pl.col(grid.columns[at]).alias(column) for column, (at, _) in columns.items()],
        *[pl.lit(None, pl.String).alias(column) for column in optional if column not in columns],
    )
    return frame.filter(~pl.all_horizontal(pl.exclude(ROW).fill_null("").str.strip_chars() == ""))


def _read_sheet(
    workbook: ExcelReader, sheet: str, name: str, problems: Problems
) -> tuple[pl.DataFrame, dict[str, str]] | None:
    """One sheet's table and its headers as written; None if it cannot be read."""
    import fastexcel

    try:
        loaded = workbook.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
        letters = [column_letters(info.absolute_index + 1) for info in loaded.selected_columns]
        grid = loaded.to_polars()
    except fastexcel.FastExcelError as error:
        detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
        problems.add(f"{name}: the sheet cannot be read ({detail}); export the workbook again")
        return None
    header = list(grid.row(0)) if grid.height else [None] * grid.width
    columns = _columns(sheet, name, list(zip(letters, header, strict=True)), problems)
    if columns is None:
        return None
    return _table(sheet, grid, columns), {column: text for column, (_, text) in columns.items()}


def _check_extents(path: Path, problems: Problems) -> dict[str, str] | None:
    """Sheet key -> its name, each required sheet checked for values where no table can be;
    None if the file is no workbook."""
    try:
        with ZipFile(path) as archive:
            parts = sheet_parts(archive)
            found = _find_sheets(path.name, list(parts), problems)
            for name in found.values():
                try:
                    check_extent(archive, parts[name], name, problems)
                except (DamagedWorkbook, BadZipFile, zlib.error, EOFError) as error:
                    problems.add(
                        f"{name}: the sheet cannot be read ({error}); export the workbook again"
                    )
    except (BadZipFile, DamagedWorkbook, OSError) as error:
        problems.add(f"{path.name}: cannot be read as an Excel workbook ({error})")
        return None
    return found


def read_sheets(path: Path, problems: Problems) -> Extract:
    """Every required sheet as text, checked first for values where no table can be."""
    import fastexcel

    empty = Extract({}, {}, {})
    found = _check_extents(path, problems)
    if found is None or problems.total:
        return empty
    try:
        workbook = fastexcel.read_excel(str(path))
    except fastexcel.FastExcelError as error:
        problems.add(f"{path.name}: cannot be read as an Excel workbook ({error})")
        return empty
    sheets: dict[str, pl.DataFrame] = {}
    headers: dict[str, dict[str, str]] = {}
    for sheet, name in found.items():
        read = _read_sheet(workbook, sheet, name, problems)
        if read is not None:
            sheets[sheet], headers[sheet] = read
    return Extract(sheets, found, headers)
