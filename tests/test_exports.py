"""Exports: a cell a spreadsheet would run as a formula arrives as text."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from wmt.exports import csv_bytes, to_csv


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize(
    "typed",
    [
        '=HYPERLINK("https://example.com","click")',
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\tTAB",
        "\rCR",
    ],
)
def test_text_that_starts_a_formula_is_made_text(typed: str) -> None:
    rows = _cells(to_csv(("username", "note"), [{"username": typed, "note": "plain"}]))
    assert rows[1] == ["'" + typed, "plain"]


def test_numbers_dates_and_plain_text_are_left_as_they_are() -> None:
    row = {"hours": Decimal("-1.50"), "count": -3, "on": date(2026, 12, 3), "name": "Ann-Marie"}
    rows = _cells(to_csv(tuple(row), [row]))
    assert rows[1] == ["-1.50", "-3", "2026-12-03", "Ann-Marie"]


def test_a_formula_in_a_heading_is_made_text_too() -> None:
    assert _cells(to_csv(("=cmd",), []))[0] == ["'=cmd"]


def test_the_web_download_carries_the_same_cells_after_its_byte_order_mark() -> None:
    data = csv_bytes(("username",), [{"username": "=1+1"}])
    assert data.startswith("\ufeff".encode())
    assert _cells(data.decode("utf-8-sig")) == [["username"], ["'=1+1"]]
