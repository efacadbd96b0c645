"""Rebalancing a unit: the fewest moves of allocated cases that bring everyone to the target.

Objectives, in order (allocation.md): make the largest capacity in the unit at or under the
target (default 110 %), or where that is impossible as small as possible; then move as few
cases as possible. A case moves only to someone who may be given it; a case given in the last
28 days, or locked by a manager, stays where it is. Figures are the engine's, computed again
once the moves are chosen.

The model counts, for each class of interchangeable movable cases (the same points and the
same owners allowed them), how many each owner sends and how many each receives, each
class's sent equal to its received (`_Flows`): a PDU of 100 practitioners holding 3,000
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
from wmt.engine.tables import CASES_SCHEMA, OWNER_KEY, conform
from wmt.engine.workload import weighted_case_points
from wmt.planning.cpsat import ONE_WORKER, SolverStatus, Stages, capacity_tenths_variable
from wmt.planning.plan import percent, points

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
    workers: int = ONE_WORKER,
) -> Rebalance:
    """The moves for a unit: `held` is its allocated cases, `owners` its owners' figures."""
    started = time.perf_counter()
    rules = rules or default_eligibility_rules()
    everyone = _indexed(unit_owners(owners, rules, on), "owner")
    if everyone.filter(pl.col("capacity_tenths") > int(target * 10)).is_empty():
        # Everyone is at or under the target already: no move is the answer.
        return _result(pl.DataFrame(schema=_MOVE_SCHEMA), everyone, SolverStatus.OPTIMAL, 0.0)
    movable = _indexed(movable_cases(held, owners, config, on), "case")
    allowed = _allowed(movable, owners, everyone, config, rules, on)
    destinations = allowed.filter(pl.col("to_owner") != pl.col("from_owner"))
    flows = _flows(allowed, destinations)
    model = cp_model.CpModel()
    built = _FlowModel.build(model, flows, max_moves)
    largest = _largest_capacity(model, built.changes, everyone, int(target * 10))
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


@dataclass(frozen=True)
class _Flows:
    """The movable cases in classes of interchangeable ones: the same points and the same
    owners allowed them. A rebalance need only say how many of each class each owner sends
    and receives; which cases move is chosen afterwards (`moves_for_counts`).

    Cases held by one owner in one class are many moves but one variable, and the cases of a
    class are received as a count: thousands of cases held in a PDU become a few thousand
    counts instead of a Boolean for every case and every owner it could go to."""

    members: pl.DataFrame  # case, crn, points_centi, from_owner, class
    sent: pl.DataFrame  # from_owner, class, points_centi, size: who may send how many
    received: pl.DataFrame  # class, to_owner, points_centi, size: who may be given a class

    def counts(self, moves: pl.DataFrame) -> list[int]:
        """The counts of a set of moves (case, from_owner, to_owner), in decision order."""
        classed = moves.join(self.members.select("case", "class"), on="case")
        out = classed.group_by("from_owner", "class").agg(given=pl.len().cast(pl.Int64))
        into = classed.group_by("class", "to_owner").agg(given=pl.len().cast(pl.Int64))
        sent = self.sent.join(out, on=["from_owner", "class"], how="left")["given"]
        received = self.received.join(into, on=["class", "to_owner"], how="left")["given"]
        return pl.concat([sent, received]).fill_null(0).to_list()

    def moves_for_counts(self, values: list[int]) -> pl.DataFrame:
        """The moves (crn, case, points_centi, from_owner, to_owner) of counts in decision
        order: within a class, what an owner would both send and receive stays; the others
        send their cases in CRN order to the receivers in owner order."""
        sent = self.sent.select("from_owner", "class", out=pl.Series(values[: self.sent.height]))
        received = self.received.select(
            "class", owner="to_owner", into=pl.Series(values[self.sent.height :])
        )
        net = (
            sent.rename({"from_owner": "owner"})
            .join(received, on=["owner", "class"], how="full", coalesce=True)
            .with_columns(net=pl.col("out").fill_null(0) - pl.col("into").fill_null(0))
        )
        sending = (
            self.members.join(
                net.select("class", "net", from_owner="owner"), on=["from_owner", "class"]
            )
            .with_columns(
                rank=pl.col("crn").rank("ordinal").over("from_owner", "class").cast(pl.Int64)
            )
            .filter(pl.col("rank") <= pl.col("net"))
            .sort("class", "from_owner", "crn")
            .with_columns(position=pl.int_range(pl.len()).over("class").cast(pl.Int64))
        )
        slots = (
            net.filter(pl.col("net") < 0)
            .sort("class", "owner")
            .with_columns(end=(-pl.col("net")).cum_sum().over("class"))
            .with_columns(start=pl.col("end") + pl.col("net"))
            .select("class", "start", to_owner="owner")
            .sort("start")
        )
        return (
            sending.sort("position")
            .join_asof(
                slots,
                left_on="position",
                right_on="start",
                by="class",
                strategy="backward",
                check_sortedness=False,  # sorted by start, as each class's slots are
            )
            .select(list(_MOVE_SCHEMA))
            .sort("case")
        )


