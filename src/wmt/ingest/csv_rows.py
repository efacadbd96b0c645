"""The rows of a CSV file as written: how many fields each has, before any value is read.

polars pads a short row with blanks and cannot say which rows were short, so each file's
records are first counted here, over whole columns of lines rather than row by row: a line's
double quotes say whether the next line continues a quoted value; a record's separators outside
quotes say how many fields it has. Only the records found wrong are looked at one by one, to
name the column where each goes wrong. Files must follow RFC 4180: a value holding a comma,
a double quote or a line break is wrapped in double quotes, and quotes inside it are doubled.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from wmt.errors import MAX_ERRORS_SHOWN
from wmt.ingest.checks import Problems, shown

SEPARATOR = ","
QUOTE = '"'
BYTE_ORDER_MARK = "\ufeff"
_QUOTED = r'"(?:[^"]|"")*"'
_FIELD = rf'(?:{_QUOTED}|[^",]*)'
_WELL_QUOTED = rf"(?s)^{_FIELD}(?:,{_FIELD})*$"


@dataclass(frozen=True)
class CsvRows:
    """What the lines of a file say about its rows."""

    header: list[str]  # the column names as written, without a byte order mark
    rows: int  # records after the header, empty lines included
    empty_rows: list[int]  # row numbers of empty lines: no row of data, but counted


def _records(lines: pl.DataFrame) -> pl.DataFrame:
    """Each line with the row (record) it belongs to, as a spreadsheet would number it."""
    quotes = pl.col("text").str.count_matches(QUOTE, literal=True)
    inside = ((quotes.cum_sum() - quotes) % 2) == 1  # the line continues a quoted value
    return lines.with_columns(quotes.alias("quotes"), inside.alias("inside")).with_columns(
        (~pl.col("inside")).cum_sum().cast(pl.Int64).alias("row"),
        pl.col("inside").shift(-1).fill_null(False).alias("continued"),
    )


def _fields(records: pl.DataFrame) -> pl.DataFrame:
    """row, fields (how many), well_quoted, empty (an empty line): one per record."""
    plain = ~pl.col("inside") & ~pl.col("continued") & (pl.col("quotes") == 0)
    simple = records.filter(plain).select(
        "row",
        (pl.col("text").str.count_matches(SEPARATOR, literal=True) + 1).alias("fields"),
        pl.lit(True).alias("well_quoted"),
        (pl.col("text") == "").alias("empty"),
    )
    quoted = (
        records.filter(~plain)
        .group_by("row", maintain_order=True)
        .agg(pl.col("text").str.join("\n"))
        .select(
            "row",
            (
                pl.col("text")
                .str.replace_all(_QUOTED, "")
                .str.count_matches(SEPARATOR, literal=True)
                + 1
            ).alias("fields"),
            pl.col("text").str.contains(_WELL_QUOTED).alias("well_quoted"),
            pl.lit(False).alias("empty"),
        )
    )
    return pl.concat([simple, quoted]).sort("row")


def _texts(records: pl.DataFrame, rows: pl.Series) -> pl.DataFrame:
    """The text of some records, their lines joined again."""
    return (
        records.filter(pl.col("row").is_in(rows.implode()))
        .group_by("row", maintain_order=True)
        .agg(pl.col("text").str.join("\n"))
    )


def misquoted_field(text: str) -> int:
    """The index of the first field whose double quotes break RFC 4180."""
    index, at, end = 0, 0, len(text)
    while True:
        if text.startswith(QUOTE, at):
            search = at + 1
            while True:
                close = text.find(QUOTE, search)
                if close == -1:
                    return index  # opened and never closed
                if not text.startswith(QUOTE * 2, close):
                    break
                search = close + 2
            at = close + 1
            if at < end and text[at] != SEPARATOR:
                return index  # something after the closing quote
        else:
            comma = text.find(SEPARATOR, at)
            stop = end if comma == -1 else comma
            if QUOTE in text[at:stop]:
                return index  # a quote inside a value that is not wrapped in quotes
            at = stop
        if at >= end:
            return index
        at += 1
        index += 1


def _column(header: list[str], index: int) -> str:
    return header[index] if index < len(header) and header[index].strip() else str(index + 1)


def _report(
    problems: Problems, file: str, header: list[str], bad: pl.DataFrame, total: int
) -> None:
    width = len(header)
    room = max(MAX_ERRORS_SHOWN - len(problems.messages), 0)
    for row, text, fields, well_quoted in bad.head(room).iter_rows():
        if not well_quoted:
            column = _column(header, misquoted_field(text))
            why = (
                "a double quote is out of place or never closed; a value holding a comma, a "
                "double quote or a line break must be wrapped in double quotes, with each "
                "double quote inside it doubled"
            )
        elif fields < width:
            column = _column(header, fields)
            why = (
                f"no value: the row ends early, with {fields} fields where the header has "
                f"{width}; is a comma or a value missing?"
            )
        else:
            column = str(width + 1)
            why = (
                f"no column header: the row has {fields} fields where the header has {width}; "
                "a value holding a comma must be wrapped in double quotes"
            )
        problems.add_cell(file, row, column, f"{why} (the row reads {shown(text)})")
    problems.total += max(total - min(room, bad.height), 0)


def read_rows(file: str, source: Path | bytes, problems: Problems) -> CsvRows | None:
    """The file's header and rows, or None with every ill-formed row added to `problems`."""
    lines = pl.read_lines(source, name="text")
    if lines.is_empty():
        return CsvRows(header=[], rows=0, empty_rows=[])
    records = _records(lines)
    del lines
    fields = _fields(records)
    header_text = str(_texts(records, pl.Series([1]))["text"][0]).removeprefix(BYTE_ORDER_MARK)
    if not fields["well_quoted"][0] or "\x00" in header_text:
        why = "the header row cannot be read: a double quote is out of place, or it holds NUL"
        problems.add_cell(file, 1, _column([], misquoted_field(header_text)), why)
        return None
    header = next(csv.reader([header_text]), [])
    data = fields.slice(1)
    width = len(header)
    bad = data.filter(~pl.col("empty") & (~pl.col("well_quoted") | (pl.col("fields") != width)))
    if not bad.is_empty():
        shown_rows = bad.head(MAX_ERRORS_SHOWN)
        texts = _texts(records, shown_rows["row"])
        _report(
            problems,
            file,
            header,
            shown_rows.join(texts, on="row").select("row", "text", "fields", "well_quoted"),
            bad.height,
        )
        return None
    return CsvRows(
        header=header, rows=data.height, empty_rows=data.filter("empty")["row"].to_list()
    )
