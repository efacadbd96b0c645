"""The nightly nDelius WMT extract workbook, read into the same snapshot tables as the
case-level format, so the one engine scores both.

Checks come first (where each sheet's values lie, required sheets and columns, headers given
twice, numbers and their plausible size, dates, tier codes, locations, text the store could not
keep, and the public system's rule that the T2A total must be lower than the filtered total);
any failure refuses the whole workbook. Then counts become case rows: see docs/decisions/0002.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from wmt.engine.tables import SnapshotTables
from wmt.errors import InputRejected
from wmt.ingest import checks, ndelius_people
from wmt.ingest.checks import ROW, Problems, clean
from wmt.ingest.ndelius_sheets import (
    CASELOAD_SHEETS,
    COUNT_COLUMNS,
    OWNER_SHEETS,
    Extract,
    count_value,
    parse_count,
    parse_day,
    read_sheets,
)
from wmt.ingest.stored_lengths import renamed_limits
from wmt.store import schema

FLAG_SHEETS = (
    "flag_warr_4_n",
    "flag_upw",
    "flag_o_due",
    "flag_priority",
    "wmt_extract_sa",
    "suspended_lifers",
)
REPORT_COLUMNS = ["sdr_last_30", "sdr_conv_last_30", "oral_reports"]
LOCATIONS = ("community", "custody", "licence", "license")
# The most one count cell may hold: one owner's cases of one case type and tier, or their
# reports in 30 days. The largest in the real-format sample is 114 (custody B2 cases held by
# a prison's offender management unit); see docs/ndelius.md.
MAX_COUNT = 5_000
# The most cases (or reports) one sheet's counts may add up to: England and Wales supervise
# about 240,000 people, so a sheet counting more than this is no real extract.
MAX_SHEET_TOTAL = 1_000_000
WHOLE_NUMBER = r"^[0-9]{1,18}(\.0+)?$"  # Excel may write a whole number as 3.0
DATE_TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T].*)?$"
# The most characters the store keeps of each column's text (sheet -> column -> length), so
# a value too long is refused before anything is written.
OWNER_LIMITS = {
    **renamed_limits(
        schema.SnapshotUnit,
        {
            "team_code": "team_code",
            "team_desc": "team_name",
            "pdu_code": "pdu_code",
            "pdu_desc": "pdu_name",
            "region_code": "region_code",
            "region_desc": "region_name",
        },
    ),
    **renamed_limits(
        schema.SnapshotStaff,
        {"om_key": "staff_code", "om_forename": "forename", "om_surname": "surname"},
    ),
}
FLAG_LIMITS = renamed_limits(
    schema.SnapshotCase, {"case_ref_no": "crn", "team_code": "team_code", "om_key": "staff_code"}
)
CMS_LIMITS = renamed_limits(
    schema.SnapshotContact,
    {
        "contact_id": "contact_id",
        "crn": "crn",
        "contact_type_code": "contact_type_code",
        "contact_staff_key": "staff_code",
        "contact_team_key": "team_code",
        "om_key": "holder_staff_code",
        "om_team_key": "holder_team_code",
    },
)
SHEET_LIMITS: dict[str, dict[str, int]] = {
    **{sheet: OWNER_LIMITS for sheet in OWNER_SHEETS},
    **{sheet: FLAG_LIMITS for sheet in FLAG_SHEETS},
    "cms": CMS_LIMITS,
}


def _bad_rows(
    problems: Problems, extract: Extract, sheet: str, column: str, bad: pl.Expr, why: str
) -> None:
    checks.add_bad_numbers(
        problems,
        extract.place(sheet),
        extract.sheets[sheet],
        column,
        bad,
        why,
        label=extract.header(sheet, column),
    )


def _check_counts(problems: Problems, extract: Extract, sheet: str, columns: list[str]) -> None:
    """Whole numbers from 0 to MAX_COUNT; the columns are looked at one by one only if one of
    them is wrong (a caseload sheet has 120 of them)."""
    malformed = {
        column: clean(column).is_not_null() & ~clean(column).str.contains(WHOLE_NUMBER)
        for column in columns
    }
    too_many = {
        column: ~malformed[column] & (count_value(column) > MAX_COUNT) for column in columns
    }
    frame = extract.sheets[sheet]
    for column in checks.columns_where(frame, malformed):
        why = f"is not a count (a whole number from 0 to {MAX_COUNT:,})"
        _bad_rows(problems, extract, sheet, column, malformed[column], why)
    for column in checks.columns_where(frame, too_many):
        why = (
            f"is more than {MAX_COUNT:,}, the most one count may be (docs/ndelius.md); "
            "the extract looks wrong"
        )
        _bad_rows(problems, extract, sheet, column, too_many[column], why)


def _check_total(problems: Problems, extract: Extract, sheet: str, columns: list[str]) -> None:
    """Counts that each look plausible can still add up to more than the country holds."""
    frame = extract.sheets[sheet]
    total = frame.select(pl.sum_horizontal(parse_count(c) for c in columns).sum()).item()
    if total is not None and total > MAX_SHEET_TOTAL:
        problems.add(
            f"{extract.place(sheet)}: its counts add up to {total:,}, more than the "
            f"{MAX_SHEET_TOTAL:,} an extract for all of England and Wales could hold; the "
            "extract looks wrong and is refused"
        )


def _check_dates(
    problems: Problems, extract: Extract, sheet: str, column: str, *, required: bool
) -> None:
    value = clean(column)
    malformed = ~value.str.contains(DATE_TIME) | parse_day(column).is_null()
    bad = (value.is_null() | malformed) if required else (value.is_not_null() & malformed)
    _bad_rows(problems, extract, sheet, column, bad, "is not a date")


def _check_text(problems: Problems, extract: Extract) -> None:
    """No NUL anywhere, and no text longer than the store keeps."""
    for sheet, frame in extract.sheets.items():
        place, labels = extract.place(sheet), extract.headers.get(sheet, {})
        checks.check_no_nul(problems, place, frame, labels)
        checks.check_lengths(problems, place, frame, SHEET_LIMITS.get(sheet, {}), labels)


def _check_flags(problems: Problems, extract: Extract, sheet: str) -> None:
    tier = clean("tier_code")
    bad_tier = (
        tier.is_null()
        | ~tier.str.contains(WHOLE_NUMBER)
        | (count_value("tier_code") > 32).fill_null(True)
    )
    why = "is not a tier number (0 untiered, 1-16 A3…D0, 17-32 A3S…D0S)"
    _bad_rows(problems, extract, sheet, "tier_code", bad_tier, why)
    location = clean("location").str.to_lowercase()
    _bad_rows(
        problems,
        extract,
        sheet,
        "location",
        location.is_null() | ~location.is_in(LOCATIONS),
        "is not a location; expected Community, Custody or Licence",
    )
    blank = clean("case_ref_no").is_null()
    _bad_rows(problems, extract, sheet, "case_ref_no", blank, "is blank; a value is required")


def validate(extract: Extract, problems: Problems) -> None:
    """Type and range checks on every sheet, and the T2A rule."""
    _check_text(problems, extract)
    for sheet in CASELOAD_SHEETS:
        _check_counts(problems, extract, sheet, [*COUNT_COLUMNS, "vcrn_count"])
        _check_dates(problems, extract, sheet, "datestamp", required=False)
    _check_counts(problems, extract, "court_reports", REPORT_COLUMNS)
    for sheet in FLAG_SHEETS:
        _check_flags(problems, extract, sheet)
    _check_dates(problems, extract, "cms", "contact_date", required=True)
    for column in ("contact_id", "crn", "contact_staff_key", "om_key"):
        blank = clean(column).is_null()
        _bad_rows(problems, extract, "cms", column, blank, "is blank; a value is required")
    if problems.total:
        return  # totals are only added up from counts that are each well formed
    for sheet in CASELOAD_SHEETS:
        _check_total(problems, extract, sheet, list(COUNT_COLUMNS))
    _check_total(problems, extract, "court_reports", REPORT_COLUMNS)
    _check_t2a_total(problems, extract)


def _total(frame: pl.DataFrame) -> int:
    return int(frame.select(parse_count("vcrn_count").sum()).item())


def _check_t2a_total(problems: Problems, extract: Extract) -> None:
    """The public system's rule: more T2A cases than scored cases means a broken extract."""
    t2a, filtered = _total(extract.sheets["t2a"]), _total(extract.sheets["wmt_extract_filtered"])
    if t2a >= filtered:
        problems.add(
            f"{extract.place('t2a')}, column {extract.header('t2a', 'vcrn_count')}: the total "
            f"{t2a} is not lower than the total {filtered} in "
            f"{extract.place('wmt_extract_filtered')}; the extract looks wrong and is refused"
        )


