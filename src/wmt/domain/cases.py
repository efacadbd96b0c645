"""Case types, tiers and case flags."""

from __future__ import annotations

from enum import StrEnum


class CaseType(StrEnum):
    """Where a case is supervised (the nDelius extract calls this "location")."""

    COMMUNITY = "community"
    CUSTODY = "custody"
    LICENCE = "licence"


CASE_TYPE_ALIASES: dict[str, CaseType] = {
    "community": CaseType.COMMUNITY,
    "custody": CaseType.CUSTODY,
    "licence": CaseType.LICENCE,
    "license": CaseType.LICENCE,
}

# The 16 supervised tiers, most demanding first: the order nDelius numbers them 1..16.
SUPERVISED_TIERS: tuple[str, ...] = tuple(
    f"{letter}{digit}" for letter in "ABCD" for digit in "3210"
)
# The same tiers for cases whose contact is suspended or unsupervised: nDelius 17..32.
SUSPENDED_TIERS: tuple[str, ...] = tuple(f"{tier}S" for tier in SUPERVISED_TIERS)
UNTIERED = "untiered"
SCORED_TIERS: tuple[str, ...] = SUPERVISED_TIERS + SUSPENDED_TIERS
ALL_TIERS: tuple[str, ...] = (UNTIERED, *SCORED_TIERS)


def tier_from_number(number: int) -> str:
    """The tier for nDelius's tier number: 0 untiered, 1..16 A3..D0, 17..32 A3S..D0S."""
    if not 0 <= number <= len(SCORED_TIERS):
        raise ValueError(f"tier number {number} is outside 0-{len(SCORED_TIERS)}")
    return ALL_TIERS[number]


class CaseFlag(StrEnum):
    """Markers on a case. The first three make a case inactive and weight its points."""

    WARRANT = "warrant"
    UNPAID_WORK = "unpaid_work"
    OVERDUE_TERMINATION = "overdue_termination"
    PRIORITY = "priority"
    SUSPENDED_SENTENCE = "suspended_sentence"
    SUSPENDED_LIFER = "suspended_lifer"


INACTIVE_FLAGS: tuple[CaseFlag, ...] = (
    CaseFlag.WARRANT,
    CaseFlag.UNPAID_WORK,
    CaseFlag.OVERDUE_TERMINATION,
)


class Rosh(StrEnum):
    """Risk of serious harm, as assessed, lowest first; a case may have none recorded yet."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"


ROSH_LEVELS: tuple[str, ...] = tuple(level.value for level in Rosh)
