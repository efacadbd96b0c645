"""Rebalancing a unit: the fewest moves of allocated cases that bring everyone to the target.

Objectives, in order (allocation.md): make the largest capacity in the unit at or under the
target (default 110 %), or where that is impossible as small as possible; then move as few
cases as possible. A case moves only to someone who may be given it; a case given in the last
28 days, or locked by a manager, stays where it is. Figures are the engine's, computed again
once the moves are chosen.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import polars as pl
from ortools.sat.python import cp_model

from wmt.domain.eligibility import EligibilityRules, default_eligibility_rules
from wmt.domain.points import PointsConfiguration
from wmt.engine.allocation import (
    SCORED_CASE_COLUMNS,
    after_adding,
    ceiling_headroom_centi,
    pairs,
    unit_owners,
)
from wmt.engine.cpsat import SolverStatus, Stages, capacity_tenths_variable
from wmt.engine.plan import percent, points
from wmt.engine.tables import CASES_SCHEMA, OWNER_KEY, conform
from wmt.engine.workload import weighted_case_points

DEFAULT_TARGET = Decimal(110)
SETTLING_DAYS = 28  # a case given this recently is not moved

HELD_CASE_SCHEMA = pl.Schema(
    [(name, CASES_SCHEMA[name]) for name in (*SCORED_CASE_COLUMNS, *OWNER_KEY)]
    + [
        ("rosh", pl.String()),
        ("allocated_date", pl.Date()),
        ("locked", pl.Boolean()),  # a manager said it stays
    ]
)


@dataclass(frozen=True)
class Move:
    crn: str
    from_staff_code: str
    from_team_code: str
    to_staff_code: str
    to_team_code: str
    points: Decimal
    # Each practitioner's capacity before the rebalance and once every move is made.
    from_capacity_before: Decimal
    from_capacity_after: Decimal
    to_capacity_before: Decimal
    to_capacity_after: Decimal


@dataclass(frozen=True)
class Rebalance:
    moves: tuple[Move, ...]
    max_capacity_before: Decimal | None  # the largest in the unit; None without owners
    max_capacity_after: Decimal | None
    status: SolverStatus
    seconds: float


_MOVE_SCHEMA = {
    "crn": pl.String,
    "case": pl.Int64,
    "points_centi": pl.Int64,
    "from_owner": pl.Int64,
    "to_owner": pl.Int64,
}


def _indexed(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    return frame.with_row_index(name).with_columns(pl.col(name).cast(pl.Int64))


def movable_cases(
    held: pl.DataFrame, owners: pl.DataFrame, config: PointsConfiguration, on: date
) -> pl.DataFrame:
    """The unit's cases that may move, with their points in hundredths."""
    settled = (pl.col("allocated_date") <= on - timedelta(days=SETTLING_DAYS)).fill_null(True)
    cases = conform(held, HELD_CASE_SCHEMA).join(owners.select(OWNER_KEY), on=OWNER_KEY)
    return (
        weighted_case_points(cases.lazy(), config)
        .filter(settled & ~pl.col("locked"))
        .drop("points")
        .sort("crn")
        .collect()
    )


def rebalance(
    held: pl.DataFrame,
    owners: pl.DataFrame,
    config: PointsConfiguration,
    on: date,
    *,
    rules: EligibilityRules | None = None,
    target: Decimal = DEFAULT_TARGET,
    max_moves: int | None = None,
    time_limit: float = 10.0,
    workers: int = 2,
) -> Rebalance:
    """The moves for a unit: `held` is its allocated cases, `owners` its owners' figures."""
    started = time.perf_counter()
    rules = rules or default_eligibility_rules()
    everyone = _indexed(unit_owners(owners, rules, on), "owner")
    if everyone.filter(pl.col("capacity_tenths") > int(target * 10)).is_empty():
        # Everyone is at or under the target already: no move is the answer.
        return _result(pl.DataFrame(schema=_MOVE_SCHEMA), everyone, SolverStatus.OPTIMAL, 0.0)
    movable = _indexed(movable_cases(held, owners, config, on), "case")
    destinations = _destinations(movable, owners, everyone, config, rules, on)
    model = cp_model.CpModel()
    moves = [model.new_bool_var("") for _ in range(destinations.height)]
    _each_case_moves_once(model, moves, destinations, max_moves)
    largest = _largest_capacity(model, moves, destinations, movable, everyone, int(target * 10))
    first = greedy_moves(destinations, everyone, int(target * 10), max_moves)
    stages = Stages(model, moves, time_limit, workers)
    stages.hint(first)
    if stages.minimise(largest, share=0.7) is not None:
        stages.minimise(cp_model.LinearExpr.sum(moves), share=1.0)
    chosen = destinations.filter(
        pl.Series([bool(v) for v in stages.solution or []], dtype=pl.Boolean)
    )
    return _result(chosen, everyone, stages.status, time.perf_counter() - started)


def _destinations(
    movable: pl.DataFrame,
    owners: pl.DataFrame,
    everyone: pl.DataFrame,
    config: PointsConfiguration,
    rules: EligibilityRules,
    on: date,
) -> pl.DataFrame:
    """Each movable case beside each other owner who may be given it: case, from, to."""
    index = everyone.select(*OWNER_KEY, "owner")
    held_by = movable.join(index, on=OWNER_KEY).select(
        "crn", "case", "points_centi", from_owner="owner"
    )
    eligible = (
        pairs(movable, owners, config, rules, on)
        .filter(pl.col("eligible"))
        .select("crn", *OWNER_KEY)
        .collect()
        .join(index, on=OWNER_KEY)
        .select("crn", to_owner="owner")
    )
    return (
        held_by.join(eligible, on="crn")
        .filter(pl.col("to_owner") != pl.col("from_owner"))
        .sort("case", "to_owner")
    )