def extract_date(sheets: dict[str, pl.DataFrame]) -> date | None:
    """The Datestamp of the extract: the latest one on WMT_Extract."""
    value = sheets["wmt_extract"].select(parse_day("datestamp").max()).item()
    return value if isinstance(value, date) else None


def read_ndelius_workbook(
    path: Path, as_of: date | None = None
) -> tuple[SnapshotTables, date, pl.DataFrame]:
    """The workbook's snapshot, its date and the reader's data-quality findings.

    Raises InputRejected naming sheet, row, column and value of every problem.
    """
    problems = Problems()
    if not path.is_file():
        raise InputRejected(str(path), [f"{path}: no such file"])
    extract = read_sheets(path, problems)
    if not problems.total:
        validate(extract, problems)
    on = as_of
    if not problems.total and on is None:
        on = extract_date(extract.sheets)
        if on is None:
            problems.add(
                f"{extract.place('wmt_extract')}, column "
                f"{extract.header('wmt_extract', 'datestamp')}: no date found; give --as-of"
            )
    if problems.total or on is None:
        raise InputRejected(path.name, problems.messages, problems.total)
    tables, findings = ndelius_people.to_tables(extract.sheets, on)
    return tables, on, findings


__all__ = ["ROW", "read_ndelius_workbook"]
