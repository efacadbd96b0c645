"""What if someone leaves: their cases planned out across the rest of their team by the same
optimiser as a unit's queue, and the team's figures today and after, side by side.

The person is treated as having left on the date given: their cases become a queue, and
nobody who has left by then (the date, or the snapshot's if later) is given one. Every
figure after is the engine's, as for any plan (`wmt.planning.plan`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl

from wmt.domain.access import Viewer
from wmt.domain.hierarchy import Level
from wmt.engine.arithmetic import percent
from wmt.engine.tables import OWNER_KEY
from wmt.errors import NotFound
from wmt.planning.plan import DEFAULT_CEILING, Plan, suggest_plan
from wmt.services.allocation_plans import (
    DEFAULT_TIME_LIMIT,
    PlanningInputs,
    held_cases,
    planning_inputs,
    planning_snapshot,
)
from wmt.services.places import places_in
from wmt.services.scope import check_may_read
from wmt.store.transactions import Store


@dataclass(frozen=True)
class TeamMemberChange:
    """One practitioner of the team, today and once the leaver's cases are planned out."""

    staff_code: str
    grade: str
    leaving: bool
    caseload_before: int
    caseload_after: int  # 0 for the one leaving
    capacity_before: Decimal
    capacity_after: Decimal | None  # None for the one leaving


@dataclass(frozen=True)
class LeavingPlan:
    as_of: date
    staff_code: str
    team_code: str
    from_date: date
    team: tuple[TeamMemberChange, ...]  # in staff code order
    plan: Plan  # the leaver's cases placed across the team, or unplaced


def what_if_leaves(
    store: Store,
    viewer: Viewer,
    staff_code: str,
    team_code: str,
    from_date: date,
    *,
    ceiling: Decimal | None = DEFAULT_CEILING,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> LeavingPlan:
    """The practitioner's cases in the team planned out across the rest of it, on the newest
    snapshot; NotFound if the person asking may not see the team, or the practitioner is not
    in it."""
    with store.reading() as connection:
        record = planning_snapshot(connection, None)
        if check_may_read(connection, record.id, viewer, Level.TEAM, team_code) is None:
            places_in(connection, record.id, Level.TEAM, team_code)  # NotFound if not there
        held = held_cases(connection, record.id, [team_code])
        inputs = planning_inputs(connection, record, [team_code], held)
    leaver = (pl.col("staff_code") == staff_code) & (pl.col("team_code") == team_code)
    if inputs.owners.filter(leaver).is_empty():
        raise NotFound(f"{staff_code} is not in team {team_code} on {inputs.as_of}.")
    plan = suggest_plan(
        inputs.cases.filter(leaver).drop("staff_code"),
        inputs.owners.filter(~leaver),
        inputs.config,
        max(from_date, inputs.as_of),
        rules=inputs.rules,
        ceiling=ceiling,
        time_limit=time_limit,
    )
    team = _side_by_side(inputs, plan, staff_code)
    return LeavingPlan(inputs.as_of, staff_code, team_code, from_date, team, plan)


def _side_by_side(inputs: PlanningInputs, plan: Plan, leaving: str) -> tuple[TeamMemberChange, ...]:
    """Each of the team today and after: those given cases at the plan's figures, the others
    as they are, the leaver with nothing. One row per practitioner of one team."""
    given = Counter(placement.staff_code for placement in plan.allocations)
    after = {placement.staff_code: placement.capacity_after for placement in plan.allocations}
    figures = inputs.owners.sort(OWNER_KEY).select(
        "staff_code", "grade", "caseload", "capacity_tenths"
    )
    return tuple(
        TeamMemberChange(
            staff_code=staff_code,
            grade=grade,
            leaving=staff_code == leaving,
            caseload_before=caseload,
            caseload_after=0 if staff_code == leaving else caseload + given[staff_code],
            capacity_before=percent(tenths),
            capacity_after=None
            if staff_code == leaving
            else after.get(staff_code, percent(tenths)),
        )
        for staff_code, grade, caseload, tenths in figures.iter_rows()
    )
