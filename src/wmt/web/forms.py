"""What every page that takes input shares: reading a form or the address's parameters by
the rules of entry (wmt.domain.entries), GOV.UK date inputs and problem lists."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from fastapi import HTTPException, Request

from wmt.domain import entries
from wmt.domain.hours_rules import ReductionEntry
from wmt.errors import NotFound, WmtError


@dataclass
class Problems:
    """What was wrong with a form: each (field id, message) in page order."""

    items: list[tuple[str, str]] = field(default_factory=list)

    def add(self, field_id: str, message: str) -> None:
        self.items.append((field_id, message))

    def update(self, problems: dict[str, str]) -> None:
        for field_id, message in problems.items():
            self.add(field_id, message)

    @property
    def inline(self) -> dict[str, str]:
        """The first message for each field, shown beside it."""
        first: dict[str, str] = {}
        for field_id, message in self.items:
            first.setdefault(field_id, message)
        return first


@dataclass(frozen=True)
class DateField:
    """One date of a GOV.UK date input as typed, the date it names, and what is wrong."""

    name: str
    label: str
    day: str = ""
    month: str = ""
    year: str = ""
    value: date | None = None
    error: str | None = None
    wrong: tuple[str, ...] = ()  # the parts to mark as in error


PARTS = ("day", "month", "year")


def date_field(name: str, label: str, value: date | None) -> DateField:
    """A date input filled in with a date (or left blank)."""
    if value is None:
        return DateField(name, label)
    return DateField(name, label, str(value.day), str(value.month), str(value.year), value)


_DAY_OR_MONTH = re.compile(r"[0-9]{1,2}")
_YEAR = re.compile(r"[0-9]{4}")


def read_date(params: Mapping[str, str], name: str, label: str) -> DateField:
    """A date from NAME-day, NAME-month and NAME-year, or NAME as YYYY-MM-DD; none if blank.

    Only the digits 0 to 9 are read, and the date must be within the years wmt keeps.
    """
    typed = {part: params.get(f"{name}-{part}", "").strip() for part in PARTS}
    if not any(typed.values()):
        text = params.get(name, "").strip()
        if not text:
            return DateField(name, label)
        try:
            day = entries.iso_date(text, label)
        except entries.EntryRefused as refused:
            return DateField(name, label, error=str(refused), wrong=PARTS)
        return DateField(name, label, str(day.day), str(day.month), str(day.year), day)
    field = DateField(name, label, typed["day"], typed["month"], typed["year"])
    missing = tuple(part for part in PARTS if not typed[part])
    if missing:
        return replace(
            field, error=f"{label} must include a {' and '.join(missing)}", wrong=missing
        )
    if not (_DAY_OR_MONTH.fullmatch(typed["day"]) and _DAY_OR_MONTH.fullmatch(typed["month"])):
        return replace(field, error=f"{label} must be a real date", wrong=PARTS)
    if not _YEAR.fullmatch(typed["year"]):
        return replace(field, error="Year must include 4 numbers", wrong=("year",))
    try:
        value = date(int(typed["year"]), int(typed["month"]), int(typed["day"]))
    except ValueError:
        return replace(field, error=f"{label} must be a real date", wrong=PARTS)
    try:
        entries.within_range(value, label)
    except entries.EntryRefused as refused:
        return replace(field, error=str(refused), wrong=("year",))
    return replace(field, value=value)


START, END = "Start date", "End date"


def _notes(typed: dict[str, str], problems: Problems) -> str | None:
    """The notes typed, line ends as in the store; None if blank."""
    notes = typed.get("notes", "").replace("\r\n", "\n").strip()
    try:
        entries.plain_text(notes, "Notes", most=entries.NOTES_LENGTH, line_breaks=True)
    except entries.EntryRefused as refused:
        problems.add("notes", str(refused))
    return notes or None


def read_reduction(typed: dict[str, str], problems: Problems) -> ReductionEntry | None:
    """The reduction typed into the form, or None with the problems noted."""
    start = read_date(typed, "start_date", START)
    end = read_date(typed, "end_date", END)
    hours = Decimal(0)
    try:
        hours = entries.hours(typed.get("hours", "").strip(), "the hours")
    except entries.EntryRefused as refused:
        problems.add("hours", str(refused))
    if start.error or end.error:
        problems.update({f.name: f.error for f in (start, end) if f.error})
    elif start.value is None:
        problems.add("start_date", "Enter the start date")
    notes = _notes(typed, problems)
    if problems.items or start.value is None:
        return None
    return ReductionEntry(typed.get("reason", ""), hours, start.value, end.value, notes)


def read_contracted_hours(typed: Mapping[str, str]) -> Decimal | str:
    """The contracted hours typed into the hours form, or what is wrong with them."""
    try:
        return entries.hours(typed.get("contracted_hours", "").strip(), "contracted hours")
    except entries.EntryRefused as refused:
        return str(refused)


class FormUnreadable(WmtError):
    """The body of a form post could not be read as a form."""


async def read_form(request: Request) -> dict[str, str]:
    """A posted form's text fields (a file sent in a field counts as left blank)."""
    try:
        form = await request.form()
    except (HTTPException, ValueError, UnicodeDecodeError):
        raise FormUnreadable(
            "The form could not be read. Go back, reload the page and try again."
        ) from None
    return {key: value for key, value in form.items() if isinstance(value, str)}


def read_version(typed: Mapping[str, str]) -> int | None:
    """The version a form was opened with (its hidden `version` field); None if the form does
    not hold one wmt could have given (it was damaged on the way, or made by hand)."""
    try:
        return entries.whole_number(typed.get("version", ""), "the version")
    except entries.EntryRefused:
        return None


def address_code(text: str, what: str) -> str:
    """A code from the web address; NotFound if no unit or practitioner could have it."""
    try:
        return entries.code(text)
    except entries.EntryRefused:
        raise NotFound(f"There is no {what} with that code.") from None


def address_number(text: str, what: str) -> int:
    """A record's number from the web address; NotFound if it is not one wmt could hold."""
    try:
        return entries.whole_number(text, "the number", least=1)
    except entries.EntryRefused:
        raise NotFound(f"There is no {what} {text[:20]!r}.") from None
