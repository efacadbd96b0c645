"""Column checks over whole tables, collecting every problem with its file, row and column."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

from wmt.errors import MAX_ERRORS_SHOWN

ROW = "__row"  # the row number a spreadsheet shows: the header is row 1
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# A decimal digit other than 0-9 (Arabic-Indic, full-width, ...): never read as a number.
OTHER_DIGIT = r"[\p{Nd}--[0-9]]"
OTHER_DIGIT_WHY = "has a digit other than 0-9; write numbers and dates with the digits 0 to 9"
HOURS = r"^[0-9]{1,4}(\.[0-9]{0,2})?$"
TRUE_WORDS = ("true", "1", "yes")
FALSE_WORDS = ("false", "0", "no", "")
SHOWN_CHARACTERS = 60


def shown(value: object) -> str:
    """A value as a message quotes it: long ones cut short, with their length."""
    if isinstance(value, str) and len(value) > SHOWN_CHARACTERS:
        return f"{value[:SHOWN_CHARACTERS]!r}… ({len(value):,} characters)"
    return repr(value)


@dataclass
class Problems:
    """Every problem found, with the first few written out in full."""

    messages: list[str] = field(default_factory=list)
    total: int = 0

    def add(self, message: str) -> None:
        self.total += 1
        if len(self.messages) < MAX_ERRORS_SHOWN:
            self.messages.append(message)

    def add_cell(self, file: str, row: int, column: str, text: str) -> None:
        self.add(f"{file}, row {row}, column {column}: {text}")

    def add_rows(
        self,
        file: str,
        column: str,
        offending: pl.DataFrame,
        why: str | pl.Expr,
        *,
        label: str | None = None,
    ) -> None:
        """Record each offending row; `offending` has the row number and the column's value.

        `why` may be worked out per row; `label` is the column as the file spells it, when
        that differs from `column`.
        """
        if offending.is_empty():
            return
        room = max(MAX_ERRORS_SHOWN - len(self.messages), 0)
        name = label or column
        reason = why if isinstance(why, pl.Expr) else pl.lit(why)
        shown_rows = offending.head(room).select(ROW, column, reason.alias("__why"))
        for row, value, reason in shown_rows.iter_rows():
            self.messages.append(f"{file}, row {row}, column {name}: {shown(value)} {reason}")
        self.total += offending.height


def blank(column: str) -> pl.Expr:
    return pl.col(column).is_null() | (pl.col(column).str.strip_chars() == "")


def clean(column: str) -> pl.Expr:
    """The value trimmed, with blanks as null: what is kept, compared and checked."""
    value = pl.col(column).str.strip_chars()
    return pl.when(value == "").then(None).otherwise(value).alias(column)


def require_values(
    problems: Problems, file: str, frame: pl.DataFrame, columns: Iterable[str]
) -> None:
    for column in columns:
        problems.add_rows(
            file, column, frame.filter(blank(column)), "is blank; a value is required"
        )


def check_choice(
    problems: Problems,
    file: str,
    frame: pl.DataFrame,
    column: str,
    allowed: Iterable[str],
    expected: str,
) -> None:
    """Values (case-insensitive, blanks allowed) must be one of `allowed` (lower case)."""
    value = clean(column).str.to_lowercase()
    bad = frame.filter(value.is_not_null() & ~value.is_in(list(allowed)))
    problems.add_rows(file, column, bad, f"is not valid; expected {expected}")


def add_bad_numbers(
    problems: Problems,
    file: str,
    frame: pl.DataFrame,
    column: str,
    bad: pl.Expr,
    why: str,
    *,
    label: str | None = None,
) -> None:
    """Rows where `bad` holds; those written with other digits are told so, not just refused."""
    offending = frame.filter(bad.fill_null(False))
    other = clean(column).str.contains(OTHER_DIGIT).fill_null(False)
    problems.add_rows(file, column, offending.filter(other), OTHER_DIGIT_WHY, label=label)
    problems.add_rows(file, column, offending.filter(~other), why, label=label)


def parse_date(column: str) -> pl.Expr:
    return clean(column).str.to_date("%Y-%m-%d", strict=False)


def check_dates(problems: Problems, file: str, frame: pl.DataFrame, columns: Iterable[str]) -> None:
    for column in columns:
        value = clean(column)
        bad = value.is_not_null() & (~value.str.contains(ISO_DATE) | parse_date(column).is_null())
        add_bad_numbers(problems, file, frame, column, bad, "is not a date; expected YYYY-MM-DD")


def check_hours(
    problems: Problems, file: str, frame: pl.DataFrame, column: str, maximum: str = "37.5"
) -> None:
    """Hours: a decimal with at most 2 places, from 0 to the maximum."""
    value = clean(column)
    too_many = value.cast(pl.Float64, strict=False) > float(maximum)
    bad = value.is_not_null() & (~value.str.contains(HOURS) | too_many)
    why = f"is not valid; expected hours from 0 to {maximum} (at most 2 decimals)"
    add_bad_numbers(problems, file, frame, column, bad, why)


def parse_hundredths(column: str) -> pl.Expr:
    """Checked hours text as whole hundredths of an hour (null when blank)."""
    return (clean(column).cast(pl.Decimal(9, 2)) * 100).cast(pl.Int64)


def parse_flag(column: str) -> pl.Expr:
    return clean(column).str.to_lowercase().is_in(TRUE_WORDS).fill_null(False)


def _label(columns: list[str]) -> str:
    return columns[0] if len(columns) == 1 else " + ".join(columns)


def _joined(columns: list[str]) -> pl.Expr:
    """The key's values as written, for the message."""
    if len(columns) == 1:
        return pl.col(columns[0])
    return pl.concat_str([pl.col(c).fill_null("") for c in columns], separator=" / ")


