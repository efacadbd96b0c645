"""Suggested plans: optimal on small queues, and never breaking the rules on any."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.builders import ON, case, config_with, practitioner, snapshot
from tests.planning.allocation_instances import (
    CONFIG,
    RULES,
    Instance,
    Outcome,
    all_plans,
    eligible_pairs,
    instances,
    outcome_of,
    tenths,
)
from wmt.engine import calculate
from wmt.engine.eligibility import may_take_new_cases
from wmt.planning.plan import Plan, UnplacedReason, greedy_plan, suggest_plan

ceilings = st.sampled_from([Decimal(110), Decimal(100), None])


def _plan(instance: Instance, ceiling: Decimal | None) -> Plan:
    return suggest_plan(
        instance.queued, instance.owners, CONFIG, ON, ceiling=ceiling, time_limit=5, workers=1
    )


def _greedy(instance: Instance, ceiling: Decimal | None) -> Plan:
    return greedy_plan(instance.queued, instance.owners, CONFIG, ON, ceiling=ceiling)


def _largest_given(plan: Plan) -> int | None:
    return max((tenths(a.capacity_after) or 0 for a in plan.allocations), default=None)


def _outcome(instance: Instance, plan: Plan) -> Outcome:
    placed = {a.crn: a.staff_code for a in plan.allocations}
    return outcome_of(instance, placed, _largest_given(plan))


@settings(max_examples=25, deadline=None, derandomize=True)
@given(instances(most_cases=6, most_people=4), ceilings)
def test_a_plan_is_the_best_of_every_possible_plan(
    instance: Instance, ceiling: Decimal | None
) -> None:
    _assert_best_of_every_possible_plan(instance, ceiling)


@settings(max_examples=6, deadline=None, derandomize=True)
@given(instances(most_cases=8, most_people=3, fewest_cases=8), ceilings)
def test_a_plan_for_eight_cases_is_the_best_of_every_possible_plan(
    instance: Instance, ceiling: Decimal | None
) -> None:
    _assert_best_of_every_possible_plan(instance, ceiling)


def _assert_best_of_every_possible_plan(instance: Instance, ceiling: Decimal | None) -> None:
    plan = _plan(instance, ceiling)
    assert plan.status == "optimal"
    got = _outcome(instance, plan)
    possible = [outcome for _, outcome in all_plans(instance, ceiling)]
    fewest_unplaced = min(outcome.unplaced for outcome in possible)
    assert got.unplaced == fewest_unplaced
    level = [outcome for outcome in possible if outcome.unplaced == fewest_unplaced]
    given_to = [o.largest_given for o in level if o.largest_given is not None]
    if not given_to:
        return
    before = max(instance.owners.filter(may_take_new_cases(RULES, ON))["capacity_tenths"])
    lower = tenths(plan.lower_bound)  # no plan placing as much has a smaller largest
    assert lower is not None and lower <= max(min(given_to), before)
    limit = min(given_to) + 1  # within 0.1 percentage point of the smallest largest …
    greedy = _outcome(instance, _greedy(instance, ceiling))
    if greedy.unplaced == fewest_unplaced and greedy.largest_given is not None:
        limit = min(limit, greedy.largest_given)  # … and never worse than the simple rule
    assert got.largest_given is not None and got.largest_given <= limit
    within = [o for o in level if o.largest_given is None or o.largest_given <= limit]
    most_kept = max(outcome.continuity for outcome in within)
    assert got.continuity == most_kept
    assert got.to_recent == min(o.to_recent for o in within if o.continuity == most_kept)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(instances(most_cases=8, most_people=4), ceilings)
def test_a_plan_keeps_the_rules_and_reports_the_engines_figures(
    instance: Instance, ceiling: Decimal | None
) -> None:
    plan = _plan(instance, ceiling)
    allowed = eligible_pairs(instance)
    assert all((a.crn, a.staff_code) in allowed for a in plan.allocations)
    if ceiling is not None:
        assert all(a.capacity_after <= ceiling for a in plan.allocations)
    assert {a.crn for a in plan.allocations} | {u.crn for u in plan.unplaced} == set(
        instance.queued["crn"]
    )
    after = _engine_after(instance, plan)
    assert all(a.capacity_after == after[a.staff_code] for a in plan.allocations)
    takers = instance.owners.filter(may_take_new_cases(RULES, ON))["staff_code"]
    assert plan.max_capacity_after == max((after[code] for code in takers), default=None)
    greedy = _greedy(instance, ceiling)
    if plan.max_capacity_after is not None:
        assert plan.lower_bound is not None
        assert plan.lower_bound <= plan.max_capacity_after
        if {u.crn for u in greedy.unplaced} == {u.crn for u in plan.unplaced}:
            assert greedy.max_capacity_after is not None
            assert plan.max_capacity_after <= greedy.max_capacity_after


def _engine_after(instance: Instance, plan: Plan) -> dict[str, Decimal]:
    """Every owner's capacity from the engine run again with the plan's cases added."""
    placed = pl.DataFrame(
        [{"crn": a.crn, "staff_code": a.staff_code} for a in plan.allocations],
        schema={"crn": pl.String, "staff_code": pl.String},
    )
    added = instance.queued.join(placed, on="crn").with_columns(team_code=pl.lit("T1"))
    cases = pl.concat([instance.tables.cases, added], how="diagonal_relaxed")
    tables = replace(instance.tables, cases=cases.select(instance.tables.cases.columns))
    owners = calculate(tables, CONFIG, ON).owners
    return {
        code: Decimal(value).scaleb(-1)
        for code, value in owners.select("staff_code", "capacity_tenths").rows()
    }


def test_cases_no_one_may_take_or_that_would_pass_the_ceiling_are_unplaced() -> None:
    config = config_with(target=100)
    held = [case("H1", "S1", tier="D2"), case("H2", "S1", tier="D1")]
    tables = snapshot(staff=[practitioner("S1", "PSO")], cases=held)
    owners = calculate(tables, config, ON).owners  # 70 of 100 points
    queued = pl.DataFrame(
        {
            "crn": ["BIG", "FITS", "A_TIER"],
            "case_type": ["community"] * 3,
            "tier": ["C2", "D1", "A3"],
            "t2a": [False] * 3,
        }
    )
    plan = suggest_plan(queued, owners, config, ON, time_limit=5, workers=1)
    assert [(a.crn, a.capacity_after) for a in plan.allocations] == [("FITS", Decimal("99.0"))]
    assert [(u.crn, u.points, u.reason) for u in plan.unplaced] == [
        ("BIG", Decimal("63.00"), UnplacedReason.OVER_CEILING),
        ("A_TIER", Decimal("206.00"), UnplacedReason.NO_ELIGIBLE_PRACTITIONER),
    ]
    assert plan.shortfall_officers == Decimal("2.69")  # (63 + 206) / 100
    assert (plan.max_capacity_after, plan.lower_bound) == (Decimal("99.0"), Decimal("99.0"))


def test_going_over_the_ceiling_when_allowed_places_every_eligible_case() -> None:
    config = config_with(target=100)
    tables = snapshot(staff=[practitioner("S1", "PO")])
    owners = calculate(tables, config, ON).owners
    queued = pl.DataFrame(
        {
            "crn": ["C1", "C2"],
            "case_type": ["community"] * 2,
            "tier": ["A3", "A3"],
            "t2a": [False] * 2,
        }
    )
    plan = suggest_plan(queued, owners, config, ON, ceiling=None, time_limit=5, workers=1)
    assert [a.capacity_after for a in plan.allocations] == [Decimal("412.0")] * 2
    assert plan.unplaced == ()
    assert plan.status == "optimal"
