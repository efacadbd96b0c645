"""Reduction reasons (the catalogue), the arithmetic of allowance hours, and the hours of
reductions in force day by day."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class ReductionCategory(StrEnum):
    PERSONAL_CIRCUMSTANCES = "personal circumstances"
    LEARNING = "learning"
    WORK_CIRCUMSTANCES = "work circumstances"


@dataclass(frozen=True)
class ReductionReason:
    """A reason hours may be taken off a practitioner's available time.

    allowance_percent pre-fills the hours as a share of contracted hours; maximum_percent caps
    them; months_to_expiry sets the default end date.
    """

    name: str
    category: ReductionCategory
    allowance_percent: int | None = None
    maximum_percent: int | None = None
    months_to_expiry: int | None = None

    # A reason that takes all of a person's time: they cannot really hold cases meanwhile.
    @property
    def is_full_absence(self) -> bool:
        return self.allowance_percent == 100


_P = ReductionCategory.PERSONAL_CIRCUMSTANCES
_L = ReductionCategory.LEARNING
_W = ReductionCategory.WORK_CIRCUMSTANCES

REDUCTION_REASONS: tuple[ReductionReason, ...] = (
    ReductionReason("Disability", _P),
    ReductionReason("Long term sickness absence", _P, allowance_percent=100),
    ReductionReason("Phased return to work", _P),
    ReductionReason("Pregnancy", _P),
    ReductionReason("Maternity leave", _P, allowance_percent=100, months_to_expiry=6),
    ReductionReason("Adoption leave", _P, allowance_percent=100, months_to_expiry=6),
    ReductionReason("Special leave", _P, allowance_percent=100),
    ReductionReason("Trade union facility time", _P, maximum_percent=50),
    ReductionReason("Other paid leave (e.g. jury service)", _P, allowance_percent=100),
    ReductionReason("Other unpaid leave", _P, allowance_percent=100),
    ReductionReason("Other", _P),
    ReductionReason("PQiP first 6 months", _L, allowance_percent=80, months_to_expiry=6),
    ReductionReason("PQiP 6 to 12 months", _L, allowance_percent=60, months_to_expiry=6),
    ReductionReason("PQiP 12 to 18 months", _L, allowance_percent=40, months_to_expiry=6),
    ReductionReason("Newly qualified officer (NQO)", _L, allowance_percent=20, months_to_expiry=9),
    ReductionReason("PSO learning and development", _L, allowance_percent=20, months_to_expiry=6),
    ReductionReason(
        "Vocational qualification level 3 (VQ3)", _L, allowance_percent=5, months_to_expiry=6
    ),
    ReductionReason("Level 4 and level 5 access", _L, allowance_percent=10, months_to_expiry=6),
    ReductionReason("Co-worked cases", _W),
    ReductionReason("Groups (group supervision)", _W),
    ReductionReason("Groups (induction)", _W),
    ReductionReason("Court duty", _W),
    ReductionReason("Pre-sentence reports court duty or sessional", _W),
    ReductionReason("Split role", _W),
    ReductionReason("OM in custody transactional work", _W),
    ReductionReason("Single point of contact (SPOC) lead", _W, maximum_percent=5),
)

_BY_KEY: dict[str, ReductionReason] = {reason.name.lower(): reason for reason in REDUCTION_REASONS}


def find_reduction_reason(name: str) -> ReductionReason | None:
    """The catalogue reason with this name, matched case-insensitively."""
    return _BY_KEY.get(name.strip().lower())


_HUNDREDTH = Decimal("0.01")


def allowance_hours(contracted_hours: Decimal, percent: int | Decimal) -> Decimal:
    """Hours for a share of contracted hours: 2 decimal places, halves up, capped at contracted."""
    hours = (contracted_hours * Decimal(percent) / 100).quantize(_HUNDREDTH, ROUND_HALF_UP)
    return min(hours, contracted_hours)


class ReductionStatus(StrEnum):
    SCHEDULED = "scheduled"
    ACTIVE = "active"
    ARCHIVED = "archived"
    DELETED = "deleted"


def reduction_status(
    start: date, end: date | None, on: date, *, deleted: bool = False
) -> ReductionStatus:
    """A reduction's status on a date follows from its dates; deleted ones never count."""
    if deleted:
        return ReductionStatus.DELETED
    if start > on:
        return ReductionStatus.SCHEDULED
    if end is not None and end < on:
        return ReductionStatus.ARCHIVED
    return ReductionStatus.ACTIVE


def in_force(start: date, end: date | None, on: date, *, deleted: bool = False) -> bool:
    """Whether a reduction counts on the date: started, not ended, not deleted. The engine's
    `in_force_on` states the same rule over a whole table."""
    return reduction_status(start, end, on, deleted=deleted) is ReductionStatus.ACTIVE


def months_after(start: date, months: int) -> date:
    """The same day of the month, months later (the month's last day if it has fewer days)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class InForce:
    """A reduction's weekly hours over the days it is in force: start to end, both included
    (no end: open-ended)."""

    reason: str
    hours: Decimal
    start: date
    end: date | None = None


@dataclass(frozen=True)
class Excess:
    """The first day reductions in force total more than a limit, and their total that day."""

    day: date
    total: Decimal


def _changes(reductions: Iterable[InForce]) -> dict[date, Decimal]:
    """How the total in force changes, by the day it changes: up on each start, down on the
    day after each end. Between those days the total stays the same."""
    changes: defaultdict[date, Decimal] = defaultdict(Decimal)
    for reduction in reductions:
        if reduction.end is not None and reduction.end < reduction.start:
            continue  # never in force
        changes[reduction.start] += reduction.hours
        if reduction.end is not None and reduction.end < date.max:
            changes[reduction.end + timedelta(days=1)] -= reduction.hours
    return changes


def first_excess(
    reductions: Iterable[InForce], limit: Decimal, start: date, end: date | None = None
) -> Excess | None:
    """The first day from start to end (both included; no end: every later day) on which the
    reductions in force total more than the limit; None if they never do.

    Only the days a reduction starts or ends can change the total, so only those are looked
    at, whatever the span; sums are exact.
    """
    changes = _changes(reductions)
    total = sum((change for day, change in changes.items() if day <= start), Decimal(0))
    if total > limit:
        return Excess(start, total)
    for day in sorted(day for day in changes if day > start and (end is None or day <= end)):
        total += changes[day]
        if total > limit:
            return Excess(day, total)
    return None


def of_reason(reductions: Iterable[InForce], reason: str) -> list[InForce]:
    """The reductions given for a reason, its name matched case-insensitively."""
    wanted = reason.strip().casefold()
    return [r for r in reductions if r.reason.strip().casefold() == wanted]
