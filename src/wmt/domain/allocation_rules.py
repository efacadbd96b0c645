"""The rules of allocating new cases: risk of serious harm, working days, how soon a
person must first be seen, and the kinds, reasons and statuses of allocation decisions.

Working days are weekdays: bank holidays are not counted as days off, so a wait that spans
one reads a day longer than it was.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from wmt.domain.cases import CaseType

# First appointment within this many working days of the sentence (community) or of release
# (licence); a case in custody is seen on release, so it has no such standard.
FIRST_APPOINTMENT_WORKING_DAYS: dict[CaseType, int] = {
    CaseType.COMMUNITY: 5,
    CaseType.LICENCE: 1,
}


DateArray = npt.NDArray[np.datetime64]
ONE_DAY = np.timedelta64(1, "D")


def working_days_after(start: DateArray, on: date) -> npt.NDArray[np.int64]:
    """Weekdays after each start date up to and including `on` (a sentence on Monday is one
    working day old on Tuesday). Bank holidays are not taken out: they count as working days."""
    end = np.datetime64(on, "D") + ONE_DAY
    days: npt.NDArray[np.int64] = np.busday_count(start + ONE_DAY, end).astype(np.int64)
    return days


def past_first_appointment_standard(
    case_types: npt.NDArray[np.str_], sentence_dates: DateArray, on: date
) -> npt.NDArray[np.bool_]:
    """For cases still waiting on a date: whether each has had more working days since its
    sentence (or release) than its first-appointment standard allows. A case in custody, or
    with no sentence date (NaT), is never past it."""
    allowed = np.select(
        [case_types == case_type.value for case_type in FIRST_APPOINTMENT_WORKING_DAYS],
        list(FIRST_APPOINTMENT_WORKING_DAYS.values()),
        default=-1,
    )
    known = ~np.isnat(sentence_dates)
    starts = np.where(known, sentence_dates, np.datetime64(on, "D"))
    result: npt.NDArray[np.bool_] = (
        known & (allowed >= 0) & (working_days_after(starts, on) > allowed)
    )
    return result


class DecisionKind(StrEnum):
    """A case given to its first practitioner, or moved from one to another."""

    ALLOCATION = "allocation"
    REALLOCATION = "reallocation"


class AllocationReason(StrEnum):
    """Why a case is allocated or reallocated: the reasons the public service offers."""

    RESPONSIBLE_OFFICER = "Allocate to a responsible officer"
    CASELOAD_ADJUSTMENT = "Caseload adjustment"
    CHANGE_IN_TIER_OR_RISK = "Change in tier/risk"
    CHANGE_OF_ADDRESS = "Change of address"
    OFFICER_LEFT = "Officer left"
    OTHER = "Other"
    PROBATION_RESET = "Probation reset"
    RISK_TO_STAFF = "Risk to staff"
    TRANSFER_IN = "Transfer in"


# A first allocation gives the case its responsible officer unless another reason is given.
FIRST_ALLOCATION_REASON = AllocationReason.RESPONSIBLE_OFFICER


def allocation_reason(text: str) -> AllocationReason | None:
    """The reason named (ignoring capitals and spaces around it), if it is one of the nine."""
    wanted = text.strip().casefold()
    return next((reason for reason in AllocationReason if reason.casefold() == wanted), None)


class DecisionStatus(StrEnum):
    """How later imports have settled a decision."""

    PENDING = "pending"  # no import has yet shown the case with anyone else or with them
    CONFIRMED = "confirmed"  # an import showed the case with the decision's practitioner
    CONTRADICTED = "contradicted"  # an import showed it with someone else: the import won
