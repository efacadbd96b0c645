"""Rebalancing: the fewest moves to the target, optimal on small units, within the rules."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.builders import ON, case, config_with, practitioner, snapshot
from tests.planning.allocation_instances import (
    CONFIG,
    RULES,
    Instance,
    capacities_after,
    instances,
    tenths,
)
from wmt.engine import calculate
from wmt.engine.allocation import candidates
from wmt.planning.rebalance import Rebalance, movable_cases, rebalance

targets = st.sampled_from([Decimal(110), Decimal(90), Decimal(60)])


def _rebalance(instance: Instance, target: Decimal, max_moves: int | None = None) -> Rebalance:
    return rebalance(
        instance.held,
        instance.owners,
        CONFIG,
        ON,
        target=target,
        max_moves=max_moves,
        time_limit=5,
        workers=1,
    )


def _settled_and_unlocked(instance: Instance) -> pl.DataFrame:
    settled = pl.col("allocated_date") <= ON - timedelta(days=28)
    return instance.held.filter(settled & ~pl.col("locked")).sort("crn")


def _destinations(instance: Instance) -> dict[str, list[str]]:
    """For each case that may move, the other owners who may be given it."""
    movable = _settled_and_unlocked(instance)
    eligible = candidates(movable, instance.owners, CONFIG, RULES, ON).filter(pl.col("eligible"))
    holder = dict(movable.select("crn", "staff_code").rows())
    return {
        crn: [
            code
            for c, code in eligible.select("crn", "staff_code").rows()
            if c == crn and code != holder[crn]
        ]
        for crn in movable["crn"]
    }


def _every_rebalance(instance: Instance, max_moves: int | None) -> list[tuple[int, int]]:
    """(largest capacity after in tenths, moves) of every possible set of moves."""
    owners = instance.owners
    codes = owners["staff_code"].to_list()
    movable = movable_cases(instance.held, owners, CONFIG, ON)
    points = dict(movable.select("crn", "points_centi").rows())
    holder = dict(movable.select("crn", "staff_code").rows())
    options = _destinations(instance)
    crns = sorted(options)
    combos = list(itertools.product(*([None, *options[crn]] for crn in crns)))
    added = np.zeros((len(combos), len(codes)), dtype=np.int64)
    for row, combo in enumerate(combos):
        for crn, to in zip(crns, combo, strict=True):
            if to is not None:
                added[row, codes.index(to)] += points[crn]
                added[row, codes.index(holder[crn])] -= points[crn]
    after = capacities_after(owners, added)
    found = [
        (int(after[row].max()), sum(to is not None for to in combo))
        for row, combo in enumerate(combos)
    ]
    return [(most, moves) for most, moves in found if max_moves is None or moves <= max_moves]


@settings(max_examples=25, deadline=None, derandomize=True)
@given(instances(most_cases=1, most_people=4), targets, st.sampled_from([None, 1, 2]))
def test_a_rebalance_is_the_best_of_every_possible_one(
    instance: Instance, target: Decimal, max_moves: int | None
) -> None:
    _assert_best_of_every_possible_rebalance(instance, target, max_moves)


@settings(max_examples=6, deadline=None, derandomize=True)
@given(
    instances(most_cases=1, most_people=3, most_held=8, fewest_held=8),
    targets,
    st.sampled_from([None, 2]),
)
def test_a_rebalance_of_eight_cases_is_the_best_of_every_possible_one(
    instance: Instance, target: Decimal, max_moves: int | None
) -> None:
    _assert_best_of_every_possible_rebalance(instance, target, max_moves)


def _assert_best_of_every_possible_rebalance(
    instance: Instance, target: Decimal, max_moves: int | None
) -> None:
    result = _rebalance(instance, target, max_moves)
    assert result.status == "optimal"
    line = int(target * 10)
    possible = [(max(most, line), moves) for most, moves in _every_rebalance(instance, max_moves)]
    best = min(possible)
    got = tenths(result.max_capacity_after)
    assert got is not None
    assert (max(got, line), len(result.moves)) == best


@settings(max_examples=20, deadline=None, derandomize=True)
@given(instances(most_cases=1, most_people=4), targets)
def test_a_rebalance_keeps_the_rules_and_reports_the_engines_figures(
    instance: Instance, target: Decimal
) -> None:
    result = _rebalance(instance, target)
    options = _destinations(instance)
    assert all(move.to_staff_code in options.get(move.crn, []) for move in result.moves)
    assert len({move.crn for move in result.moves}) == len(result.moves)
    moved = dict((move.crn, move.to_staff_code) for move in result.moves)
    cases = instance.tables.cases.with_columns(
        staff_code=pl.col("crn").replace_strict(moved, default=pl.col("staff_code"))
    )
    owners = calculate(replace(instance.tables, cases=cases), CONFIG, ON).owners
    after = {
        code: Decimal(v).scaleb(-1)
        for code, v in owners.select("staff_code", "capacity_tenths").rows()
    }
    before = {
        code: Decimal(v).scaleb(-1)
        for code, v in instance.owners.select("staff_code", "capacity_tenths").rows()
    }
    for move in result.moves:
        assert (move.from_capacity_before, move.from_capacity_after) == (
            before[move.from_staff_code],
            after[move.from_staff_code],
        )
        assert (move.to_capacity_before, move.to_capacity_after) == (
            before[move.to_staff_code],
            after[move.to_staff_code],
        )
    assert result.max_capacity_before == max(before.values())
    assert result.max_capacity_after == max(after.values())


def _percents(owners: pl.DataFrame) -> dict[str, Decimal]:
    rows = owners.select("staff_code", "capacity_tenths").rows()
    return {code: Decimal(value).scaleb(-1) for code, value in rows}


def test_recent_and_locked_cases_stay_and_the_fewest_cases_move() -> None:
    config = config_with(target=500)
    held = [
        case("OLD1", "BUSY", tier="B3") | {"allocated_date": ON - timedelta(days=40)},
        case("OLD2", "BUSY", tier="B3") | {"allocated_date": ON - timedelta(days=40)},
        case("OLD3", "BUSY", tier="D1") | {"allocated_date": ON - timedelta(days=40)},
        case("NEW", "BUSY", tier="A3") | {"allocated_date": ON - timedelta(days=3)},
        case("LOCKED", "BUSY", tier="A3") | {"allocated_date": ON - timedelta(days=90)},
    ]
    tables = snapshot(staff=[practitioner("BUSY"), practitioner("FREE")], cases=held)
    owners = calculate(tables, config, ON).owners  # BUSY 733 of 500 points: 146.6 %
    cases = tables.cases.with_columns(locked=pl.col("crn") == "LOCKED")
    result = rebalance(cases, owners, config, ON, time_limit=5, workers=1)
    assert [(m.crn, m.from_staff_code, m.to_staff_code, m.points) for m in result.moves] == [
        ("OLD1", "BUSY", "FREE", Decimal("146.00")),
        ("OLD2", "BUSY", "FREE", Decimal("146.00")),
    ]
    # One move would leave 117.4 %.
    assert (result.max_capacity_before, result.max_capacity_after) == (
        Decimal("146.6"),
        Decimal("88.2"),
    )
