"""Printing tables for people (aligned) and for machines (CSV, JSON)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from wmt.domain.figures import FIGURES
from wmt.exports import Row, cell, to_csv, to_json

FORMATS = ("table", "csv", "json")

HEADINGS = {
    "staff_code": "Staff",
    "team_code": "Team",
    "unit_code": "Code",
    "unit_name": "Name",
    "parent_code": "Within",
    "forename": "Forename",
    "surname": "Surname",
    "crn": "CRN",
    "rosh": "ROSH",
    "previous_staff_code": "Previous practitioner",
} | {name: figure.short for name, figure in FIGURES.items()}


def _display(value: Any) -> str:
    """For people: thousands separated, as a spreadsheet would show them."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def print_table(columns: Sequence[str], rows: Sequence[Row], title: str | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        numeric = any(isinstance(cell(row, column), int | float | Decimal) for row in rows[:20])
        heading = HEADINGS.get(column, column.replace("_", " ").capitalize())
        table.add_column(heading, justify="right" if numeric else "left")
    for row in rows:
        table.add_row(*(_display(cell(row, column)) for column in columns))
    console = Console(soft_wrap=False)
    if not console.is_terminal:  # piped to a file: never squeeze columns to 80 characters
        console = Console(soft_wrap=False, width=max(console.width, 200))
    console.print(table)


def emit(
    output_format: str,
    columns: Sequence[str],
    rows: Sequence[Row],
    title: str | None = None,
) -> None:
    if output_format == "csv":
        print(to_csv(columns, rows), end="")
    elif output_format == "json":
        print(to_json(columns, rows))
    else:
        print_table(columns, rows, title)
