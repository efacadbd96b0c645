"""Rebalancing a unit: the fewest moves of allocated cases that bring everyone to the target.

Objectives, in order (allocation.md): make the largest capacity in the unit at or under the
target (default 110 %), or where that is impossible as small as possible; then move as few
cases as possible. A case moves only to someone who may be given it; a case given in the last
28 days, or locked by a manager, stays where it is. Figures are the engine's, computed again
once the moves are chosen.

The model counts, for each class of interchangeable movable cases (the same points and the
same owners allowed them), how many each owner sends and how many each receives, each
class's sent equal to its received (`rebalance_flows.py`): a PDU of 100 practitioners holding 3,000
movable cases is a few thousand counts, where a Boolean per case and owner it could go to
made a quarter of a million and took half a minute. The moves are chosen from the counts
afterwards, in CRN and owner order; what an owner would send and receive of one class stays.
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
from wmt.engine.arithmetic import percent, points
from wmt.engine.tables import CASES_SCHEMA, OWNER_KEY, conform
from wmt.engine.workload import weighted_case_points
from wmt.planning.cpsat import ONE_WORKER, SolverStatus, Stages
from wmt.planning.rebalance_flows import MOVE_SCHEMA, FlowModel, flows_of, largest_capacity

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
    workers: int = ONE_WORKER,
) -> Rebalance:
    """The moves for a unit: `held` is its allocated cases, `owners` its owners' figures."""
    started = time.perf_counter()
    rules = rules or default_eligibility_rules()
    everyone = _indexed(unit_owners(owners, rules, on), "owner")
    if everyone.filter(pl.col("capacity_tenths") > int(target * 10)).is_empty():
        # Everyone is at or under the target already: no move is the answer.
        return _result(pl.DataFrame(schema=MOVE_SCHEMA), everyone, SolverStatus.OPTIMAL, 0.0)
    movable = _indexed(movable_cases(held, owners, config, on), "case")
    allowed = _allowed(movable, owners, everyone, config, rules, on)
    destinations = allowed.filter(pl.col("to_owner") != pl.col("from_owner"))
    flows = flows_of(allowed, destinations)
    model = cp_model.CpModel()
    built = FlowModel.build(model, flows, max_moves)
    largest = largest_capacity(model, built.changes, everyone, int(target * 10))
    first = greedy_moves(destinations, everyone, int(target * 10), max_moves)
    stages = Stages(model, built.decisions, time_limit, workers, started=started)
    greedy = flows.counts(destinations.filter(pl.Series(first, dtype=pl.Int64) == 1))
    stages.hint(greedy)
    reached = stages.minimise(largest, share=0.7)
    if reached is not None:
        if reached[0] <= int(target * 10):  # a true bound, which lets the solver prove it best
            model.add(built.moves >= fewest_moves(flows.members, everyone, int(target * 10)))
            stages.hint(greedy)  # largest cases first: often the fewest moves, if it reaches
        stages.minimise(built.moves, share=1.0)
    chosen = flows.moves_for_counts(stages.solution or [0] * len(built.decisions))
    return _result(chosen, everyone, stages.status, time.perf_counter() - started)


def _allowed(
    movable: pl.DataFrame,
    owners: pl.DataFrame,
    everyone: pl.DataFrame,
    config: PointsConfiguration,
    rules: EligibilityRules,
    on: date,
) -> pl.DataFrame:
    """Each movable case beside each owner who may be given it (its holder too, if they may):
    case, from, to."""
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
    return held_by.join(eligible, on="crn").sort("case", "to_owner")


def fewest_moves(members: pl.DataFrame, everyone: pl.DataFrame, target_tenths: int) -> int:
    """At least this many moves bring everyone with points available to the target: each
    over it gives up cases, and giving up their largest first needs the fewest (a move to
    them only adds to what they must give up)."""
    most = everyone.select(
        from_owner="owner",
        base=pl.col("base_centi"),
        headroom=ceiling_headroom_centi(pl.col("available_points"), target_tenths),
        over=(pl.col("available_points") > 0) & (pl.col("capacity_tenths") > target_tenths),
    )
    given_up_before = pl.col("points_centi").cum_sum().over(
        "from_owner", order_by=["points_centi", "case"], descending=True
    ) - pl.col("points_centi")
    still_over = pl.col("base") - given_up_before > pl.col("headroom")
    return members.join(most.filter("over"), on="from_owner").filter(still_over).height


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
