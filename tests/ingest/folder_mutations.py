"""Ways to damage, or only disguise, the valid case-level folder, each with what the reader must
then do: refuse it naming the file, row and column damaged; read it to the same figures; or read
it to the figures of the folder without one row.

The valid files hold no quotes and no commas inside values, so a line splits into its fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from hypothesis import strategies as st

from tests.case_folders import VALID_FILES
from wmt.ingest.case_folder import ENUMERATED
from wmt.ingest.stored_lengths import limits
from wmt.store.snapshots import INPUT_TABLES


class Outcome(Enum):
    REFUSED = "refused"
    SAME_FIGURES = "same figures"
    WITHOUT_ROW = "figures without one row"


@dataclass(frozen=True)
class Mutation:
    kind: str
    files: dict[str, str]  # file name -> its new text
    outcome: Outcome
    # For REFUSED: a problem must name this file and row, and a column label holding this name
    # (None: the problem shows where the damage is felt, not where it was made).
    where: tuple[str, int, str] | None = None
    removed: tuple[str, int] | None = field(default=None)  # for WITHOUT_ROW: (file, data row)


CSV_FILES = [name for name in VALID_FILES if name.endswith(".csv")]
NUMBERS_AND_DATES = {
    "staff.csv": ("contracted_hours", "start_date", "leave_date"),
    "cases.csv": ("allocated_date",),
    "reports.csv": ("completed_date",),
    "contacts.csv": ("contact_date",),
    "reductions.csv": ("hours", "start_date", "end_date"),
}
# Garbage in one of these is refused (a value not allowed, or a reference to nothing).
CHECKED = {
    "units.csv": ("team_code",),
    "staff.csv": ("staff_code", "team_code", "grade", *NUMBERS_AND_DATES["staff.csv"]),
    "cases.csv": ("staff_code", "team_code", "case_type", "tier", "t2a", "flags", "allocated_date"),
    "reports.csv": ("staff_code", "team_code", "report_type", "completed_date"),
    "contacts.csv": ("contact_date", "staff_code", "team_code"),
    "reductions.csv": (
        *("staff_code", "team_code", "reason", "hours", "start_date", "end_date", "status"),
    ),
}
# Keys others refer to: garbage there is refused where the references are, not where it is.
REFERRED_TO = {("units.csv", "team_code"), ("staff.csv", "staff_code")}
# Garbage in one of these changes no figure.
NEUTRAL = {
    "units.csv": ("region_code", "region_name", "pdu_code", "pdu_name", "team_name"),
    "staff.csv": ("forename", "surname"),
    "reports.csv": ("crn",),
    "contacts.csv": ("contact_id",),
    "reductions.csv": ("notes",),
}
UNIQUE_KEYS = {
    "units.csv": ("team_code",),
    "staff.csv": ("staff_code", "team_code"),
    "cases.csv": ("crn",),
    "contacts.csv": ("contact_id",),
}
# Rows others refer to: deleting one is refused; deleting a row of any other file is read.
REFERRED_ROWS = ("units.csv", "staff.csv")
OTHER_DIGITS = (0x0660, 0x06F0, 0x0966, 0xFF10)  # Arabic-Indic, Persian, Devanagari, full width
PLAIN = "aZ9 ;:_-./?!'é中\u0663\t"  # letters, digits (one not 0-9), punctuation, spaces
PLAIN_GARBAGE = st.text(alphabet=st.sampled_from(PLAIN), max_size=20)
GARBAGE = st.text(alphabet=st.sampled_from(PLAIN + ',"\n\r'), max_size=20)


def rows(name: str) -> list[list[str]]:
    return [line.split(",") for line in VALID_FILES[name].splitlines()]


def text(table: list[list[str]], end: str = "\n") -> str:
    return "".join(",".join(row) + end for row in table)


def quoted(value: str) -> str:
    """A value written as RFC 4180 wants it: in double quotes if it holds , " or a line end."""
    if any(special in value for special in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


def code_limits(name: str) -> dict[str, int]:
    header = rows(name)[0]
    return limits(
        INPUT_TABLES[name.removesuffix(".csv")], [c for c in header if c not in ENUMERATED]
    )


@st.composite
def cells(
    draw: st.DrawFn, columns: dict[str, tuple[str, ...]] | None = None
) -> tuple[str, int, int]:
    """(file, row index, column index) of a data cell, from `columns` if given."""
    names = list(columns) if columns else CSV_FILES
    name = draw(st.sampled_from(names))
    table = rows(name)
    allowed = [i for i, c in enumerate(table[0]) if columns is None or c in columns[name]]
    return name, draw(st.integers(1, len(table) - 1)), draw(st.sampled_from(allowed))


def _changed(name: str, table: list[list[str]]) -> dict[str, str]:
    return {name: text(table)}


@st.composite
def cut_short(draw: st.DrawFn) -> Mutation:
    name, row, _ = draw(cells())
    table = rows(name)
    kept = draw(st.integers(1, len(table[0]) - 1))
    table[row] = table[row][:kept]
    where = (name, row + 1, table[0][kept])
    return Mutation("cut a row short", _changed(name, table), Outcome.REFUSED, where)


@st.composite
def extra_field(draw: st.DrawFn) -> Mutation:
    name, row, _ = draw(cells())
    table = rows(name)
    table[row] = [*table[row], draw(PLAIN_GARBAGE)]
    where = (name, row + 1, str(len(table[0]) + 1))
    return Mutation("add a field", _changed(name, table), Outcome.REFUSED, where)


@st.composite
def repeat_header_row(draw: st.DrawFn) -> Mutation:
    name = draw(st.sampled_from(CSV_FILES))
    table = rows(name)
    at = draw(st.integers(1, len(table)))
    table.insert(at, list(table[0]))
    where = (name, at + 1, table[0][0])
    return Mutation("repeat the header row", _changed(name, table), Outcome.REFUSED, where)


@st.composite
def repeat_column_name(draw: st.DrawFn) -> Mutation:
    name = draw(st.sampled_from(CSV_FILES))
    table = rows(name)
    again = draw(st.sampled_from(table[0]))
    again = draw(st.sampled_from([again, again.upper(), f" {again} "]))
    table = [[*table[0], again], *[[*row, ""] for row in table[1:]]]
    where = (name, 1, again.strip())
    return Mutation("repeat a column name", _changed(name, table), Outcome.REFUSED, where)


@st.composite
def other_digit(draw: st.DrawFn) -> Mutation:
    name, row, column = draw(cells(NUMBERS_AND_DATES).filter(_has_digit))
    table = rows(name)
    value = table[row][column]
    at = draw(st.sampled_from([i for i, c in enumerate(value) if c.isdigit()]))
    zero = draw(st.sampled_from(OTHER_DIGITS))
    table[row][column] = value[:at] + chr(zero + int(value[at])) + value[at + 1 :]
    where = (name, row + 1, table[0][column])
    return Mutation("a digit other than 0-9", _changed(name, table), Outcome.REFUSED, where)


def _has_digit(cell: tuple[str, int, int]) -> bool:
    name, row, column = cell
    return any(c.isdigit() for c in rows(name)[row][column])


@st.composite
def nul(draw: st.DrawFn) -> Mutation:
    name, row, column = draw(cells())
    table = rows(name)
    value = table[row][column]
    at = draw(st.integers(0, len(value)))
    table[row][column] = value[:at] + "\x00" + value[at:]
    where = (name, row + 1, table[0][column])
    return Mutation("a NUL character", _changed(name, table), Outcome.REFUSED, where)


@st.composite
def lengthen_code(draw: st.DrawFn) -> Mutation:
    coded = {name: tuple(code_limits(name)) for name in CSV_FILES}
    name, row, column = draw(cells({n: c for n, c in coded.items() if c}))
    table = rows(name)
    limit = code_limits(name)[table[0][column]]
    table[row][column] = "K" * (limit + draw(st.integers(1, 30)))
    where = (name, row + 1, table[0][column])
    return Mutation("a code too long", _changed(name, table), Outcome.REFUSED, where)


@st.composite
def repeat_key_with_spaces(draw: st.DrawFn) -> Mutation:
    """A row again, its key with spaces around: the later of the two is the repeat."""
    name = draw(st.sampled_from(list(UNIQUE_KEYS)))
    table = rows(name)
    original = draw(st.integers(1, len(table) - 1))
    copy = list(table[original])
    key = table[0].index(draw(st.sampled_from(UNIQUE_KEYS[name])))
    copy[key] = draw(st.sampled_from([f"{copy[key]} ", f" {copy[key]}", f"\t{copy[key]}  "]))
    at = draw(st.integers(1, len(table)))
    table.insert(at, copy)
    later = max(at, original + 1 if at <= original else original)
    where = (name, later + 1, table[0][key])
    return Mutation("a key again, with spaces", _changed(name, table), Outcome.REFUSED, where)


@st.composite
def garbage(draw: st.DrawFn) -> Mutation:
    if draw(st.booleans()):
        name, row, column = draw(cells(CHECKED))
        table = rows(name)
        table[row][column] = "?" + draw(PLAIN_GARBAGE)
        where = (
            None if (name, table[0][column]) in REFERRED_TO else (name, row + 1, table[0][column])
        )
        return Mutation(
            "garbage in a checked column", _changed(name, table), Outcome.REFUSED, where
        )
    name, row, column = draw(cells(NEUTRAL))
    table = rows(name)
    table[row][column] = quoted("?" + draw(GARBAGE))
    return Mutation("garbage in a name", _changed(name, table), Outcome.SAME_FIGURES)


@st.composite
def delete_line(draw: st.DrawFn) -> Mutation:
    name = draw(st.sampled_from(CSV_FILES))
    table = rows(name)
    row = draw(st.integers(0, len(table) - 1))
    del table[row]
    if row == 0:
        return Mutation("delete the header", _changed(name, table), Outcome.REFUSED, (name, 1, ""))
    if name in REFERRED_ROWS:
        return Mutation("delete a row referred to", _changed(name, table), Outcome.REFUSED)
    return Mutation("delete a row", _changed(name, table), Outcome.WITHOUT_ROW, None, (name, row))


@st.composite
def truncate(draw: st.DrawFn) -> Mutation:
    """The file ends part way through a row, before its last separator."""
    name, row, _ = draw(cells())
    lines = VALID_FILES[name].splitlines(keepends=True)
    line = lines[row]
    cut = draw(st.integers(1, line.rindex(",") - 1))
    kept = line[:cut].count(",") + 1
    where = (name, row + 1, rows(name)[0][kept])
    changed = {name: "".join(lines[:row]) + line[:cut]}
    return Mutation("the file cut off mid-row", changed, Outcome.REFUSED, where)


@st.composite
def disguise(draw: st.DrawFn) -> Mutation:
    """Changes of form only: spaces, capitals, quotes, line ends, a BOM, empty lines, order."""
    name = draw(st.sampled_from(CSV_FILES))
    table = rows(name)
    how = draw(
        st.sampled_from(["spaces", "capitals", "quotes", "crlf", "bom", "empty line", "order"])
    )
    row = draw(st.integers(0, len(table) - 1))
    column = draw(st.integers(0, len(table[0]) - 1))
    value = table[row][column]
    end = "\n"
    if how == "spaces":
        table[row][column] = draw(st.sampled_from([" ", "\t", "  "])) + value + " "
    elif how == "capitals" and (row == 0 or table[0][column] in ENUMERATED):
        table[row][column] = draw(st.sampled_from([value.upper(), value.lower(), value.title()]))
    elif how == "quotes":
        table[row][column] = f'"{value}"'
    elif how == "crlf":
        end = "\r\n"
    elif how == "empty line":
        table.insert(draw(st.integers(1, len(table))), [""])
    elif how == "order":
        other = draw(st.integers(0, len(table[0]) - 1))
        for line in table:
            line[column], line[other] = line[other], line[column]
    written = text(table, end)
    if how == "bom":
        written = "\ufeff" + written
    return Mutation(f"disguised: {how}", {name: written}, Outcome.SAME_FIGURES)


@st.composite
def snapshot_date(draw: st.DrawFn) -> Mutation:
    date = VALID_FILES["snapshot.txt"].strip()
    where = ("snapshot.txt", 1, "1")
    how = draw(st.sampled_from(["bom", "spaces", "other digit", "cut", "nul", "garbage"]))
    if how in ("bom", "spaces"):
        written = (
            ("\ufeff" if how == "bom" else " \r\n")
            + date
            + draw(st.sampled_from(["", "\n", " \n\n"]))
        )
        return Mutation(f"snapshot date: {how}", {"snapshot.txt": written}, Outcome.SAME_FIGURES)
    at = draw(st.integers(0, len(date) - 1))
    if how == "other digit":
        at = draw(st.sampled_from([i for i, c in enumerate(date) if c.isdigit()]))
        changed = (
            date[:at] + chr(draw(st.sampled_from(OTHER_DIGITS)) + int(date[at])) + date[at + 1 :]
        )
    elif how == "cut":
        changed = date[:at]
    elif how == "nul":
        changed = date[:at] + "\x00" + date[at:]
    else:
        changed = "?" + draw(PLAIN_GARBAGE)
    return Mutation(f"snapshot date: {how}", {"snapshot.txt": changed}, Outcome.REFUSED, where)


MUTATIONS = {
    "cut a row short": cut_short(),
    "add a field": extra_field(),
    "repeat the header row": repeat_header_row(),
    "repeat a column name": repeat_column_name(),
    "a digit other than 0-9": other_digit(),
    "a NUL character": nul(),
    "a code too long": lengthen_code(),
    "a key again, with spaces": repeat_key_with_spaces(),
    "garbage": garbage(),
    "delete a line": delete_line(),
    "the file cut off mid-row": truncate(),
    "changes of form only": disguise(),
    "the snapshot date": snapshot_date(),
}
