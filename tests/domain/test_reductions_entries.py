"""The rules of entry for what a manager types about hours and reductions: one answer, in
the same words, whichever door the value comes through."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wmt.domain import entries
from wmt.domain.entries import EntryRefused


@pytest.mark.parametrize(
    ("typed", "hours"),
    [("7.5", "7.50"), ("37", "37.00"), ("0.25", "0.25"), ("007.1", "7.10"), ("48.00", "48.00")],
)
def test_hours_are_decimal_digits_with_at_most_two_places(typed: str, hours: str) -> None:
    assert entries.hours(typed, "the hours") == Decimal(hours)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the hours as a number, like 7.5"),
        ("seven", "Enter the hours as a number, like 7.5"),
        ("1e308", "Enter the hours as a number, like 7.5"),
        ("1E3", "Enter the hours as a number, like 7.5"),
        ("NaN", "Enter the hours as a number, like 7.5"),
        ("Infinity", "Enter the hours as a number, like 7.5"),
        ("-Infinity", "Enter the hours as a number, like 7.5"),
        ("7,5", "Enter the hours as a number, like 7.5"),
        ("+7", "Enter the hours as a number, like 7.5"),
        ("7.", "Enter the hours as a number, like 7.5"),
        (" 7", "Enter the hours as a number, like 7.5"),
        ("٤٠", "Enter the hours using the digits 0 to 9, like 7.5"),
        ("４０", "Enter the hours using the digits 0 to 9, like 7.5"),
        ("7.255", "Enter the hours with at most 2 decimal places, like 7.25"),
        ("0", "Enter the hours greater than 0"),
        ("0.00", "Enter the hours greater than 0"),
        ("-0", "Enter the hours greater than 0"),
        ("-5", "Enter the hours greater than 0"),
        (".5", "Enter the hours as a number, like 0.5"),
    ],
)
def test_hours_that_are_not_a_plain_positive_number_are_refused(typed: str, message: str) -> None:
    with pytest.raises(EntryRefused) as refused:
        entries.hours(typed, "the hours")
    assert str(refused.value) == message


def test_far_too_many_hours_are_read_for_the_range_rule_to_refuse() -> None:
    assert entries.hours("9" * 400, "the hours") > Decimal(48)


@settings(max_examples=300, derandomize=True)
@given(st.text(max_size=12) | st.from_regex(entries.HOURS_PATTERN, fullmatch=True))
def test_the_hours_rule_and_its_published_pattern_agree(typed: str) -> None:
    """Whatever the API's document says is hours, the rule reads; nothing else."""
    try:
        value = entries.hours(typed, "the hours")
    except EntryRefused:
        assert re.fullmatch(entries.HOURS_PATTERN.strip("^$"), typed, re.ASCII) is None
    else:
        assert re.fullmatch(entries.HOURS_PATTERN.strip("^$"), typed, re.ASCII)
        assert value == Decimal(typed) and value.is_finite() and value > 0


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "Enter the version as a whole number, like 2"),
        ("-1", "Enter the version as a whole number, like 2"),
        ("1.0", "Enter the version as a whole number, like 2"),
        ("٣", "Enter the version using the digits 0 to 9"),
        ("2147483648", "Enter the version as a whole number from 0 to 2,147,483,647"),
        ("1" + "0" * 30, "Enter the version as a whole number from 0 to 2,147,483,647"),
        ("9" * 5000, "Enter the version as a whole number from 0 to 2,147,483,647"),
    ],
)
def test_versions_and_ids_are_whole_numbers_the_store_can_hold(typed: str, message: str) -> None:
    with pytest.raises(EntryRefused) as refused:
        entries.whole_number(typed, "the version")
    assert str(refused.value) == message


def test_whole_numbers_within_range_are_read() -> None:
    assert entries.whole_number("2147483647", "the version") == 2**31 - 1
    assert entries.whole_number("0007", "the version") == 7
    with pytest.raises(EntryRefused, match="from 1 to"):
        entries.whole_number("0", "the page number", least=1)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("20261120", "Enter the date as YYYY-MM-DD, like 2026-11-20"),
        ("2026-W47-5", "Enter the date as YYYY-MM-DD, like 2026-11-20"),
        ("2026-11-20T00:00", "Enter the date as YYYY-MM-DD, like 2026-11-20"),
        ("٢٠٢٦-١١-٢٠", "Enter the date as YYYY-MM-DD, like 2026-11-20"),
        ("2026-02-30", "The date must be a real date"),
        ("1999-12-31", "The date must be between 1 January 2000 and 31 December 2099"),
        ("2100-01-01", "The date must be between 1 January 2000 and 31 December 2099"),
    ],
)
def test_dates_are_written_one_way_within_the_years_wmt_keeps(typed: str, message: str) -> None:
    with pytest.raises(EntryRefused) as refused:
        entries.iso_date(typed, "The date")
    assert str(refused.value) == message
    assert entries.iso_date("2000-01-01", "The date") == date(2000, 1, 1)


@pytest.mark.parametrize(
    "typed", ["a\x00b", "tab\there", "escape\x1b[31m", "\u202eevil", "lone \ud800", "\x85"]
)
def test_text_holding_characters_that_are_not_printed_is_refused(typed: str) -> None:
    with pytest.raises(EntryRefused, match="that is not printed"):
        entries.plain_text(typed, "Notes", most=1000, line_breaks=True)


def test_notes_may_hold_line_breaks_and_any_printed_language_but_not_too_much() -> None:
    note = "Tuesdays\r\nand Thursdays — ‘court’ 法院 😀"
    assert entries.plain_text(note, "Notes", most=1000, line_breaks=True) == note
    with pytest.raises(EntryRefused, match="line break"):
        entries.plain_text("two\nlines", "The reason", most=200)
    with pytest.raises(EntryRefused) as refused:
        entries.plain_text("x" * 1001, "Notes", most=1000, line_breaks=True)
    assert str(refused.value) == "Notes must be 1,000 characters or fewer"
    with pytest.raises(EntryRefused):
        entries.code("T" * 41)
    assert entries.code("R01P01T01") == "R01P01T01"


def test_hours_and_dates_are_said_as_people_say_them() -> None:
    spoken = [entries.spoken_hours(Decimal(h)) for h in ("54.00", "18.50", "7.25", "0.10")]
    assert spoken == ["54", "18.5", "7.25", "0.1"]
    assert entries.spoken_date(date(2026, 12, 1)) == "1 December 2026"
