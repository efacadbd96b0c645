"""Searching for a unit's plan: the objectives in order, from the simple rule's plan, within a
time budget that grows with the queue (how and why: `plan.py`)."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import polars as pl
from ortools.sat.python import cp_model

from wmt.engine.allocation import ceiling_headroom_centi
from wmt.planning.cpsat import SolverStatus, Stages
from wmt.planning.figures import given_by_assignment, given_by_counts, largest_given
from wmt.planning.placing import (
    Assignment,
    CaseClasses,
    Queue,
    case_classes,
    cases_for_counts,
    lower_bound_tenths,
)
from wmt.planning.plan_model import QueueModel, queue_model, unplaced_weight

TOLERANCE_TENTHS = 1  # "within 0.1 percentage point" of the smallest largest capacity

# A queue's search is given this much of the solver's work (in seconds of a quiet machine),
# within the time limit: most of a national PDU's ten seconds went on steps that ended without
# an answer, and a queue of a hundred cases has as good a plan in a fraction of a second.
LEAST_SECONDS = 0.25
SECONDS_PER_CASE = 0.004


def search_seconds(cases: int, time_limit: float) -> float:
    """The seconds a queue of this many cases is given, within the time limit."""
    return min(time_limit, LEAST_SECONDS + SECONDS_PER_CASE * cases)


@dataclass(frozen=True)
class Solved:
    assignment: Assignment
    status: SolverStatus
    bound: int | None  # on the largest capacity of those given cases, in tenths


def solve(work: Queue, greedy: Assignment, ceiling: bool, seconds: float, workers: int) -> Solved:
    """The objectives in order, from the simple rule's plan; never worse than it. `seconds`
    is the time limit; the search is given `search_seconds` of the solver's work within it."""
    began = time.perf_counter()  # building the model counts against the time limit
    classes = case_classes(work)
    if _places_all_it_can(work, greedy) and not _may_keep_or_spare(work, classes):
        # The simple rule's plan is best when it meets the bound: nothing else to choose.
        ours = lower_bound_tenths(work, classes, None)
        greedy_largest = largest_given(work, given_by_assignment(work, greedy))
        if ours is not None and greedy_largest is not None and greedy_largest <= ours:
            return Solved(greedy, SolverStatus.OPTIMAL, ours)
    built = queue_model(work, classes, ceiling)
    greedy_counts = _counts(classes, greedy)
    stages = Stages(
        built.model,
        built.given,
        seconds,
        workers,
        started=began,
        work=search_seconds(len(work.crns), seconds),
    )
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
            best, bound = reached
            built.model.add(built.largest <= best + TOLERANCE_TENTHS)
            _no_worse_than_greedy(work, classes, built, stages, greedy, greedy_counts, best)
            if _may_keep_or_spare(work, classes):
                # Continuity first, then fewest to people given a case recently: one
                # objective, as fewer than `cases + 1` cases can go to them.
                stages.minimise(
                    built.to_recent - (len(work.crns) + 1) * built.continuity, share=1.0
                )
        bound = max(b for b in (bound, ours, -1) if b is not None)
    chosen = greedy if stages.solution is None else _assign(work, classes, stages.solution)
    return Solved(chosen, stages.status, None if bound is None or bound < 0 else bound)


def _lowest_largest(
    work: Queue,
    classes: CaseClasses,
    built: QueueModel,
    stages: Stages,
    low: int | None,
    share: float,
) -> tuple[int, int] | None:
    """The smallest largest capacity (tenths) among those given cases that a plan reaches,
    found by bisection between a lower bound and the current plan's: is there a plan in which
    everyone given a case stays at or under this level? A plain yes or no, with each taker's
    most points written out, is much quicker to answer than the smallest itself.

    Returns the level reached and a lower bound on it (proven by the answers "no")."""
    if stages.solution is None:
        return None
    best = largest_given(work, given_by_counts(classes, stages.solution))
    if best is None:
        return None
    proven = lowest = -1 if low is None else low
    budget = stages.left() * share
    while lowest < best and stages.left() > 0 and budget > 0:
        level = (lowest + best) // 2
        probes = max(1, math.ceil(math.log2(best - lowest + 1)))
        before = stages.left()
        answer = stages.feasible_with(
            partial(_everyone_at_most, work, built, level=level), budget / probes
        )
        budget -= before - stages.left()
        if answer and stages.solution is not None:
            best = largest_given(work, given_by_counts(classes, stages.solution)) or level
        else:
            lowest = level + 1
            proven = level + 1 if answer is False else proven
    stages.proven &= proven >= best
    return best, min(max(proven, 0), best)


def _everyone_at_most(
    work: Queue, built: QueueModel, trial: cp_model.CpModel, *, level: int
) -> None:
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


def _may_keep_or_spare(work: Queue, classes: CaseClasses) -> bool:
    """Whether the last objective has anything to choose: a case that may stay with the one
    who held it, or a taker given a case recently who may be given another."""
    recent = work.takers.filter(pl.col("allocated_last_7_days") > 0)["taker"]
    options = classes.options
    return bool(options["kept_most"].sum() > 0 or options["taker"].is_in(recent.to_list()).any())


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
    built: QueueModel,
    stages: Stages,
    greedy: Assignment,
    greedy_counts: list[int],
    smallest: int,
) -> None:
    """Where the simple rule places as much, its largest capacity caps the plan's: the 0.1
    point allowed for continuity never makes the plan worse than it."""
    if stages.solution is None:
        return
    same = _unplaced_score(work, classes, greedy_counts) == _unplaced_score(
        work, classes, stages.solution
    )
    greedy_largest = largest_given(work, given_by_assignment(work, greedy))
    if not same or greedy_largest is None:
        return
    if greedy_largest < smallest + TOLERANCE_TENTHS:
        built.model.add(built.largest <= greedy_largest)
    if greedy_largest < smallest:  # the solver ran out of time before finding as good
        stages.hint(greedy_counts)


def _assign(work: Queue, classes: CaseClasses, counts: Sequence[int]) -> Assignment:
    return cases_for_counts(classes, pl.Series(counts, dtype=pl.Int64), len(work.crns))


def _unplaced_score(work: Queue, classes: CaseClasses, counts: Sequence[int]) -> int:
    """What the cases the counts leave unplaced weigh (of those someone may be given)."""
    placed = (
        classes.options.select("class", given=pl.Series(counts, dtype=pl.Int64))
        .group_by("class")
        .agg(pl.col("given").sum())
    )
    left = classes.sizes.join(placed, on="class").select(
        "points_centi", left=pl.col("size") - pl.col("given")
    )
    return sum(unplaced_weight(work, centi) * cases for centi, cases in left.rows())
