"""Suggesting a plan for a unit's queue: each case to one eligible practitioner of the unit.

Objectives, in order (allocation.md): place as many of the queue's points as the ceiling
allows; make the largest capacity after allocation as small as possible; keeping that to
within 0.1 percentage point, keep as many cases as possible with their previous
practitioner; then give as few cases as possible to people given one in the last 7 days.

The solver is OR-Tools' CP-SAT, starting from the simple rule's plan (`placing.py`) and
never doing worse than it. Every figure reported is the engine's, computed again once the
plan is chosen. How, and why:

- Counts, not cases. Cases with the same points and the same takers allowed (tier, ROSH and
  points decide both) are interchangeable, so the model says how many of each class go to
  each taker: a PDU of 650 queued cases and 100 practitioners is about 80 classes and 5,000
  counts, where a Boolean per case and taker made 60,000 and the solver never improved on
  its start. Continuity needs no variable per case either: as many of a class stay with a
  taker as they held before and are given, at most. Which cases go where is chosen from the
  counts afterwards, continuity first (`placing.cases_for_counts`).
- A lower bound of our own: water-filling, the points of each class's takers' cases poured
  over their available points as if cases were divisible (`placing.lower_bound_tenths`).
  The solver's own bound rarely rose above the largest capacity before.
- The largest capacity by bisection between that bound and the simple rule's plan: "can
  everyone given a case stay at or under this level?", with each taker's most points written
  out, is answered far sooner than a minimum of a maximum is proven; each "no" raises the
  bound. A plan proven best reports "optimal"; otherwise the best found and the bound.
  The search goes on to the bound itself: continuity is then chosen among every plan within
  0.1 point of the smallest, as the contract says, not among a part of them.
- Continuity, then fewest to people given a case recently, as one weighted objective within
  0.1 point of the largest found.
- Percentages stay the engine's integer tenths (`cpsat.capacity_tenths_variable` and the
  exact inverse, `allocation.ceiling_headroom_centi`). The solver has a fixed seed.
- Work grows with the queue: the search is given a quarter of a second and 4 ms a queued
  case of the solver's own measure of work (`cpsat.Stages`), shared out between the stages,
  within the time limit, which stays the whole suggestion's. A PDU's queue of a hundred
  cases has its plan in under a second, and the same plan however busy the machine.

The model is `plan_model.py`, the search `plan_search.py`, the figures `figures.py`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

import polars as pl

from wmt.domain.eligibility import EligibilityRules, default_eligibility_rules
from wmt.domain.grades import Grade
from wmt.domain.points import PointsConfiguration
from wmt.engine.arithmetic import percent, points
from wmt.engine.tables import OWNER_KEY
from wmt.planning.cpsat import ONE_WORKER, SolverStatus
from wmt.planning.figures import figures_after, given_by_assignment
from wmt.planning.placing import Assignment, Queue, greedy_assignment, queue
from wmt.planning.plan_search import TOLERANCE_TENTHS, solve

__all__ = [
    "DEFAULT_CEILING",
    "TOLERANCE_TENTHS",
    "Placement",
    "Plan",
    "Unplaced",
    "UnplacedReason",
    "greedy_plan",
    "percent",
    "points",
    "suggest_plan",
]

DEFAULT_CEILING = Decimal(110)


class UnplacedReason(StrEnum):
    NO_ELIGIBLE_PRACTITIONER = "no eligible practitioner"
    OVER_CEILING = "every eligible practitioner would pass the ceiling"


@dataclass(frozen=True)
class Placement:
    crn: str
    staff_code: str
    team_code: str
    points: Decimal
    capacity_before: Decimal  # the practitioner's, before the plan
    capacity_after: Decimal  # the practitioner's, once the whole plan is applied


@dataclass(frozen=True)
class Unplaced:
    crn: str
    points: Decimal
    reason: UnplacedReason


@dataclass(frozen=True)
class Plan:
    allocations: tuple[Placement, ...]
    unplaced: tuple[Unplaced, ...]
    # The largest capacity after the plan among the practitioners who can take cases (None
    # when the unit has none), and a lower bound on it for any plan placing as much.
    max_capacity_after: Decimal | None
    lower_bound: Decimal | None
    status: SolverStatus
    seconds: float
    shortfall_officers: Decimal  # unplaced points / a full-time PO's nominal target


def suggest_plan(
    cases: pl.DataFrame,
    owners: pl.DataFrame,
    config: PointsConfiguration,
    on: date,
    *,
    rules: EligibilityRules | None = None,
    ceiling: Decimal | None = DEFAULT_CEILING,
    time_limit: float = 10.0,
    workers: int = ONE_WORKER,
) -> Plan:
    """The plan for a unit's queued cases among the unit's owners (`ceiling=None`: going over
    is allowed). The time limit and the seconds reported are the whole suggestion's; a
    short queue's search is given less of the solver's work (`plan_search.search_seconds`)."""
    started = time.perf_counter()
    work = queue(cases, owners, config, rules or default_eligibility_rules(), on, ceiling)
    greedy = greedy_assignment(work)
    left = time_limit - (time.perf_counter() - started)
    solved = solve(work, greedy, ceiling is not None, left, workers)
    seconds = time.perf_counter() - started
    return _plan(work, solved.assignment, config, solved.status, solved.bound, seconds)


def greedy_plan(
    cases: pl.DataFrame,
    owners: pl.DataFrame,
    config: PointsConfiguration,
    on: date,
    *,
    rules: EligibilityRules | None = None,
    ceiling: Decimal | None = DEFAULT_CEILING,
) -> Plan:
    """The simple rule's plan alone, with the figures of any plan."""
    work = queue(cases, owners, config, rules or default_eligibility_rules(), on, ceiling)
    return _plan(work, greedy_assignment(work), config, SolverStatus.FEASIBLE, None, 0.0)


def _plan(
    work: Queue,
    assignment: Assignment,
    config: PointsConfiguration,
    status: SolverStatus,
    bound: int | None,
    seconds: float,
) -> Plan:
    figures = figures_after(work, given_by_assignment(work, assignment))
    before = figures["capacity_tenths"].to_list()
    after = figures["capacity_after_tenths"].to_list()
    keys = figures.select(OWNER_KEY).rows()
    allocations = tuple(
        Placement(
            crn=work.crns[case],
            staff_code=keys[taker][0],
            team_code=keys[taker][1],
            points=points(int(work.points_centi[case])),
            capacity_before=percent(before[taker]),
            capacity_after=percent(after[taker]),
        )
        for case, taker in enumerate(assignment)
        if taker is not None
    )
    unplaced = tuple(
        Unplaced(
            crn=work.crns[case],
            points=points(int(work.points_centi[case])),
            reason=UnplacedReason.OVER_CEILING
            if work.has_eligible[case]
            else UnplacedReason.NO_ELIGIBLE_PRACTITIONER,
        )
        for case, taker in enumerate(assignment)
        if taker is None
    )
    largest = max(after, default=None)
    lower = None
    if largest is not None:
        lower = max([*before, bound]) if bound is not None else max(before)
        lower = min(lower, largest)
    unplaced_points = sum((item.points for item in unplaced), Decimal(0))
    full_time = Decimal(config.nominal_target[Grade.PO])
    shortfall = Decimal(0) if full_time == 0 else unplaced_points / full_time
    return Plan(
        allocations=allocations,
        unplaced=unplaced,
        max_capacity_after=None if largest is None else percent(largest),
        lower_bound=None if lower is None else percent(lower),
        status=status,
        seconds=seconds,
        shortfall_officers=shortfall.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
    )
