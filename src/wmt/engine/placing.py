"""A unit's queue as choices: who may take which case, and a simple rule that places them.

The simple rule (largest case first, to the eligible person it leaves least loaded) gives a
first plan that the solver starts from, and a bound it must not do worse than.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import polars as pl

from wmt.domain.eligibility import EligibilityRules
from wmt.domain.points import PointsConfiguration
from wmt.engine.allocation import case_points_centi, ceiling_headroom_centi, pairs, unit_owners
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
