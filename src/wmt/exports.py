"""Tables as files: CSV and JSON for machines, and files people open in Excel.

The command line and the web pages export through this one module, so a table reads the
same whichever door it left by. In JSON an exact decimal is text with its figure's places
(`"17.8"`), as the API writes it (wmt.domain.figures).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from wmt.domain.figures import exact_text, places_of

# A spreadsheet reads a cell that starts with one of these as a formula (or, for tab and
# carriage return, may shift it into one): `=HYPERLINK(…)` typed as a username or a note
# must arrive as the text it is.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# A row of a table: a service's record (a frozen dataclass) or a mapping of column to value.
Row = object


def cell(row: Row, column: str) -> Any:
    """The row's value in the column: a record's attribute or a mapping's key; None if absent."""
    if isinstance(row, Mapping):
        return row.get(column)
    return getattr(row, column, None)


def neutralised(text: str) -> str:
    """Text a spreadsheet will show as text, never run: a leading apostrophe where needed."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(value: Any) -> str:
    """A value as a CSV cell: ISO dates, true/false, numbers as they are, text made safe."""
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    return neutralised(str(value))


def to_csv(columns: Sequence[str], rows: Sequence[Row]) -> str:
    buffer = io.StringIO()
    # RFC 4180 line ends, so a carriage return inside a value is quoted like a line feed.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralised(column) for column in columns])
    for row in rows:
        writer.writerow([csv_text(cell(row, column)) for column in columns])
    return buffer.getvalue()


def json_value(column: str, value: Any) -> Any:
    """A value as JSON holds it: an exact decimal as text with its places, dates ISO 8601."""
    if isinstance(value, Decimal):
        return exact_text(value, places_of(column))
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def to_json(columns: Sequence[str], rows: Sequence[Row]) -> str:
    return json.dumps([{c: json_value(c, cell(row, c)) for c in columns} for row in rows], indent=2)


def csv_bytes(columns: Sequence[str], rows: Sequence[Row]) -> bytes:
    # A byte-order mark so Excel opens the UTF-8 file with the right characters.
    return ("\ufeff" + to_csv(columns, rows)).encode("utf8")


def xlsx_bytes(sheet: str, columns: Sequence[str], rows: Sequence[Row]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    one_place = book.add_format({"num_format": "0.0"})
    two_places = book.add_format({"num_format": "0.00"})
    worksheet = book.add_worksheet(sheet[:31])
    worksheet.write_row(0, 0, list(columns), bold)
    worksheet.freeze_panes(1, 0)
    for r, row in enumerate(rows, start=1):
        for c, column in enumerate(columns):
            value = cell(row, column)
            if value is None:
                continue
            if isinstance(value, Decimal):
                exponent = value.as_tuple().exponent
                shown = places_of(column) or (-exponent if isinstance(exponent, int) else 2)
                places = one_place if shown == 1 else two_places
                worksheet.write_number(r, c, float(value), places)
            elif isinstance(value, bool):
                worksheet.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                worksheet.write_number(r, c, value)
            elif isinstance(value, date):
                worksheet.write_datetime(r, c, value, dates)
            else:
                worksheet.write_string(r, c, str(value))
    book.close()
    return buffer.getvalue()