def check_unique(
    problems: Problems, file: str, frame: pl.DataFrame, columns: list[str], what: str
) -> None:
    """Rows after the first with the same key, compared as kept (spaces trimmed), are reported."""
    keys = [f"__key_{column}" for column in columns]
    keyed = frame.select(
        ROW,
        _joined(columns).alias("__as_written"),
        *[clean(c).alias(k) for c, k in zip(columns, keys, strict=True)],
    ).filter(pl.all_horizontal(pl.col(keys).is_not_null()))
    first = pl.struct(keys).is_first_distinct()
    repeated = keyed.filter(~first)
    if repeated.is_empty():
        return
    firsts = keyed.filter(first).select(*keys, pl.col(ROW).alias("__first"))
    repeated = repeated.join(firsts, on=keys, how="left")
    trimmed = pl.concat_str(pl.col(keys), separator=" / ") != pl.col("__as_written")
    why = pl.format(
        "appears more than once (first in row {}{}); each {} once",
        pl.col("__first"),
        pl.when(trimmed)
        .then(pl.lit(", once surrounding spaces are trimmed"))
        .otherwise(pl.lit("")),
        pl.lit(what),
    )
    problems.add_rows(file, "__as_written", repeated.sort(ROW), why, label=_label(columns))


def check_known(
    problems: Problems,
    file: str,
    frame: pl.DataFrame,
    keys: pl.DataFrame,
    columns: list[str],
    why: str,
    *,
    where: pl.Expr | None = None,
) -> None:
    """Values of `columns`, trimmed, must be a row of `keys` (same column names)."""
    candidates = frame if where is None else frame.filter(where)
    trimmed = [f"__key_{column}" for column in columns]
    known = keys.select(clean(c).alias(k) for c, k in zip(columns, trimmed, strict=True)).unique()
    unknown = candidates.select(
        ROW,
        pl.concat_str([pl.col(c).fill_null("") for c in columns], separator=" / ").alias("__value")
        if len(columns) > 1
        else pl.col(columns[0]).alias("__value"),
        *[clean(c).alias(k) for c, k in zip(columns, trimmed, strict=True)],
    ).join(known, on=trimmed, how="anti", nulls_equal=True)
    problems.add_rows(file, "__value", unknown.sort(ROW), why, label=_label(columns))


def columns_where(frame: pl.DataFrame, bad: dict[str, pl.Expr]) -> list[str]:
    """The columns with a row where their expression holds, found in one pass over the frame."""
    if not bad:
        return []
    found = frame.select(expr.fill_null(False).any().alias(c) for c, expr in bad.items()).row(0)
    return [column for column, holds in zip(bad, found, strict=True) if holds]


def check_lengths(
    problems: Problems,
    file: str,
    frame: pl.DataFrame,
    limits: dict[str, int],
    labels: dict[str, str] | None = None,
) -> None:
    """Text no longer than the store keeps for its column (`limits`: column -> characters)."""
    # A value of no more bytes than the limit has no more characters: only longer ones are
    # trimmed and counted.
    present = {column: limit for column, limit in limits.items() if column in frame.columns}
    many_bytes = {
        column: pl.col(column).str.len_bytes() > limit for column, limit in present.items()
    }
    for column in columns_where(frame, many_bytes):
        candidates = frame.filter(many_bytes[column].fill_null(False))
        problems.add_rows(
            file,
            column,
            candidates.filter(clean(column).str.len_chars() > present[column]),
            f"is longer than the {present[column]} characters kept for {column}",
            label=(labels or {}).get(column),
        )


def check_no_nul(
    problems: Problems, file: str, frame: pl.DataFrame, labels: dict[str, str] | None = None
) -> None:
    """A NUL character is in no real value: it means a damaged or binary file."""
    holding = {
        column: pl.col(column).str.contains("\x00", literal=True)
        for column, kind in frame.schema.items()
        if column != ROW and kind == pl.String
    }
    for column in columns_where(frame, holding):
        problems.add_rows(
            file,
            column,
            frame.filter(holding[column].fill_null(False)),
            "holds a NUL character (\\x00), which no value may; the file may be damaged",
            label=(labels or {}).get(column),
        )


def words(names: Iterable[str]) -> str:
    return ", ".join(names)


_SPACE = re.compile(r"\s+")


def column_key(name: str) -> str:
    """Column names are matched case-insensitively, ignoring surrounding spaces."""
    return _SPACE.sub("_", name.strip().lower())
