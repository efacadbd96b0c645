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
- Continuity, then fewest to people given a case recently, as one weighted objective within
  0.1 point of the largest found.
- Percentages stay the engine's integer tenths (`cpsat.capacity_tenths_variable` and the
  exact inverse, `allocation.ceiling_headroom_centi`). The solver has a fixed seed; the time
  limit is the whole suggestion's, shared out between the stages.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import partial

import polars as pl
from ortools.sat.python import cp_model

from wmt.domain.eligibility import EligibilityRules, default_eligibility_rules
from wmt.domain.grades import Grade
from wmt.domain.points import PointsConfiguration
from wmt.engine.allocation import after_adding, ceiling_headroom_centi
from wmt.engine.tables import OWNER_KEY
from wmt.planning.cpsat import ONE_WORKER, SolverStatus, Stages, capacity_tenths_variable
from wmt.planning.placing import (
    Assignment,
    CaseClasses,
    Queue,
    case_classes,
    cases_for_counts,
    greedy_assignment,
    lower_bound_tenths,
    queue,
)

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
    is allowed). The time limit and the seconds reported are the whole suggestion's."""
    started = time.perf_counter()
    work = queue(cases, owners, config, rules or default_eligibility_rules(), on, ceiling)
    greedy = greedy_assignment(work)
    left = time_limit - (time.perf_counter() - started)
    solved = _solve(work, greedy, ceiling is not None, left, workers)
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


@dataclass(frozen=True)
class _Solved:
    assignment: Assignment
    status: SolverStatus
    bound: int | None  # on the largest capacity of those given cases, in tenths


@dataclass(frozen=True)
class _Taker:
    """One taker in the model: their points once given cases, how many cases, whether any,
    and their capacity in tenths."""

    load: cp_model.LinearExpr
    cases: cp_model.LinearExpr
    receives: cp_model.IntVar
    tenths: cp_model.IntVar


@dataclass(frozen=True)
class _Model:
    model: cp_model.CpModel
    given: list[cp_model.IntVar]  # per row of the class options: how many go to that taker
    unplaced: cp_model.LinearExprT
    largest: cp_model.IntVar  # the largest capacity among those given a case, in tenths
    continuity: cp_model.LinearExpr
    to_recent: cp_model.LinearExpr
    takers: dict[int, _Taker]


def _model(work: Queue, classes: CaseClasses, ceiling: bool) -> _Model:
    model = cp_model.CpModel()
    options = classes.options
    takers_of = work.takers.select("taker", "base_centi", "headroom_centi")
    room = options.join(takers_of, on="taker").with_columns(
        most=pl.min_horizontal(
            "size",
            ((pl.col("headroom_centi") - pl.col("base_centi")) // pl.col("points_centi")).fill_null(
                pl.col("size")
            ),
        )
    )
    limits = room.sort("class", "taker")["most"].to_list()
    given = [model.new_int_var(0, most, "") for most in limits]
    rows = options.with_row_index("row")["row", "class", "taker", "points_centi", "kept_most"]
    by_class: dict[int, list[cp_model.IntVar]] = {}
    by_taker: dict[int, list[tuple[cp_model.IntVar, int, int]]] = {}
    kept: list[cp_model.IntVar] = []
    for row, group, taker, centi, kept_most in rows.iter_rows():
        by_class.setdefault(group, []).append(given[row])
        by_taker.setdefault(taker, []).append((given[row], centi, limits[row]))
        if kept_most:  # cases staying with the one who held them: at most those given
            stays = model.new_int_var(0, kept_most, "")
            model.add(stays <= given[row])
            kept.append(stays)
    unplaced: list[cp_model.LinearExprT] = []
    for group, size, centi in classes.sizes.iter_rows():
        placed = cp_model.LinearExpr.sum(by_class[group])
        if ceiling:
            model.add(placed <= size)
        else:  # going over is allowed: every case someone may take is placed
            model.add(placed == size)
        unplaced.append((size - placed) * _unplaced_weight(work, centi))
    figures = work.takers.select("taker", "base_centi", "available_points", "headroom_centi")
    loaded = {
        taker: _add_taker(model, by_taker[taker], *row, ceiling=ceiling)
        for taker, *row in figures.rows()
        if taker in by_taker
    }
    bounds = [bound for taker in loaded.values() for bound in taker.tenths.proto.domain] or [0]
    largest = model.new_int_var(min(bounds), max(bounds), "largest")
    for taker in loaded.values():
        model.add(largest >= taker.tenths).only_enforce_if(taker.receives)
    recent = set(work.takers.filter(pl.col("allocated_last_7_days") > 0)["taker"])
    return _Model(
        model=model,
        given=given,
        unplaced=cp_model.LinearExpr.sum(unplaced),
        largest=largest,
        continuity=cp_model.LinearExpr.sum(kept),
        takers=loaded,
        to_recent=cp_model.LinearExpr.sum(
            [count for count, taker in zip(given, options["taker"], strict=True) if taker in recent]
        ),
    )


