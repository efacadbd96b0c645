"""The open case-level format (case-format.md): a folder of CSV or Parquet files.

Everything is checked before anything is handed on; every problem found is reported with its
file, row, column and value.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl

from wmt.domain.cases import ALL_TIERS, CASE_TYPE_ALIASES, ROSH_LEVELS, UNTIERED, CaseFlag
from wmt.domain.grades import Grade
from wmt.domain.points import REPORT_TYPES
from wmt.domain.reductions import REDUCTION_REASONS
from wmt.engine.tables import SnapshotTables
from wmt.errors import InputRejected
from wmt.ingest import checks
from wmt.ingest.case_files import read_files
from wmt.ingest.checks import (
    ROW,
    Problems,
    clean,
    parse_date,
    parse_flag,
    parse_hundredths,
    shown,
)
from wmt.ingest.stored_lengths import limits
from wmt.store.snapshots import INPUT_TABLES

SNAPSHOT_FILE = "snapshot.txt"
SNAPSHOT_MAX_BYTES = 100  # one date and some spaces
GRADE_WORDS = [grade.value.lower() for grade in Grade]
TIER_WORDS = [tier.lower() for tier in ALL_TIERS if tier != UNTIERED] + ["0"]
FLAG_WORDS = [flag.value for flag in CaseFlag]
REASON_WORDS = [reason.name.lower() for reason in REDUCTION_REASONS]
BOOLEAN_WORDS = [*checks.TRUE_WORDS, *checks.FALSE_WORDS]
# Columns checked against a list of words are not length-checked.
ENUMERATED = frozenset({"grade", "case_type", "tier", "report_type", "reason", "status", "rosh"})


def _date_problem(text: str) -> str | None:
    """What is wrong with the text of snapshot.txt, if anything."""
    if any(character.isdecimal() and not "0" <= character <= "9" for character in text):
        return f"{shown(text)} {checks.OTHER_DIGIT_WHY}"
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            date.fromisoformat(text)
            return None
    except ValueError:
        pass
    return f"{shown(text)} is not a date; expected YYYY-MM-DD"


def snapshot_date(folder: Path, as_of: date | None) -> date:
    """--as-of if given, else the one ISO date in snapshot.txt (UTF-8; a byte order mark is
    allowed)."""
    if as_of is not None:
        return as_of
    path = folder / SNAPSHOT_FILE
    if not path.is_file():
        raise InputRejected(
            str(folder), [f"no snapshot date: give --as-of or put one ISO date in {SNAPSHOT_FILE}"]
        )
    with path.open("rb") as handle:
        written = handle.read(SNAPSHOT_MAX_BYTES + 1)
    where = f"{SNAPSHOT_FILE}, row 1, column 1"
    try:
        text = written[:SNAPSHOT_MAX_BYTES].decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        raise InputRejected(
            str(folder), [f"{where}: is not UTF-8 text; it should hold one date, YYYY-MM-DD"]
        ) from None
    problem = _date_problem(text)
    if len(written) > SNAPSHOT_MAX_BYTES:
        problem = f"holds more than one date; it should hold one, YYYY-MM-DD ({shown(text)})"
    if problem is not None:
        raise InputRejected(str(folder), [f"{where}: {problem}"])
    return date.fromisoformat(text)


def _check_units(p: Problems, file: str, units: pl.DataFrame) -> None:
    checks.require_values(p, file, units, [c for c in units.columns if c != ROW])
    checks.check_unique(p, file, units, ["team_code"], "team")


def _check_staff(p: Problems, file: str, staff: pl.DataFrame, teams: pl.DataFrame) -> None:
    checks.require_values(p, file, staff, ["staff_code", "team_code"])
    checks.check_choice(p, file, staff, "grade", GRADE_WORDS, "PO, PQiP, PSO, SPO or none")
    checks.check_hours(p, file, staff, "contracted_hours")
    checks.check_dates(p, file, staff, ["start_date", "leave_date"])
    checks.check_known(p, file, staff, teams, ["team_code"], "is not a team in units.csv")
    checks.check_unique(p, file, staff, ["staff_code", "team_code"], "practitioner in a team")


def _check_cases(
    p: Problems, file: str, cases: pl.DataFrame, teams: pl.DataFrame, owners: pl.DataFrame
) -> None:
    checks.require_values(p, file, cases, ["crn", "team_code", "case_type"])
    checks.check_unique(p, file, cases, ["crn"], "case")
    checks.check_choice(
        p, file, cases, "case_type", list(CASE_TYPE_ALIASES), "community, custody or licence"
    )
    checks.check_choice(p, file, cases, "tier", TIER_WORDS, "A3…D0, A3S…D0S, or blank/0")
    checks.check_choice(p, file, cases, "t2a", BOOLEAN_WORDS, "true or false")
    tokens = cases.select(ROW, "flags", token=clean("flags").str.split(";")).explode("token")
    token = pl.col("token").str.strip_chars().str.to_lowercase()
    bad_flags = tokens.filter(token.is_not_null() & (token != "") & ~token.is_in(FLAG_WORDS))
    p.add_rows(
        file,
        "flags",
        bad_flags.unique(ROW, keep="first").sort(ROW),
        f"has a flag that is not one of {checks.words(FLAG_WORDS)}",
    )
    checks.check_choice(p, file, cases, "rosh", ROSH_LEVELS, "low, medium, high or very_high")
    checks.check_dates(
        p, file, cases, ["allocated_date", "sentence_date", "initial_appointment_date"]
    )
    checks.check_known(
        p,
        file,
        cases,
        teams,
        ["team_code"],
        "is not a team in units.csv",
        where=~checks.blank("team_code"),
    )
    checks.check_known(
        p,
        file,
        cases,
        owners,
        ["staff_code", "team_code"],
        "is not a practitioner in that team in staff.csv",
        where=~checks.blank("staff_code"),
    )


def _check_reports(p: Problems, file: str, reports: pl.DataFrame, owners: pl.DataFrame) -> None:
    checks.require_values(p, file, reports, ["staff_code", "team_code", "completed_date"])
    checks.check_choice(p, file, reports, "report_type", REPORT_TYPES, checks.words(REPORT_TYPES))
    checks.require_values(p, file, reports, ["report_type"])
    checks.check_dates(p, file, reports, ["completed_date"])
    checks.check_known(
        p,
        file,
        reports,
        owners,
        ["staff_code", "team_code"],
        "is not a practitioner in that team in staff.csv",
    )


def _check_contacts(p: Problems, file: str, contacts: pl.DataFrame, owners: pl.DataFrame) -> None:
    checks.require_values(
        p,
        file,
        contacts,
        ["contact_id", "crn", "contact_date", "contact_type_code", "staff_code", "team_code"],
    )
    checks.check_unique(p, file, contacts, ["contact_id"], "contact")
    checks.check_dates(p, file, contacts, ["contact_date"])
    checks.check_known(
        p,
        file,
        contacts,
        owners,
        ["staff_code", "team_code"],
        "is not a practitioner in that team in staff.csv",
    )


def _check_reductions(
    p: Problems, file: str, reductions: pl.DataFrame, owners: pl.DataFrame
) -> None:
    checks.require_values(
        p, file, reductions, ["staff_code", "team_code", "reason", "hours", "start_date"]
    )
    checks.check_choice(
        p,
        file,
        reductions,
        "reason",
        REASON_WORDS,
        "a reduction reason from the catalogue (see `wmt reasons`)",
    )
    checks.check_hours(p, file, reductions, "hours")
    checks.check_dates(p, file, reductions, ["start_date", "end_date"])
    checks.check_choice(p, file, reductions, "status", ["active", "deleted"], "active or deleted")
    ends_early = reductions.filter(
        (parse_date("end_date") < parse_date("start_date")).fill_null(False)
    )
    p.add_rows(file, "end_date", ends_early, "is before start_date")
    checks.check_known(
        p,
        file,
        reductions,
        owners,
        ["staff_code", "team_code"],
        "is not a practitioner in that team in staff.csv",
    )


def _check_lengths(problems: Problems, files: dict[str, tuple[str, pl.DataFrame]]) -> None:
    for name, (file, frame) in files.items():
        text_columns = [column for column in frame.columns if column not in ENUMERATED]
        checks.check_lengths(problems, file, frame, limits(INPUT_TABLES[name], text_columns))


def validate(folder: Path) -> dict[str, pl.DataFrame]:
    """Read and check every file; refuse the folder whole if anything is wrong."""
    if not folder.is_dir():
        raise InputRejected(str(folder), [f"{folder}: not a folder"])
    problems = Problems()
    files = read_files(folder, problems)
    if problems.total:
        raise InputRejected(str(folder), problems.messages, problems.total)

    units_file, units = files["units"]
    staff_file, staff = files["staff"]
    _check_units(problems, units_file, units)
    teams = units.select(clean("team_code").alias("team_code"))
    _check_staff(problems, staff_file, staff, teams)
    owners = staff.select(clean("staff_code"), clean("team_code"))
    _check_cases(problems, files["cases"][0], files["cases"][1], teams, owners)
    for name, check in (
        ("reports", _check_reports),
        ("contacts", _check_contacts),
        ("reductions", _check_reductions),
    ):
        if name in files:
            check(problems, files[name][0], files[name][1], owners)
    _check_lengths(problems, files)
    if problems.total:
        raise InputRejected(str(folder), problems.messages, problems.total)
    return {name: frame.drop(ROW) for name, (_, frame) in files.items()}


def _canonical(column: str, names: dict[str, str]) -> pl.Expr:
    return clean(column).str.to_lowercase().replace_strict(names, default=None)


def to_tables(files: dict[str, pl.DataFrame]) -> SnapshotTables:
    """Checked text tables converted to the engine's typed snapshot tables."""
    units = files["units"].select(clean(c) for c in files["units"].columns)
    staff = files["staff"].select(
        clean("staff_code"),
        clean("team_code"),
        _canonical("grade", {g.value.lower(): g.value for g in Grade}).fill_null(Grade.NONE.value),
        clean("forename"),
        clean("surname"),
        parse_hundredths("contracted_hours").alias("contracted_hours_centi"),
        parse_date("start_date"),
        parse_date("leave_date"),
    )
    flag_tokens = (
        clean("flags").str.to_lowercase().str.split(";").list.eval(pl.element().str.strip_chars())
    )
    tier = clean("tier").str.to_uppercase()
    cases = files["cases"].select(
        clean("crn"),
        clean("staff_code"),
        clean("team_code"),
        _canonical("case_type", {k: v.value for k, v in CASE_TYPE_ALIASES.items()}),
        pl.when(tier.is_null() | (tier == "0"))
        .then(pl.lit(UNTIERED))
        .otherwise(tier)
        .alias("tier"),
        parse_flag("t2a"),
        *[
            flag_tokens.list.contains(flag.value).fill_null(False).alias(flag.value)
            for flag in CaseFlag
        ],
        parse_date("allocated_date"),
        parse_date("sentence_date"),
        clean("previous_staff_code"),
        clean("rosh").str.to_lowercase(),
        parse_date("initial_appointment_date"),
    )
    frames: dict[str, pl.DataFrame] = {"units": units, "staff": staff, "cases": cases}
    if "reports" in files:
        frames["reports"] = files["reports"].select(
            clean("staff_code"),
            clean("team_code"),
            clean("report_type").str.to_lowercase(),
            parse_date("completed_date"),
            clean("crn"),
        )
    if "contacts" in files:
        holders = cases.select("crn", holder_staff_code="staff_code", holder_team_code="team_code")
        frames["contacts"] = (
            files["contacts"]
            .select(
                clean("contact_id"),
                clean("crn"),
                parse_date("contact_date"),
                clean("contact_type_code").str.to_uppercase(),
                clean("staff_code"),
                clean("team_code"),
            )
            .join(holders, on="crn", how="left")
        )
    if "reductions" in files:
        reasons = {reason.name.lower(): reason.name for reason in REDUCTION_REASONS}
        frames["reductions"] = files["reductions"].select(
            clean("staff_code"),
            clean("team_code"),
            _canonical("reason", reasons),
            parse_hundredths("hours").alias("hours_centi"),
            parse_date("start_date"),
            parse_date("end_date"),
            (clean("status").str.to_lowercase() == "deleted").fill_null(False).alias("deleted"),
            clean("notes"),
        )
    return SnapshotTables.from_frames(**frames)


def read_case_folder(folder: Path, as_of: date | None = None) -> tuple[SnapshotTables, date]:
    """The folder's snapshot and its date, or InputRejected naming every problem."""
    if not folder.is_dir():
        raise InputRejected(str(folder), [f"{folder}: not a folder"])
    problems: list[str] = []
    total = 0
    on: date | None = None
    files: dict[str, pl.DataFrame] = {}
    for step in ("date", "files"):
        try:
            if step == "date":
                on = snapshot_date(folder, as_of)
            else:
                files = validate(folder)
        except InputRejected as rejected:
            problems += rejected.problems
            total += rejected.total
    if problems or on is None:
        raise InputRejected(str(folder), problems, total)
    return to_tables(files), on