def greedy_moves(
    destinations: pl.DataFrame, everyone: pl.DataFrame, target_tenths: int, max_moves: int | None
) -> list[int]:
    """A first answer for the solver to improve on: from the most loaded person over the
    target down, move their largest cases, each to the eligible person it leaves least loaded
    who stays at or under the target, until they are at or under it too.

    One move at a time by nature: each depends on the loads the ones before it left.
    """
    owners = everyone.sort("owner").with_columns(
        headroom=ceiling_headroom_centi(pl.col("available_points"), target_tenths)
    )
    load = owners["base_centi"].to_numpy().copy()
    available = np.maximum(owners["available_points"].to_numpy(), 0)
    headroom = np.where(available > 0, owners["headroom"].to_numpy(), -1)
    by_case = (
        destinations.with_row_index("row")
        .group_by("case", "from_owner", "points_centi")
        .agg("row", "to_owner")
        .sort(["from_owner", "points_centi", "case"], descending=[False, True, False])
    )
    chosen = [0] * destinations.height
    moves = 0
    over = np.argsort(-load / np.maximum(available, 1), kind="stable")
    for owner in (o for o in over if available[o] > 0 and load[o] > headroom[o]):
        cases = by_case.filter(pl.col("from_owner") == owner)
        for centi, rows, to in cases.select("points_centi", "row", "to_owner").iter_rows():
            if load[owner] <= headroom[owner] or moves == max_moves:
                break
            targets = np.asarray(to)
            after = load[targets] + centi
            fits = np.flatnonzero(after <= headroom[targets])
            if fits.size == 0:
                continue
            best = fits[np.argmin(after[fits] / available[targets[fits]])]
            chosen[rows[best]] = 1
            load[targets[best]] += centi
            load[owner] -= centi
            moves += 1
    return chosen


def _each_case_moves_once(
    model: cp_model.CpModel,
    moves: list[cp_model.IntVar],
    destinations: pl.DataFrame,
    max_moves: int | None,
) -> None:
    by_case: dict[int, list[cp_model.IntVar]] = {}
    for move, case in zip(moves, destinations["case"], strict=True):
        by_case.setdefault(case, []).append(move)
    for options in by_case.values():
        model.add(cp_model.LinearExpr.sum(options) <= 1)
    if max_moves is not None:
        model.add(cp_model.LinearExpr.sum(moves) <= max_moves)


def _largest_capacity(
    model: cp_model.CpModel,
    moves: list[cp_model.IntVar],
    destinations: pl.DataFrame,
    movable: pl.DataFrame,
    everyone: pl.DataFrame,
    target_tenths: int,
) -> cp_model.IntVar:
    """A variable at least the target and every owner's capacity after the moves."""
    largest = model.new_int_var(target_tenths, 10**9, "largest")
    gains: dict[int, list[tuple[cp_model.IntVar, int]]] = {}
    for move, to, source, centi in zip(
        moves,
        destinations["to_owner"],
        destinations["from_owner"],
        destinations["points_centi"],
        strict=True,
    ):
        gains.setdefault(to, []).append((move, centi))
        gains.setdefault(source, []).append((move, -centi))
    for owner, base, available, tenths in everyone.select(
        "owner", "base_centi", "available_points", "capacity_tenths"
    ).iter_rows():
        changes = gains.get(owner, [])
        if available <= 0 or not changes:  # capacity fixed by the engine's figure
            model.add(largest >= tenths)
            continue
        load = base + cp_model.LinearExpr.weighted_sum(
            [move for move, _ in changes], [centi for _, centi in changes]
        )
        low = base + sum(centi for _, centi in changes if centi < 0)
        high = base + sum(centi for _, centi in changes if centi > 0)
        model.add(largest >= capacity_tenths_variable(model, load, available, low, high))
    return largest


def _result(
    chosen: pl.DataFrame, everyone: pl.DataFrame, status: SolverStatus, seconds: float
) -> Rebalance:
    """The chosen moves with every owner's figures after all of them, by the engine."""
    change = (
        pl.concat(
            [
                chosen.select(owner=pl.col("to_owner"), centi=pl.col("points_centi")),
                chosen.select(owner=pl.col("from_owner"), centi=-pl.col("points_centi")),
            ]
        )
        .group_by("owner")
        .agg(pl.col("centi").sum())
    )
    figures = (
        everyone.join(change, on="owner", how="left")
        .with_columns(pl.col("centi").fill_null(0))
        .with_columns(after_adding(pl.col("centi")))
        .sort("owner")
    )
    keys = figures.select(OWNER_KEY).rows()
    before = figures["capacity_tenths"].to_list()
    after = figures["capacity_after_tenths"].to_list()
    moves = tuple(
        Move(
            crn=crn,
            from_staff_code=keys[source][0],
            from_team_code=keys[source][1],
            to_staff_code=keys[to][0],
            to_team_code=keys[to][1],
            points=points(centi),
            from_capacity_before=percent(before[source]),
            from_capacity_after=percent(after[source]),
            to_capacity_before=percent(before[to]),
            to_capacity_after=percent(after[to]),
        )
        for crn, source, to, centi in chosen.select(
            "crn", "from_owner", "to_owner", "points_centi"
        ).iter_rows()
    )
    return Rebalance(
        moves=moves,
        max_capacity_before=None if not before else percent(max(before)),
        max_capacity_after=None if not after else percent(max(after)),
        status=status,
        seconds=seconds,
    )