def _add_taker(
    model: cp_model.CpModel,
    given: list[tuple[cp_model.IntVar, int, int]],
    base_centi: int,
    available: int,
    headroom_centi: int | None,
    *,
    ceiling: bool,
) -> _Taker:
    """One taker's load, under the ceiling. `given` holds, per class they may take, how many
    they are given, its points and the most they can be given."""
    counts = [count for count, _, _ in given]
    load = base_centi + cp_model.LinearExpr.weighted_sum(counts, [centi for _, centi, _ in given])
    if ceiling and headroom_centi is not None:
        model.add(load <= headroom_centi)
    cases = cp_model.LinearExpr.sum(counts)
    receives = model.new_bool_var("")
    model.add(cases <= sum(most for _, _, most in given) * receives)
    most = base_centi + sum(most * centi for _, centi, most in given)
    tenths = capacity_tenths_variable(model, load, available, base_centi, most)
    return _Taker(load=load, cases=cases, receives=receives, tenths=tenths)


def _solve(work: Queue, greedy: Assignment, ceiling: bool, seconds: float, workers: int) -> _Solved:
    """The objectives in order, from the simple rule's plan; never worse than it."""
    began = time.perf_counter()  # building the model counts against the time limit
    classes = case_classes(work)
    built = _model(work, classes, ceiling)
    greedy_counts = _counts(classes, greedy)
    stages = Stages(built.model, built.given, seconds, workers, started=began)
    stages.hint(greedy_counts)
    bound = None
    if _places_all_it_can(work, greedy):  # nothing to improve: the first objective is met
        built.model.add(built.unplaced <= 0)
        placed = True
        ours = lower_bound_tenths(work, classes, None)
    else:
        placed = stages.minimise(built.unplaced, share=0.25) is not None
        ours = None
        if placed and stages.solution is not None:
            assignment = _assign(work, classes, stages.solution)
            ours = lower_bound_tenths(work, classes, _placed_centi(work, assignment))
    if placed:
        reached = _lowest_largest(work, classes, built, stages, ours, share=0.5)
        if reached is not None:
            bound = reached[1]
            built.model.add(built.largest <= reached[0] + TOLERANCE_TENTHS)
            _no_worse_than_greedy(work, classes, built, stages, greedy, greedy_counts, reached[0])
            # Continuity first, then fewest to people given a case recently: one objective,
            # as fewer than `cases + 1` cases can go to them.
            stages.minimise(built.to_recent - (len(work.crns) + 1) * built.continuity, share=1.0)
        bound = max(b for b in (bound, ours, -1) if b is not None)
    chosen = greedy if stages.solution is None else _assign(work, classes, stages.solution)
    return _Solved(chosen, stages.status, None if bound is None or bound < 0 else bound)


