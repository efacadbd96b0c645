"""A unit's queue as choices: who may take which case, and a simple rule that places them.

The simple rule (largest case first, to the eligible person it leaves least loaded) gives a
first plan that the solver starts from, and a bound it must not do worse than. The cases
are also grouped into classes of interchangeable ones, which the solver counts, and a lower
bound on the largest capacity is found by water-filling (both explained in `plan.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

import numpy as np
import polars as pl

from wmt.domain.eligibility import EligibilityRules
from wmt.domain.points import PointsConfiguration
from wmt.engine.allocation import case_points_centi, ceiling_headroom_centi, pairs, unit_owners
from wmt.engine.arithmetic import capacity_tenths, round_centi_half_up
from wmt.engine.tables import OWNER_KEY


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


@dataclass(frozen=True)
class CaseClasses:
    """The queue's cases in classes of interchangeable ones: the same points and the same
    takers allowed. A plan need only say how many of each class go to each taker; which of
    them is chosen afterwards, continuity first (`cases_for_counts`)."""

    members: pl.DataFrame  # case, class, previous_taker (the taker it would stay with, or null)
    options: pl.DataFrame  # class, taker, size, points_centi, kept_most: one row per pairing

    @property
    def sizes(self) -> pl.DataFrame:
        """class, size, points_centi: one row per class, in class order."""
        return self.options.select("class", "size", "points_centi").unique("class").sort("class")


def case_classes(work: Queue) -> CaseClasses:
    """Group the cases someone may be given by their points and the takers allowed them."""
    points = pl.DataFrame(
        {"case": range(len(work.crns)), "points_centi": work.points_centi},
        schema={"case": pl.Int64, "points_centi": pl.Int64},
    )
    members = (
        work.choices.group_by("case")
        .agg(
            takers=pl.col("taker").sort().cast(pl.String).str.join(","),
            previous_taker=pl.col("taker").filter(pl.col("continuity")).first(),
        )
        .join(points, on="case")
    )
    members = with_class(members, "takers")
    size = pl.len().cast(pl.Int64).alias("size")
    kept = (
        members.filter(pl.col("previous_taker").is_not_null())
        .group_by("class", taker="previous_taker")
        .agg(kept_most=pl.len().cast(pl.Int64))
    )
    options = (
        work.choices.join(members.select("case", "class"), on="case")
        .group_by("class", "taker")
        .agg()
        .join(members.group_by("class").agg(size, pl.col("points_centi").first()), on="class")
        .join(kept, on=["class", "taker"], how="left")
        .with_columns(pl.col("kept_most").fill_null(0))
        .sort("class", "taker")
    )
    return CaseClasses(members=members.select("case", "class", "previous_taker"), options=options)


def with_class(per_case: pl.DataFrame, allowed: str) -> pl.DataFrame:
    """Each case's class (`class`): one number for each pairing of points and who may be
    given the case (the column `allowed`), largest points first; in case order."""
    keys = (
        per_case.select("points_centi", allowed)
        .unique()
        .sort("points_centi", allowed, descending=[True, False])
        .with_row_index("class")
        .with_columns(pl.col("class").cast(pl.Int64))
    )
    return per_case.join(keys, on=["points_centi", allowed]).sort("case")


def cases_for_counts(classes: CaseClasses, given: pl.Series, cases: int) -> Assignment:
    """Which cases a plan of counts (`given`: per row of the options, how many of that class
    go to that taker) gives to whom: each taker first the cases they held before, then the
    class's other cases in queue order, to takers in order."""
    counts = classes.options.select("class", "taker", given=given.cast(pl.Int64))
    members = classes.members.with_columns(
        rank=pl.col("case").rank("ordinal").over("class", "previous_taker").cast(pl.Int64)
    )
    kept = (
        members.join(
            counts, left_on=["class", "previous_taker"], right_on=["class", "taker"], how="left"
        )
        .filter(pl.col("rank") <= pl.col("given"))
        .select("case", taker="previous_taker")
    )
    kept_counts = (
        kept.join(classes.members.select("case", "class"), on="case")
        .group_by("class", "taker")
        .agg(kept=pl.len().cast(pl.Int64))
    )
    open_slots = (
        counts.join(kept_counts, on=["class", "taker"], how="left")
        .with_columns(slots=pl.col("given") - pl.col("kept").fill_null(0))
        .filter(pl.col("slots") > 0)
        .sort("class", "taker")
        .with_columns(end=pl.col("slots").cum_sum().over("class"))
        .with_columns(start=pl.col("end") - pl.col("slots"))
    )
    rest = (
        classes.members.join(kept, on="case", how="anti")
        .sort("case")
        .with_columns(position=pl.col("case").rank("ordinal").over("class").cast(pl.Int64) - 1)
        .sort("position")
        .join_asof(
            open_slots.select("class", "taker", "start", "end").sort("start"),
            left_on="position",
            right_on="start",
            by="class",
            strategy="backward",
            check_sortedness=False,  # sorted by start, as each class's slots are
        )
        .filter(pl.col("position") < pl.col("end"))
        .select("case", "taker")
    )
    placed = pl.concat([kept, rest])
    chosen = np.full(cases, -1, dtype=np.int64)
    chosen[placed["case"].to_numpy()] = placed["taker"].to_numpy()
    return [None if taker < 0 else int(taker) for taker in chosen]


