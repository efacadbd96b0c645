"""Reduction reasons (the catalogue) and the arithmetic of allowance hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
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


def months_after(start: date, months: int) -> date:
    """The same day of the month, months later (the month's last day if it has fewer days)."""
    import calendar

    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
