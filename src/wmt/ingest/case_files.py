"""Finding and reading the files of a case-level folder as text tables.

A file is refused whole, before any value is checked, if its rows are not all the shape its
header says (csv_rows), if a column name repeats, if it is not UTF-8 text, if the header row
appears again among the rows, or if any value holds a NUL character.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from wmt.ingest import csv_rows
from wmt.ingest.checks import ROW, Problems, check_no_nul, clean, column_key

UTF8_CHUNK = 1 << 20
REPLACEMENT = "\ufffd"  # what bytes that are not UTF-8 become when read anyway


@dataclass(frozen=True)
class FileSpec:
    name: str
    required_columns: tuple[str, ...]
    optional_columns: tuple[str, ...] = ()
    required: bool = False


FILE_SPECS: tuple[FileSpec, ...] = (
    FileSpec(
        "units",
        ("region_code", "region_name", "pdu_code", "pdu_name", "team_code", "team_name"),
        required=True,
    ),
    FileSpec(
        "staff",
        ("staff_code", "team_code", "grade"),
        ("forename", "surname", "contracted_hours", "start_date", "leave_date"),
        required=True,
    ),
    FileSpec(
        "cases",
        ("crn", "staff_code", "team_code", "case_type", "tier"),
        (
            "t2a",
            "flags",
            "allocated_date",
            "sentence_date",
            "previous_staff_code",
            "rosh",
            "initial_appointment_date",
        ),
        required=True,
    ),
    FileSpec("reports", ("staff_code", "team_code", "report_type", "completed_date"), ("crn",)),
    FileSpec(
        "contacts",
        ("contact_id", "crn", "contact_date", "contact_type_code", "staff_code", "team_code"),
    ),
    FileSpec(
        "reductions",
        ("staff_code", "team_code", "reason", "hours", "start_date"),
        ("end_date", "status", "notes"),
    ),
)


def is_utf8(path: Path) -> bool:
    """Whether the whole file is UTF-8, read a piece at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while piece := handle.read(UTF8_CHUNK):
                decoder.decode(piece)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _header_keys(file: str, header: list[str], problems: Problems) -> list[str] | None:
    """Each column's key; None if two names are the same column."""
    keys = [column_key(name) or f"__unnamed_{index + 1}" for index, name in enumerate(header)]
    first: dict[str, int] = {}
    clash = False
    for index, key in enumerate(keys):
        if key in first:
            earlier = first[key]
            problems.add_cell(
                file,
                1,
                header[index],
                f"{header[index]!r} is the same column as {header[earlier]!r} (column "
                f"{earlier + 1}): column names are matched ignoring case and surrounding "
                "spaces, so each may appear once",
            )
            clash = True
        first.setdefault(key, index)
    return None if clash else keys


def _read_csv(file: str, path: Path, problems: Problems) -> pl.DataFrame | None:
    utf8 = is_utf8(path)
    # Bytes that are not UTF-8 are read as U+FFFD so the rows holding them can be named.
    source: Path | bytes = (
        path if utf8 else path.read_bytes().decode("utf-8", "replace").encode("utf-8")
    )
    rows = csv_rows.read_rows(file, source, problems)
    if rows is None:
        return None
    keys = _header_keys(file, rows.header, problems)
    if keys is None:
        return None
    if not keys:
        return pl.DataFrame(schema={ROW: pl.Int64})
    frame = pl.read_csv(source, infer_schema=False, new_columns=keys, encoding="utf8")
    if frame.height != rows.rows:
        problems.add(f"{file}: {frame.height} rows were read where the file has {rows.rows}")
        return None
    frame = frame.with_columns(pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias(ROW))
    if rows.empty_rows:
        frame = frame.filter(~pl.col(ROW).is_in(rows.empty_rows))
    if not utf8:
        _report_undecodable(file, rows.header, frame, problems)
        return None
    return frame


def _report_undecodable(
    file: str, header: list[str], frame: pl.DataFrame, problems: Problems
) -> None:
    why = (
        "is not UTF-8 text (\ufffd marks bytes that could not be read); save the file as "
        "UTF-8 (in Excel: CSV UTF-8)"
    )
    before = problems.total
    for index, name in enumerate(header):
        if REPLACEMENT in name:
            problems.add_cell(file, 1, str(index + 1), f"{name!r} {why}")
    for column in frame.columns:
        if column != ROW:
            holding = frame.filter(pl.col(column).str.contains(REPLACEMENT, literal=True))
            problems.add_rows(file, column, holding, why)
    if problems.total == before:
        problems.add(f"{file}: is not UTF-8 text; save the file as UTF-8 (in Excel: CSV UTF-8)")


def _read_parquet(file: str, path: Path, problems: Problems) -> pl.DataFrame | None:
    frame = pl.read_parquet(path)
    dated = frame.with_columns(pl.col(pl.Date, pl.Datetime).dt.strftime("%Y-%m-%d"))
    frame = dated.with_columns(pl.all().cast(pl.String))
    keys = _header_keys(file, frame.columns, problems)
    if keys is None:
        return None
    frame.columns = keys
    return frame.with_columns(pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias(ROW))


def _find(folder: Path, name: str) -> Path | None:
    for suffix in (".csv", ".parquet"):
        candidate = folder / f"{name}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def _repeated_header(file: str, frame: pl.DataFrame, problems: Problems) -> None:
    """A row that is the header again (two files joined end to end, say) is no data."""
    columns = [c for c in frame.columns if c != ROW and not c.startswith("__unnamed_")]
    if not columns:
        return

    def as_name(column: str) -> pl.Expr:
        return clean(column).str.to_lowercase().str.replace_all(r"\s+", "_")

    # Only rows whose first value holds its column's name can be the header again.
    word = re.escape(columns[0].split("_")[0])
    candidates = frame.filter(pl.col(columns[0]).str.contains(f"(?i){word}").fill_null(False))
    again = pl.all_horizontal((as_name(c) == c).fill_null(False) for c in columns)
    problems.add_rows(
        file,
        columns[0],
        candidates.filter(again),
        "is the header row again; remove the repeated header",
    )


def _read_one(spec: FileSpec, path: Path, problems: Problems) -> pl.DataFrame | None:
    file = path.name
    before = problems.total
    try:
        if path.suffix == ".parquet":
            frame = _read_parquet(file, path, problems)
        else:
            frame = _read_csv(file, path, problems)
    except (pl.exceptions.PolarsError, OSError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        problems.add(f"{file}: cannot be read ({first_line})")
        return None
    if frame is None or problems.total > before:
        return None
    missing = [column for column in spec.required_columns if column not in frame.columns]
    for column in missing:
        problems.add_cell(file, 1, column, "no such column in the header; it is required")
    if missing:
        return None
    check_no_nul(problems, file, frame)
    _repeated_header(file, frame, problems)
    absent = [c for c in spec.optional_columns if c not in frame.columns]
    return frame.with_columns(pl.lit(None, pl.String).alias(column) for column in absent)


def read_files(folder: Path, problems: Problems) -> dict[str, tuple[str, pl.DataFrame]]:
    """Each file present, as (file name, table with a row-number column and every column).

    Absent optional columns are added as blanks, so later checks can assume them.
    """
    tables: dict[str, tuple[str, pl.DataFrame]] = {}
    for spec in FILE_SPECS:
        path = _find(folder, spec.name)
        if path is None:
            if spec.required:
                problems.add(f"{folder}: missing required file {spec.name}.csv")
            continue
        frame = _read_one(spec, path, problems)
        if frame is not None:
            tables[spec.name] = (path.name, frame)
    return tables