def _lowest_largest(
    work: Queue, classes: CaseClasses, built: _Model, stages: Stages, low: int | None, share: float
) -> tuple[int, int] | None:
    """The smallest largest capacity (tenths) among those given cases that a plan reaches,
    found by bisection between a lower bound and the current plan's: is there a plan in which
    everyone given a case stays at or under this level? A plain yes or no, with each taker's
    most points written out, is much quicker to answer than the smallest itself.

    Returns the level reached and a lower bound on it (proven by the answers "no")."""
    if stages.solution is None:
        return None
    best = _largest_given(work, _assign(work, classes, stages.solution))
    if best is None:
        return None
    proven = lowest = -1 if low is None else low
    budget = stages.left() * share
    while lowest < best and stages.left() > 0 and budget > 0:
        level = (lowest + best) // 2
        probes = max(1, math.ceil(math.log2(best - lowest + 1)))
        started = time.perf_counter()
        answer = stages.feasible_with(
            partial(_everyone_at_most, work, built, level=level), budget / probes
        )
        budget -= time.perf_counter() - started
        if answer and stages.solution is not None:
            best = _largest_given(work, _assign(work, classes, stages.solution)) or level
        else:
            lowest = level + 1
            proven = level + 1 if answer is False else proven
    stages.proven &= proven >= best
    return best, min(max(proven, 0), best)


def _everyone_at_most(work: Queue, built: _Model, trial: cp_model.CpModel, *, level: int) -> None:
    """Each taker given a case stays at or under the level (in tenths); someone already over
    it is given none."""
    most = work.takers.select(
        "taker", "base_centi", ceiling_headroom_centi(pl.col("available_points"), level)
    )
    for taker, base, headroom in most.rows():
        if taker not in built.takers:
            continue
        if base > headroom:
            trial.add(built.takers[taker].cases == 0)
        else:
            trial.add(built.takers[taker].load <= headroom)


def _counts(classes: CaseClasses, assignment: Assignment) -> list[int]:
    """How many of each class an assignment gives each taker, per row of the class options."""
    given = pl.DataFrame(
        {"case": range(len(assignment)), "taker": assignment},
        schema={"case": pl.Int64, "taker": pl.Int64},
    ).join(classes.members.select("case", "class"), on="case")
    counted = given.group_by("class", "taker").agg(given=pl.len().cast(pl.Int64))
    return (
        classes.options.join(counted, on=["class", "taker"], how="left")["given"]
        .fill_null(0)
        .to_list()
    )


def _placed_centi(work: Queue, assignment: Assignment) -> int:
    return sum(int(work.points_centi[c]) for c, taker in enumerate(assignment) if taker is not None)


def _places_all_it_can(work: Queue, assignment: Assignment) -> bool:
    """Whether the only cases left unplaced are those no one may be given at all."""
    choosable = set(work.choices["case"])
    return all(taker is not None or case not in choosable for case, taker in enumerate(assignment))


def _no_worse_than_greedy(
    work: Queue,
    classes: CaseClasses,
    built: _Model,
    stages: Stages,
    greedy: Assignment,
    greedy_counts: list[int],
    smallest: int,
) -> None:
    """Where the simple rule places as much, its largest capacity caps the plan's: the 0.1
    point allowed for continuity never makes the plan worse than it."""
    if stages.solution is None:
        return
    found = _assign(work, classes, stages.solution)
    same = _unplaced_score(work, greedy) == _unplaced_score(work, found)
    greedy_largest = _largest_given(work, greedy)
    if not same or greedy_largest is None:
        return
    if greedy_largest < smallest + TOLERANCE_TENTHS:
        built.model.add(built.largest <= greedy_largest)
    if greedy_largest < smallest:  # the solver ran out of time before finding as good
        stages.hint(greedy_counts)


def _assign(work: Queue, classes: CaseClasses, counts: Sequence[int]) -> Assignment:
    return cases_for_counts(classes, pl.Series(counts, dtype=pl.Int64), len(work.crns))


def _unplaced_weight(work: Queue, points_centi: int) -> int:
    """Unplaced points count first; among plans leaving as many points, fewer cases."""
    return int(points_centi) * (len(work.crns) + 1) + 1


def _unplaced_score(work: Queue, assignment: Assignment) -> int:
    return sum(
        _unplaced_weight(work, work.points_centi[c])
        for c, taker in enumerate(assignment)
        if taker is None
    )


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
