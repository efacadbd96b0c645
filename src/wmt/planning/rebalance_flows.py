"""Counting the moves of a rebalance: the movable cases in classes of interchangeable ones, and
the CP-SAT model of how many of each class each owner sends and receives (`rebalance.py`)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from ortools.sat.python import cp_model

from wmt.planning.cpsat import capacity_tenths_variable
from wmt.planning.placing import with_class

MOVE_SCHEMA = {
    "crn": pl.String,
    "case": pl.Int64,
    "points_centi": pl.Int64,
    "from_owner": pl.Int64,
    "to_owner": pl.Int64,
}


@dataclass(frozen=True)
class Flows:
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
            .select(list(MOVE_SCHEMA))
            .sort("case")
        )


def flows_of(allowed: pl.DataFrame, destinations: pl.DataFrame) -> Flows:
    """Group the cases that may move by their points and every owner allowed them."""
    can_move = destinations.select("case").unique()
    per_case = (
        allowed.join(can_move, on="case")
        .group_by("case", "crn", "points_centi", "from_owner")
        .agg(owners=pl.col("to_owner").sort().cast(pl.String).str.join(","))
    )
    members = with_class(per_case, "owners").drop("owners")
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
    return Flows(members=members, sent=sent, received=received)


@dataclass(frozen=True)
class FlowModel:
    decisions: list[cp_model.IntVar]  # how many each owner sends of a class, then receives
    moves: cp_model.LinearExprT
    changes: dict[int, list[tuple[cp_model.IntVar, int, int]]]  # owner: count, points, most

    @classmethod
    def build(cls, model: cp_model.CpModel, flows: Flows, max_moves: int | None) -> FlowModel:
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


def largest_capacity(
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
