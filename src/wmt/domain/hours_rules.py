"""The rules for hours: what a reduction may take off, and how far contracted hours may fall.

On every day, the reductions in force for a practitioner in a team (those from the import
and those kept in wmt, deleted ones aside) may not add up to more than their contracted
hours, and the reductions of a reason with a maximum share may not add up to more than that
share. A change that would break either on a day it touches is refused, with the day and the
totals, so the manager can see which reductions to end or shorten.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from wmt.domain.entries import (
    NOTES_LENGTH,
    EntryRefused,
    plain_text,
    spoken_date,
    spoken_hours,
    within_range,
)
from wmt.domain.reductions import InForce, allowance_hours, first_excess, of_reason

MAX_CONTRACTED_HOURS = Decimal("48")  # the weekly working-time limit


class ReasonLimits(Protocol):
    """What the rules need of a reduction reason."""

    @property
    def name(self) -> str: ...

    @property
    def maximum_percent(self) -> int | None: ...


@dataclass(frozen=True)
class ReductionEntry:
    """A reduction as a manager enters it."""

    reason: str
    hours: Decimal
    start_date: date
    end_date: date | None
    notes: str | None = None

    def as_record(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "hours": self.hours,
            "start_date": self.start_date,
            "end_date": self.end_date,
            "notes": self.notes,
        }

    def in_force(self) -> InForce:
        return InForce(self.reason, self.hours, self.start_date, self.end_date)


def _cap(reason: ReasonLimits | None, contracted_hours: Decimal) -> tuple[int, Decimal] | None:
    """The reason's maximum percent and what it comes to in hours, if it has one."""
    if reason is None or reason.maximum_percent is None:
        return None
    return reason.maximum_percent, allowance_hours(contracted_hours, reason.maximum_percent)


def _hours_problem(
    entry: ReductionEntry,
    reason: ReasonLimits | None,
    contracted_hours: Decimal,
    others: Sequence[InForce],
) -> str | None:
    """What is wrong with the entry's hours, alone or added to the others in force."""
    contracted = spoken_hours(contracted_hours)
    cap = _cap(reason, contracted_hours)
    if entry.hours <= 0:
        return "Enter hours greater than 0"
    if entry.hours > contracted_hours:
        return f"Hours cannot be more than the {contracted} contracted hours"
    if reason is not None and cap is not None and entry.hours > cap[1]:
        return (
            f"{reason.name} can be at most {cap[0]} % of contracted hours: "
            f"{spoken_hours(cap[1])} hours"
        )
    if entry.end_date is not None and entry.end_date < entry.start_date:
        return None  # never in force: the end date's own message says so
    together = [*others, entry.in_force()]
    over = first_excess(together, contracted_hours, entry.start_date, entry.end_date)
    if over is not None:
        return (
            f"From {spoken_date(over.day)} these reductions would total "
            f"{spoken_hours(over.total)} hours, more than the {contracted} contracted hours"
        )
    if reason is not None and cap is not None:
        same = of_reason(together, reason.name)
        over = first_excess(same, cap[1], entry.start_date, entry.end_date)
        if over is not None:
            return (
                f"From {spoken_date(over.day)} the {reason.name} reductions would total "
                f"{spoken_hours(over.total)} hours, more than its maximum of {cap[0]} % of "
                f"contracted hours: {spoken_hours(cap[1])} hours"
            )
    return None


def entry_problems(
    entry: ReductionEntry,
    reason: ReasonLimits | None,
    contracted_hours: Decimal,
    others: Sequence[InForce] = (),
) -> dict[str, str]:
    """Every rule the entry breaks, by form field, with the practitioner's other reductions
    in force (not the one being changed) counted on the days they overlap it."""
    errors: dict[str, str] = {}
    if reason is None:
        errors["reason"] = "Select a reason from the list"
    problem = _hours_problem(entry, reason, contracted_hours, others)
    if problem is not None:
        errors["hours"] = problem
    for field, label, value in (
        ("start_date", "Start date", entry.start_date),
        ("end_date", "End date", entry.end_date),
    ):
        try:
            if value is not None:
                within_range(value, label)
        except EntryRefused as refused:
            errors[field] = str(refused)
    if entry.end_date is not None and entry.end_date < entry.start_date:
        errors.setdefault("end_date", "The end date must be the same as or after the start date")
    if entry.notes is not None:
        try:
            plain_text(entry.notes, "Notes", most=NOTES_LENGTH, line_breaks=True)
        except EntryRefused as refused:
            errors["notes"] = str(refused)
    return errors


def hours_out_of_range(hours: Decimal) -> str | None:
    """Contracted hours must be more than 0 and at most MAX_CONTRACTED_HOURS."""
    if not Decimal(0) < hours <= MAX_CONTRACTED_HOURS:
        return f"Enter hours more than 0 and at most {spoken_hours(MAX_CONTRACTED_HOURS)}"
    return None


def contracted_hours_problem(
    hours: Decimal,
    in_force: Sequence[InForce],
    maxima: Mapping[str, int],
    from_day: date,
) -> str | None:
    """What is wrong with setting these contracted hours, given the reductions in force from
    the day the figures are for (`from_day`) on and each reason's maximum percent."""
    out_of_range = hours_out_of_range(hours)
    if out_of_range is not None:
        return out_of_range
    entered = spoken_hours(hours)
    over = first_excess(in_force, hours, from_day)
    if over is not None:
        return (
            f"From {spoken_date(over.day)} their reductions total {spoken_hours(over.total)} "
            f"hours, more than the {entered} contracted hours entered: end or reduce "
            "reductions first"
        )
    for name, percent in sorted(maxima.items()):
        ceiling = allowance_hours(hours, percent)
        over = first_excess(of_reason(in_force, name), ceiling, from_day)
        if over is not None:
            return (
                f"From {spoken_date(over.day)} their {name} reductions total "
                f"{spoken_hours(over.total)} hours, more than its maximum of {percent} % of "
                f"{entered} contracted hours: {spoken_hours(ceiling)} hours"
            )
    return None
