"""The rules of allocating new cases: risk of serious harm, working days and how soon a
person must first be seen.

Working days are weekdays: bank holidays are not counted as days off, so a wait that spans
one reads a day longer than it was.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from wmt.domain.cases import CaseType


class Rosh(StrEnum):
    """Risk of serious harm, as assessed; a case may have none recorded yet."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"


ROSH_LEVELS: tuple[str, ...] = tuple(level.value for level in Rosh)

# First appointment within this many working days of the sentence (community) or of release
# (licence); a case in custody is seen on release, so it has no such standard.
FIRST_APPOINTMENT_WORKING_DAYS: dict[CaseType, int] = {
    CaseType.COMMUNITY: 5,
    CaseType.LICENCE: 1,
}


def working_days_between(start: npt.ArrayLike, end: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Weekdays from each start (counted) to each end (not counted); bank holidays are not
    taken out."""
    days: npt.NDArray[np.int64] = np.busday_count(
        np.asarray(start, dtype="datetime64[D]"), np.asarray(end, dtype="datetime64[D]")
    ).astype(np.int64)
    return days


def first_appointment_due_within(case_type: str) -> int | None:
    """Working days allowed before the first appointment; None for custody."""
    return FIRST_APPOINTMENT_WORKING_DAYS.get(CaseType(case_type))


def past_first_appointment_standard(case_type: str, sentence_date: date | None, on: date) -> bool:
    """Whether a case still waiting on a date has gone beyond its first-appointment standard
    (more working days since sentence or release than the standard allows)."""
    allowed = first_appointment_due_within(case_type)
    if allowed is None or sentence_date is None:
        return False
    return int(working_days_between(sentence_date, on)) > allowed
