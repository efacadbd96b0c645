"""The JSON API of allocation: a unit's queue of cases waiting, and who could take a case.

The same services as the pages answer, with the same sign-in and scope, and the same figures:
percentages and points are exact decimals as text ("104.3"), as everywhere in the API.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Path, Request
from pydantic import BaseModel, Field

from wmt.domain.hierarchy import check_level
from wmt.services.allocation_candidates import candidates_for_case
from wmt.services.allocation_queue import QUEUE_LEVELS, queue
from wmt.web.api import AsOf, Code, api_router
from wmt.web.api_models import Exact, code_entry
from wmt.web.common import reader, viewer_of
from wmt.web.consistency import store_of

router = api_router()

QueueLevel = Annotated[
    str,
    Path(
        description="The level in the hierarchy",
        json_schema_extra={"enum": [level.value for level in QUEUE_LEVELS]},
    ),
]
Crn = Annotated[str, code_entry("The CRN"), Path(description="The case reference number (CRN)")]


class QueuedCase(BaseModel):
    crn: str = Field(description="The case reference number (CRN)")
    team_code: str = Field(description="The team the case waits in")
    case_type: str = Field(description="community, custody or licence")
    tier: str = Field(description="The case's tier, e.g. B2 or C1S")
    rosh: str | None = Field(description="Risk of serious harm: low, medium, high or very_high")
    sentence_date: date | None = Field(description="The sentence or release date, if known")
    waiting_days: int = Field(description="Days waiting, from the sentence date if known")
    points: Exact = Field(description="What the case will add to its practitioner's workload")
    previous_staff_code: str | None = Field(description="Who last managed the person")
    past_first_appointment_standard: bool = Field(
        description="Whether the first appointment is later than the standard allows"
    )


class WaitingCount(BaseModel):
    case_type: str = Field(description="community, custody or licence")
    tier: str = Field(description="The tier")
    cases: int = Field(description="Cases of this type and tier waiting")


class Queue(BaseModel):
    as_of: date = Field(description="The snapshot's date")
    level: str = Field(description="team, pdu, region or national")
    code: str = Field(description="The unit's code")
    counted_only: bool = Field(
        description="True when the snapshot (an nDelius extract) gives only counts, not cases"
    )
    cases: list[QueuedCase] = Field(description="The cases waiting, longest waiting first")
    counts: list[WaitingCount] = Field(description="The cases waiting by type and tier")


class CaseToPlace(BaseModel):
    crn: str | None = Field(description="The case reference number (CRN)")
    team_code: str | None = Field(description="The team the case waits in")
    case_type: str = Field(description="community, custody or licence")
    tier: str = Field(description="The tier")
    rosh: str | None = Field(description="Risk of serious harm, if recorded")
    previous_staff_code: str | None = Field(description="Who last managed the person")
    points: Exact = Field(description="What the case adds to whoever takes it")


class Candidate(BaseModel):
    staff_code: str = Field(description="The practitioner's nDelius staff code")
    team_code: str = Field(description="Their team")
    forename: str | None = Field(description="Forename")
    surname: str | None = Field(description="Surname")
    grade: str = Field(description="Grade: PO, PQiP, PSO or SPO")
    eligible: bool = Field(description="Whether they may be given the case")
    why_not: str | None = Field(
        description="Why not: left, grade, risk or no available time; null when eligible"
    )
    continuity: bool = Field(description="Whether they managed the person before")
    caseload: int = Field(description="Cases held now")
    caseload_after: int = Field(description="Cases held once given this one")
    caseload_per_fte_after: Exact | None = Field(
        description="Cases after, scaled to full-time hours; null without contracted hours"
    )
    capacity_before: Exact = Field(description="Capacity now, as a percentage")
    capacity_after: Exact = Field(description="Capacity once given the case, as a percentage")
    allocated_last_7_days: int = Field(description="Cases given to them in the last 7 days")
    allocated_last_30_days: int = Field(description="Cases given to them in the last 30 days")
    weeks_over_overload: int = Field(
        description="Weekly snapshots in a row, up to this one, over the overload threshold"
    )
    reductions_ending_soon: int = Field(description="Reductions in force ending within 28 days")
    first_reduction_end: date | None = Field(description="The first of those ends")


class Candidates(BaseModel):
    as_of: date = Field(description="The snapshot's date")
    case: CaseToPlace = Field(description="The case")
    candidates: list[Candidate] = Field(
        description="Every practitioner of its team: eligible first, then whoever managed "
        "the person before, then the lowest capacity after"
    )
    may_allocate: bool = Field(description="Whether you may allocate the case")


@router.get(
    "/allocation/{level}/{code}/queue",
    response_model=Queue,
    summary="The cases waiting for allocation in a unit",
)
def unit_queue(request: Request, level: QueueLevel, code: Code, as_of: AsOf = None) -> Queue:
    unit_level = check_level(level, QUEUE_LEVELS)
    found = queue(store_of(request), reader(request, level, code), unit_level, code, as_of)
    return Queue.model_validate(
        {
            "as_of": found.as_of,
            "level": found.level.value,
            "code": found.unit_code,
            "counted_only": found.counted_only,
            "cases": found.cases,
            "counts": found.counts,
        },
        from_attributes=True,
    )


@router.get(
    "/allocation/cases/{crn}/candidates",
    response_model=Candidates,
    summary="Who could take a case waiting for allocation",
)
def case_candidates(request: Request, crn: Crn, as_of: AsOf = None) -> Candidates:
    found = candidates_for_case(store_of(request), viewer_of(request), crn, as_of)
    return Candidates.model_validate(found, from_attributes=True)
