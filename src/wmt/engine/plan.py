"""Suggesting a plan for a unit's queue: each case to one eligible practitioner of the unit.

Objectives, in order (allocation.md): place as many of the queue's points as the ceiling
allows; make the largest capacity after allocation as small as possible; keeping that to
within 0.1 percentage point, keep as many cases as possible with their previous
practitioner; then give as few cases as possible to people given one in the last 7 days.

The solver is OR-Tools' CP-SAT. A simple rule (largest case first, to the eligible person it
leaves least loaded) gives a first plan that the solver starts from and must not do worse
than. Every figure reported is the engine's, computed again once the plan is chosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

import numpy as np
import polars as pl
from ortools.sat.python import cp_model

from wmt.domain.eligibility import EligibilityRules, default_eligibility_rules
from wmt.domain.grades import Grade
from wmt.domain.points import PointsConfiguration
from wmt.engine.allocation import (
    after_adding,
    case_points_centi,
    ceiling_headroom_centi,
    pairs,
    unit_owners,
)
from wmt.engine.cpsat import SolverStatus, Stages, capacity_tenths_variable
from wmt.engine.tables import OWNER_KEY

DEFAULT_CEILING = Decimal(110)
TOLERANCE_TENTHS = 1  # "within 0.1 percentage point" of the smallest largest capacity


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


def percent(tenths: int) -> Decimal:
    """Tenths of a percent as an exact percentage with one decimal place."""
    return Decimal(tenths).scaleb(-1)


def points(centi: int) -> Decimal:
    return Decimal(centi).scaleb(-2)


@dataclass(frozen=True)
class Queue:
    """The choices a plan makes: for each case, the takers it may go to."""

    crns: list[str]
    points_centi: np.ndarray  # per case
    has_eligible: np.ndarray  # per case: anyone may take it, ceiling aside
    choices: pl.DataFrame  # case, taker, continuity: one row per allowed pairing
    takers: pl.DataFrame  # the unit's owners who can take cases, indexed by `taker`

    @property
    def options(self) -> list[list[int]]:
        """Per case: the takers it may go to."""
        grouped = (
            pl.DataFrame({"case": range(len(self.crns))}, schema={"case": pl.Int64})
            .join(self.choices.group_by("case").agg("taker"), on="case", how="left")
            .sort("case")
        )
        return [takers or [] for takers in grouped["taker"].to_list()]


def queue(
    cases: pl.DataFrame,
    owners: pl.DataFrame,
    config: PointsConfiguration,
    rules: EligibilityRules,
    on: date,
    ceiling: Decimal | None,
) -> Queue:
    """Who may take which case: eligible, and (unless going over is allowed) not past the
    ceiling with that case alone."""
    ceiling_tenths = None if ceiling is None else int(ceiling * 10)
    takers = (
        unit_owners(owners, rules, on)
        .filter(pl.col("may_take_new_cases"))
        .with_row_index("taker")
        .with_columns(
            pl.col("taker").cast(pl.Int64),
            headroom_centi=pl.lit(None, pl.Int64)
            if ceiling_tenths is None
            else ceiling_headroom_centi(pl.col("available_points"), ceiling_tenths),
        )
    )
    paired = pairs(cases, owners, config, rules, on).collect()
    per_case = (
        cases.select("crn")
        .with_row_index("case")
        .with_columns(pl.col("case").cast(pl.Int64))
        .join(case_points_centi(cases, config).select("crn", "points_centi"), on="crn")
        .join(
            paired.group_by("crn").agg(pl.col("eligible").any().alias("has_eligible")),
            on="crn",
            how="left",
        )
        .sort("case")
    )
    allowed = paired.filter(pl.col("eligible")).join(
        takers.select(*OWNER_KEY, "taker", "base_centi", "headroom_centi"), on=OWNER_KEY
    )
    if ceiling_tenths is not None:
        allowed = allowed.filter(
            pl.col("base_centi") + pl.col("points_centi") <= pl.col("headroom_centi")
        )
    return Queue(
        crns=per_case["crn"].to_list(),
        points_centi=per_case["points_centi"].fill_null(0).to_numpy(),
        has_eligible=per_case["has_eligible"].fill_null(False).to_numpy(),
        choices=allowed.join(per_case.select("crn", "case"), on="crn")
        .select("case", "taker", "continuity")
        .sort("case", "taker"),
        takers=takers,
    )


Assignment = list[int | None]  # per case: the taker it goes to, or None


def greedy_assignment(work: Queue) -> Assignment:
    """Largest case first, each to the eligible person it leaves least loaded (capacity
    after, then staff code); a case that fits nobody stays unplaced.

    One case at a time by nature: each choice depends on the ones before it.
    """
    load = work.takers["base_centi"].to_numpy().astype(np.int64)
    available = work.takers["available_points"].to_numpy().astype(np.float64)
    headroom = work.takers["headroom_centi"].fill_null(np.iinfo(np.int64).max).to_numpy()
    order = sorted(range(len(work.crns)), key=lambda c: (-work.points_centi[c], work.crns[c]))
    options = work.options
    chosen: Assignment = [None] * len(work.crns)
    for case in order:
        takers = np.asarray(options[case], dtype=np.int64)
        if takers.size == 0:
            continue
        after = load[takers] + work.points_centi[case]
        fits = takers[after <= headroom[takers]]
        if fits.size == 0:
            continue
        # stable sort keeps the lower taker (sorted by staff code) on a tie
        ratio = (load[fits] + work.points_centi[case]) / available[fits]
        best = fits[np.argsort(ratio, kind="stable")[0]]
        chosen[case] = int(best)
        load[best] += work.points_centi[case]
    return chosen


def suggest_plan(
    cases: pl.DataFrame,
    owners: pl.DataFrame,
    config: PointsConfiguration,
    on: date,
    *,
    rules: EligibilityRules | None = None,
    ceiling: Decimal | None = DEFAULT_CEILING,
    time_limit: float = 10.0,
    workers: int = 2,
) -> Plan:
    """The plan for a unit's queued cases among the unit's owners (`ceiling=None`: going over
    is allowed)."""
    work = queue(cases, owners, config, rules or default_eligibility_rules(), on, ceiling)
    greedy = greedy_assignment(work)
    solved = _solve(work, greedy, ceiling is not None, time_limit, workers)
    return _plan(work, solved.assignment, config, solved.status, solved.bound, solved.seconds)


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


@dataclass(frozen=True)
class _Solved:
    assignment: Assignment
    status: SolverStatus
    bound: int | None  # on the largest capacity of those given cases, in tenths
    seconds: float


def _solve(work: Queue, greedy: Assignment, ceiling: bool, seconds: float, workers: int) -> _Solved:
    model = cp_model.CpModel()
    choices = work.choices
    picks = [model.new_bool_var("") for _ in range(choices.height)]
    cases = choices["case"].to_list()
    takers = choices["taker"].to_list()
    by_case: dict[int, list[int]] = {}
    by_taker: dict[int, list[int]] = {}
    for row, (case, taker) in enumerate(zip(cases, takers, strict=True)):
        by_case.setdefault(case, []).append(row)
        by_taker.setdefault(taker, []).append(row)
    unplaced_terms: list[cp_model.LinearExprT] = []
    for case, rows in by_case.items():
        placed = sum(picks[row] for row in rows)
        if ceiling:
            model.add(placed <= 1)
            unplaced_terms.append((1 - placed) * _unplaced_weight(work, case))
        else:
            model.add(placed == 1)
    largest = model.new_int_var(-(10**9), 10**9, "largest")
    base = work.takers["base_centi"].to_list()
    available = work.takers["available_points"].to_list()
    headroom = work.takers["headroom_centi"].to_list()
    for taker, rows in by_taker.items():
        load = base[taker] + cp_model.LinearExpr.weighted_sum(
            [picks[row] for row in rows], [int(work.points_centi[cases[row]]) for row in rows]
        )
        if ceiling:
            model.add(load <= headroom[taker])
        receives = model.new_bool_var("")
        for row in rows:
            model.add_implication(picks[row], receives)
        tenths = capacity_tenths_variable(model, load, available[taker])
        model.add(largest >= tenths).only_enforce_if(receives)
    continuity = cp_model.LinearExpr.sum(
        [pick for pick, kept in zip(picks, choices["continuity"], strict=True) if kept]
    )
    recent = set(work.takers.filter(pl.col("allocated_last_7_days") > 0)["taker"].to_list())
    to_recent = cp_model.LinearExpr.sum(
        [pick for pick, taker in zip(picks, takers, strict=True) if taker in recent]
    )
    greedy_values = [int(greedy[case] == taker) for case, taker in zip(cases, takers, strict=True)]
    stages = Stages(model, picks, seconds, workers)
    stages.hint(greedy_values)
    stages.solution = greedy_values
    bound = None
    if stages.minimise(cp_model.LinearExpr.sum(unplaced_terms), stages_left=4) is not None:
        reached = stages.minimise(largest, stages_left=3, slack=TOLERANCE_TENTHS)
        if reached is not None:
            bound = reached[1]
            greedy_largest = _largest_given(work, greedy)
            if _unplaced_score(work, greedy) == _unplaced_score(
                work, _assign(work, stages.solution)
            ):
                if greedy_largest is not None and greedy_largest < reached[0] + TOLERANCE_TENTHS:
                    model.add(largest <= greedy_largest)
                if greedy_largest is not None and greedy_largest < reached[0]:
                    stages.solution = greedy_values
                    stages.hint(greedy_values)
            if stages.minimise(-continuity, stages_left=2) is not None:
                stages.minimise(to_recent, stages_left=1)
    return _Solved(_assign(work, stages.solution), stages.status, bound, stages.elapsed)


def _assign(work: Queue, values: Sequence[int]) -> Assignment:
    chosen: Assignment = [None] * len(work.crns)
    for case, taker, value in zip(work.choices["case"], work.choices["taker"], values, strict=True):
        if value:
            chosen[case] = taker
    return chosen


def _unplaced_weight(work: Queue, case: int) -> int:
    """Unplaced points count first; among plans leaving as many points, fewer cases."""
    return int(work.points_centi[case]) * (len(work.crns) + 1) + 1


def _unplaced_score(work: Queue, assignment: Assignment) -> int:
    return sum(_unplaced_weight(work, c) for c, taker in enumerate(assignment) if taker is None)


def _largest_given(work: Queue, assignment: Assignment) -> int | None:
    """The largest capacity after, in tenths, among those the assignment gives cases to."""
    figures = _figures(work, assignment)
    given = figures.filter(pl.col("given"))
    return None if given.is_empty() else int(given["capacity_after_tenths"].max())  # type: ignore[arg-type]


def _figures(work: Queue, assignment: Assignment) -> pl.DataFrame:
    """Every taker's capacity before and after the assignment, by the engine's arithmetic."""
    given = (
        pl.DataFrame(
            {
                "taker": [taker for taker in assignment if taker is not None],
                "points_centi": [
                    int(work.points_centi[c])
                    for c, taker in enumerate(assignment)
                    if taker is not None
                ],
            },
            schema={"taker": pl.Int64, "points_centi": pl.Int64},
        )
        .group_by("taker")
        .agg(pl.col("points_centi").sum().alias("added_centi"), given=pl.lit(True))
    )
    return (
        work.takers.join(given, on="taker", how="left")
        .with_columns(pl.col("added_centi").fill_null(0), pl.col("given").fill_null(False))
        .with_columns(after_adding(pl.col("added_centi")))
        .sort("taker")
    )


def _plan(
    work: Queue,
    assignment: Assignment,
    config: PointsConfiguration,
    status: SolverStatus,
    bound: int | None,
    seconds: float,
) -> Plan:
    figures = _figures(work, assignment)
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
