"""The JSON API for accepting a suggested plan or rebalance: the rows a manager accepts
become decisions, all in one transaction or none (a refusal names the case), and the answer
gives each decision and every practitioner's capacity before and after.

Only the team's manager or the head of its PDU may accept; the services decide.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Request
from pydantic import BaseModel, Field

from wmt.domain.hierarchy import LEVELS, check_level
from wmt.services.allocating import Accepted
from wmt.services.plan_acceptance import PlannedAllocation, PlannedMove, accept_moves, accept_plan
from wmt.web.allocating import AllocatedOut
from wmt.web.api import Code, UnitLevel, api_router, signed_in
from wmt.web.api_inputs import CHANGE_RESPONSES
from wmt.web.api_models import Exact, code_entry
from wmt.web.consistency import store_of

router = api_router()
PREFIX = "/allocation"
MOST_ROWS = 5000  # more than any PDU's queue


class PlannedAllocationIn(BaseModel):
    crn: Annotated[str, code_entry("The CRN")] = Field(description="A waiting case")
    staff_code: Annotated[str, code_entry("The staff code")] = Field(
        description="The practitioner the plan gives it to"
    )
    team_code: Annotated[str, code_entry("The team code")] = Field(description="Their team")


class PlannedMoveIn(BaseModel):
    crn: Annotated[str, code_entry("The CRN")] = Field(description="An allocated case")
    from_staff_code: Annotated[str, code_entry("The staff code")] = Field(
        description="Who holds it; refused (409) if someone has moved it since"
    )
    from_team_code: Annotated[str, code_entry("The team code")] = Field(description="Their team")
    to_staff_code: Annotated[str, code_entry("The staff code")] = Field(
        description="Who it moves to"
    )
    to_team_code: Annotated[str, code_entry("The team code")] = Field(description="Their team")


class CapacityChangeOut(BaseModel):
    staff_code: str = Field(description="A practitioner given or losing cases")
    team_code: str = Field(description="Their team")
    capacity_before: Exact = Field(description="Their capacity % before")
    capacity_after: Exact = Field(description="Their capacity % now")


class AcceptedOut(BaseModel):
    decisions: list[AllocatedOut] = Field(description="Each decision recorded, in the order sent")
    practitioners: list[CapacityChangeOut] = Field(
        description="Everyone given or losing a case, in staff code order"
    )


def _answer(accepted: Accepted) -> AcceptedOut:
    return AcceptedOut.model_validate(accepted, from_attributes=True)


@router.post(
    PREFIX + "/{level}/{code}/plan/acceptance",
    response_model=AcceptedOut,
    status_code=201,
    summary="Accept rows of a suggested plan: each case allocated, all or none",
    responses=CHANGE_RESPONSES,
)
def accept_plan_rows(
    request: Request,
    level: UnitLevel,
    code: Code,
    rows: Annotated[list[PlannedAllocationIn], Body(max_length=MOST_ROWS)],
) -> AcceptedOut:
    viewer = signed_in(request, None)
    planned = [PlannedAllocation(row.crn, row.staff_code, row.team_code) for row in rows]
    within = (check_level(level, LEVELS), code)
    return _answer(accept_plan(store_of(request), viewer, planned, within=within))


@router.post(
    PREFIX + "/{level}/{code}/rebalance/acceptance",
    response_model=AcceptedOut,
    status_code=201,
    summary="Accept moves of a suggested rebalance: each case reallocated, all or none",
    responses=CHANGE_RESPONSES,
)
def accept_rebalance_moves(
    request: Request,
    level: UnitLevel,
    code: Code,
    moves: Annotated[list[PlannedMoveIn], Body(max_length=MOST_ROWS)],
) -> AcceptedOut:
    viewer = signed_in(request, None)
    planned = [
        PlannedMove(m.crn, m.from_staff_code, m.from_team_code, m.to_staff_code, m.to_team_code)
        for m in moves
    ]
    within = (check_level(level, LEVELS), code)
    return _answer(accept_moves(store_of(request), viewer, planned, within=within))