def lower_bound_tenths(work: Queue, classes: CaseClasses, placed_centi: int | None) -> int | None:
    """A lower bound on the largest capacity after, in tenths, among those a plan gives cases
    to: water-filling, cases treated as divisible (a relaxation, so a true bound).

    When every case someone may take is placed, each set of takers must absorb the cases
    allowed no one else, so each class's takers give a bound; otherwise only the points
    placed (`placed_centi`) over everyone do.
    """
    per_class = classes.options.group_by("class").agg("taker", pl.col("points_centi").first())
    sizes = classes.sizes.select("class", "size")
    every = per_class.join(sizes, on="class").with_columns(
        total=pl.col("points_centi") * pl.col("size")
    )
    groups = [(frozenset(takers), total) for takers, total in every.select("taker", "total").rows()]
    if placed_centi is not None:
        everyone = frozenset().union(*(takers for takers, _ in groups))
        return _water_tenths(work, everyone, placed_centi) if everyone else None
    bounds = [
        _water_tenths(work, takers, sum(total for inner, total in groups if inner <= takers))
        for takers in {takers for takers, _ in groups}
    ]
    return max(bounds, default=None)


def _water_tenths(work: Queue, takers: frozenset[int], total_centi: int) -> int:
    """The least capacity, in tenths, that someone given a case must reach when `total_centi`
    points go to these takers alone.

    The water level L (points per available point) is the least over every set T of takers
    of (total + T's points) / T's available points; the lowest loaded prefix reaches it. Some
    taker given cases ends at L or above (else the takers would hold less than the total),
    and the engine's rounding never lowers a capacity as points rise.
    """
    chosen = np.fromiter(sorted(takers), dtype=np.int64)  # `taker` is the row of `takers`
    base = work.takers["base_centi"].to_numpy().astype(np.int64)[chosen]
    available = work.takers["available_points"].to_numpy().astype(np.int64)[chosen]
    order = np.argsort(base / available, kind="stable")
    held = total_centi + np.cumsum(base[order])
    room = np.cumsum(available[order])
    level = min(Fraction(int(n), int(d)) for n, d in zip(held, room, strict=True))
    least_load = -(-(level.numerator * available) // level.denominator)
    reached = pl.DataFrame({"load": least_load, "available": available}).select(
        capacity_tenths(round_centi_half_up(pl.col("load")), pl.col("available"))
    )
    return int(reached.to_series().min())  # type: ignore[arg-type]