def _flows(allowed: pl.DataFrame, destinations: pl.DataFrame) -> _Flows:
    """Group the cases that may move by their points and every owner allowed them."""
    can_move = destinations.select("case").unique()
    per_case = (
        allowed.join(can_move, on="case")
        .group_by("case", "crn", "points_centi", "from_owner")
        .agg(owners=pl.col("to_owner").sort().cast(pl.String).str.join(","))
    )
    keys = (
        per_case.select("points_centi", "owners")
        .unique()
        .sort("points_centi", "owners", descending=[True, False])
        .with_row_index("class")
        .with_columns(pl.col("class").cast(pl.Int64))
    )
    members = per_case.join(keys, on=["points_centi", "owners"]).drop("owners").sort("case")
    size = pl.len().cast(pl.Int64).alias("size")
    sent = (
        members.group_by("from_owner", "class")
        .agg(pl.col("points_centi").first(), size)
        .sort("from_owner", "class")
    )
    class_sizes = members.group_by("class").agg(pl.col("points_centi").first(), size)
    received = (
        allowed.join(members.select("case", "class"), on="case")
        .select("class", "to_owner")
        .unique()
        .join(class_sizes, on="class")
        .sort("class", "to_owner")
    )
    return _Flows(members=members, sent=sent, received=received)


@dataclass(frozen=True)
class _FlowModel:
    decisions: list[cp_model.IntVar]  # how many each owner sends of a class, then receives
    moves: cp_model.LinearExprT
    changes: dict[int, list[tuple[cp_model.IntVar, int, int]]]  # owner: count, points, most

    @classmethod
    def build(cls, model: cp_model.CpModel, flows: _Flows, max_moves: int | None) -> _FlowModel:
        """Each class's cases sent are the cases received; at most `max_moves` sent."""
        changes: dict[int, list[tuple[cp_model.IntVar, int, int]]] = {}
        by_class: dict[int, list[cp_model.LinearExprT]] = {}
        sent: list[cp_model.IntVar] = []
        for owner, group, centi, size in flows.sent.iter_rows():
            count = model.new_int_var(0, size, "")
            sent.append(count)
            changes.setdefault(owner, []).append((count, -centi, size))
            by_class.setdefault(group, []).append(count)
        received: list[cp_model.IntVar] = []
        for group, owner, centi, size in flows.received.iter_rows():
            count = model.new_int_var(0, size, "")
            received.append(count)
            changes.setdefault(owner, []).append((count, centi, size))
            by_class.setdefault(group, []).append(-count)
        for flow in by_class.values():
            model.add(cp_model.LinearExpr.sum(flow) == 0)
        moves = cp_model.LinearExpr.sum(sent)
        if max_moves is not None:
            model.add(moves <= max_moves)
        return cls(decisions=[*sent, *received], moves=moves, changes=changes)


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


def _largest_capacity(
    model: cp_model.CpModel,
    changes: dict[int, list[tuple[cp_model.IntVar, int, int]]],
    everyone: pl.DataFrame,
    target_tenths: int,
) -> cp_model.IntVar:
    """A variable at least the target and every owner's capacity after the moves."""
    largest = model.new_int_var(target_tenths, 10**9, "largest")
    for owner, base, available, tenths in everyone.select(
        "owner", "base_centi", "available_points", "capacity_tenths"
    ).iter_rows():
        counts = changes.get(owner, [])
        if available <= 0 or not counts:  # capacity fixed by the engine's figure
            model.add(largest >= tenths)
            continue
        load = base + cp_model.LinearExpr.weighted_sum(
            [count for count, _, _ in counts], [centi for _, centi, _ in counts]
        )
        low = base + sum(centi * most for _, centi, most in counts if centi < 0)
        high = base + sum(centi * most for _, centi, most in counts if centi > 0)
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
