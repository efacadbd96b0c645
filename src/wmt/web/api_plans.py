"""The JSON API for plans: a suggested plan for a team's or PDU's queue, a rebalance of its
caseloads, and what if a practitioner leaves. The same fields as `wmt allocation suggest`,
`rebalance` and `what-if-leave --format json` (docs/cli.md), and the solver's seconds.

Anyone who may see the team or PDU may read its plans; nothing here changes anything.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import Query, Request
from pydantic import BaseModel, Field

from wmt.domain.hierarchy import LEVELS, Level, check_level
from wmt.planning.plan import Plan
from wmt.services.allocation_plans import DEFAULT_TIME_LIMIT, rebalance_unit, suggest
from wmt.services.allocation_what_if import what_if_leaves
from wmt.web.api import AsOf, Code, StaffCode, UnitLevel, api_router
from wmt.web.api_models import Exact, code_entry, date_entry
from wmt.web.common import reader
from wmt.web.consistency import store_of

router = api_router()
PREFIX = "/allocation"
LONGEST_TIME_LIMIT = 30  # seconds: a request holds a worker while the optimiser runs


class PlacementOut(BaseModel):
    crn: str = Field(description="The case")
    staff_code: str = Field(description="Who it goes to")
    team_code: str = Field(description="Their team")
    capacity_before: Exact = Field(description="Their capacity % before the plan")
    capacity_after: Exact = Field(description="Their capacity % once the whole plan is applied")


class UnplacedOut(BaseModel):
    crn: str = Field(description="The case")
    points: Exact = Field(description="What it would add to whoever took it")
    reason: str = Field(description="Why nobody is given it")


class PlanOut(BaseModel):
    allocations: list[PlacementOut] = Field(description="Each case placed, and with whom")
    unplaced: list[UnplacedOut] = Field(description="The cases nobody can take")
    max_capacity_after: Exact | None = Field(
        description="The largest capacity % after the plan among those who can take cases"
    )
    lower_bound: Exact | None = Field(
        description="No plan placing as much can keep the largest capacity % below this"
    )
    status: str = Field(description="optimal, or feasible: the best found in the time limit")
    seconds: float = Field(description="How long the optimiser took")


class MoveOut(BaseModel):
    crn: str = Field(description="The case")
    from_staff_code: str = Field(description="Who holds it")
    to_staff_code: str = Field(description="Who it moves to")
    points: Exact = Field(description="Its points")


class RebalanceOut(BaseModel):
    moves: list[MoveOut] = Field(description="The cases to move")
    max_capacity_before: Exact | None = Field(description="The largest capacity % in the unit")
    max_capacity_after: Exact | None = Field(description="The same once every move is made")
    status: str = Field(description="optimal, or feasible: the best found in the time limit")
    seconds: float = Field(description="How long the optimiser took")


class TeamMemberOut(BaseModel):
    staff_code: str = Field(description="A practitioner of the team")
    grade: str = Field(description="Their grade")
    leaving: bool = Field(description="Whether this is the one leaving")
    caseload_before: int = Field(description="Their caseload today")
    caseload_after: int = Field(description="Their caseload after (0 for the one leaving)")
    capacity_before: Exact = Field(description="Their capacity % today")
    capacity_after: Exact | None = Field(description="Their capacity % after (null if leaving)")


class LeavingOut(PlanOut):
    as_of: date = Field(description="The snapshot the figures are from")
    staff_code: str = Field(description="Who leaves")
    team_code: str = Field(description="The team they leave")
    from_date: date = Field(description="The day they leave")
    team: list[TeamMemberOut] = Field(description="Each of the team, today and after")


Ceiling = Annotated[
    Decimal,
    Query(gt=0, le=1000, decimal_places=1, description="No one passes this capacity %"),
]
AllowOver = Annotated[
    bool, Query(description="Place every case someone may take, past the ceiling")
]
TimeLimit = Annotated[
    float,
    Query(gt=0, le=LONGEST_TIME_LIMIT, description="Seconds the optimiser may take"),
]


def _plan_fields(plan: Plan) -> dict[str, object]:
    return {
        "allocations": plan.allocations,
        "unplaced": plan.unplaced,
        "max_capacity_after": plan.max_capacity_after,
        "lower_bound": plan.lower_bound,
        "status": plan.status,
        "seconds": plan.seconds,
    }


def _unit_level(level: str) -> Level:
    return check_level(level, LEVELS)


@router.get(
    PREFIX + "/{level}/{code}/plan", response_model=PlanOut, summary="A plan for a unit's queue"
)
def plan(
    request: Request,
    level: UnitLevel,
    code: Code,
    ceiling: Ceiling = Decimal(110),
    allow_over: AllowOver = False,
    time_limit: TimeLimit = DEFAULT_TIME_LIMIT,
    as_of: AsOf = None,
) -> PlanOut:
    unit_level = _unit_level(level)
    viewer = reader(request, unit_level, code)
    most = None if allow_over else ceiling
    found = suggest(store_of(request), viewer, code, most, time_limit, as_of, level=unit_level)
    return PlanOut.model_validate(_plan_fields(found.plan), from_attributes=True)


@router.get(
    PREFIX + "/{level}/{code}/rebalance",
    response_model=RebalanceOut,
    summary="The fewest moves that bring a unit to a target",
)
def rebalance(
    request: Request,
    level: UnitLevel,
    code: Code,
    target: Annotated[
        Decimal, Query(gt=0, le=1000, decimal_places=1, description="The capacity % to reach")
    ] = Decimal(110),
    max_moves: Annotated[
        int | None, Query(ge=0, le=100_000, description="Move at most this many cases")
    ] = None,
    time_limit: TimeLimit = DEFAULT_TIME_LIMIT,
    as_of: AsOf = None,
) -> RebalanceOut:
    unit_level = _unit_level(level)
    viewer = reader(request, unit_level, code)
    store = store_of(request)
    found = rebalance_unit(
        store, viewer, code, target, max_moves, time_limit, as_of, level=unit_level
    ).rebalance
    return RebalanceOut.model_validate(found, from_attributes=True)


@router.get(
    PREFIX + "/practitioner/{staff_code}/what-if-leave",
    response_model=LeavingOut,
    summary="Where a practitioner's cases would go if they left",
)
def what_if_leave(
    request: Request,
    staff_code: StaffCode,
    team_code: Annotated[
        str, code_entry("The team code"), Query(description="The team they would leave")
    ],
    leaving: Annotated[
        date, date_entry("The leaving date"), Query(alias="from", description="The day they leave")
    ],
    ceiling: Ceiling = Decimal(110),
    allow_over: AllowOver = False,
    time_limit: TimeLimit = DEFAULT_TIME_LIMIT,
) -> LeavingOut:
    viewer = reader(request, Level.TEAM, team_code)
    most = None if allow_over else ceiling
    found = what_if_leaves(
        store_of(request), viewer, staff_code, team_code, leaving, ceiling=most,
        time_limit=time_limit,
    )  # fmt: skip
    fields = {
        "as_of": found.as_of,
        "staff_code": found.staff_code,
        "team_code": found.team_code,
        "from_date": found.from_date,
        "team": found.team,
        **_plan_fields(found.plan),
    }
    return LeavingOut.model_validate(fields, from_attributes=True)
