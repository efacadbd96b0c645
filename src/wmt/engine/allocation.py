"""Each practitioner's figures before and after being given a case, set-based.

A case to place is scored by the engine's own case points (`weighted_case_points`) and the
practitioner's figures after taking it by the engine's own arithmetic: the same numbers a
calculation with that case added to that practitioner gives, never a second formula.

Owners are the engine's per-owner result rows (`calculate(...).owners`), optionally with
`allocated_last_7_days` and `allocated_last_30_days` (cases given to each in the last 7 and
30 days; 0 when absent).
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from wmt.domain.eligibility import EligibilityRules
from wmt.domain.points import WEIGHTED_FLAGS, PointsConfiguration
from wmt.engine.arithmetic import capacity_tenths, round_centi_half_up
from wmt.engine.eligibility import may_take_new_cases, why_not_eligible
from wmt.engine.reductions import in_force_on
from wmt.engine.signals import full_time_equivalent_caseload
from wmt.engine.tables import CASES_SCHEMA, OWNER_KEY, conform
from wmt.engine.workload import total_points_centi, weighted_case_points

RECENT_DAYS = 7
LATELY_DAYS = 30
ENDING_SOON_DAYS = 28  # a reduction ending within this many days gives time back soon
RECENT_COUNTS = [f"allocated_last_{days}_days" for days in (RECENT_DAYS, LATELY_DAYS)]

# What scores a case: its columns of the snapshot's cases table.
SCORED_CASE_COLUMNS = ("crn", "case_type", "tier", "t2a", *WEIGHTED_FLAGS)
# A case waiting for a practitioner: what scores it, what decides who may take it, and who
# held it last. Flags left out are not set.
CASE_TO_PLACE_SCHEMA = pl.Schema(
    [(name, CASES_SCHEMA[name]) for name in SCORED_CASE_COLUMNS]
    + [
        ("rosh", pl.String()),  # low, medium, high, very_high; null: not known
        ("previous_staff_code", pl.String()),
    ]
)
OWNER_COLUMNS = [
    *OWNER_KEY,
    "grade",
    "leave_date",
    "contracted_hours_centi",
    "caseload",
    "case_points_centi",
    "t2a_points_centi",
    "report_points",
    "contact_points",
    "total_points",
    "available_points",
    "capacity_tenths",
    *RECENT_COUNTS,
]
CANDIDATE_ORDER = ["eligible", "continuity", "capacity_after_tenths", *OWNER_KEY]


def cases_to_place(cases: pl.DataFrame) -> pl.DataFrame:
    """Cases in the shape the figures need, absent optional columns added as not set."""
    return conform(cases, CASE_TO_PLACE_SCHEMA)


def owners_for_allocation(owners: pl.DataFrame) -> pl.DataFrame:
    """The owners' columns the figures need; no cases given recently when that is not known."""
    unknown = [name for name in RECENT_COUNTS if name not in owners.columns]
    return owners.with_columns(pl.lit(0, pl.Int64).alias(name) for name in unknown).select(
        OWNER_COLUMNS
    )


def case_points_centi(cases: pl.DataFrame, config: PointsConfiguration) -> pl.DataFrame:
    """Each case to place with its points in hundredths, as the engine scores a held case."""
    holder = pl.lit("", pl.String)  # scored as if held: points do not depend on who holds it
    placed = cases_to_place(cases).lazy().with_columns(staff_code=holder)
    return weighted_case_points(placed, config).drop("points", "staff_code").collect()


def _scored_once(cases: pl.DataFrame, config: PointsConfiguration) -> pl.DataFrame:
    """Cases to place with their points: those given, else scored now."""
    if "points_centi" not in cases.columns:
        return case_points_centi(cases, config)
    return cases_to_place(cases).with_columns(cases["points_centi"])


def allocated_in_last(cases: pl.DataFrame, on: date, days: int = RECENT_DAYS) -> pl.DataFrame:
    """Cases given to each owner in the `days` up to and including the date."""
    recent = (pl.col("allocated_date") > on - timedelta(days=days)) & (
        pl.col("allocated_date") <= on
    )
    return (
        cases.filter(pl.col("staff_code").is_not_null() & recent)
        .group_by(OWNER_KEY)
        .agg(pl.len().cast(pl.Int64).alias(f"allocated_last_{days}_days"))
    )


def unit_owners(owners: pl.DataFrame, rules: EligibilityRules, on: date) -> pl.DataFrame:
    """The owners in staff code order, with their unrounded points in hundredths and whether
    they can take new cases at all."""
    return (
        owners_for_allocation(owners)
        .with_columns(
            base_centi=total_points_centi(), may_take_new_cases=may_take_new_cases(rules, on)
        )
        .sort(OWNER_KEY)
    )


def after_adding(points_centi: pl.Expr) -> list[pl.Expr]:
    """An owner's total points and capacity once points (in hundredths) are added to theirs,
    or taken away: the engine's rounding and capacity arithmetic."""
    total_after = round_centi_half_up(total_points_centi() + points_centi)
    return [
        total_after.alias("total_points_after"),
        capacity_tenths(total_after, pl.col("available_points")).alias("capacity_after_tenths"),
    ]


def ceiling_headroom_centi(available: pl.Expr, ceiling_tenths: int) -> pl.Expr:
    """The most points, in hundredths before rounding, an owner with points available can
    hold and stay at or under the ceiling: the inverse of `after_adding`'s arithmetic.

    capacity_tenths(t, a) <= C  <=>  2000 t + a < 2a (C + 1)  <=>  t <= (2aC + a - 1) // 2000,
    and round_centi_half_up(c) <= t  <=>  c <= 100 t + 49.
    """
    most_total = (2 * available * ceiling_tenths + available - 1) // 2000
    return 100 * most_total + 49


def pairs(
    cases: pl.DataFrame,
    owners: pl.DataFrame,
    config: PointsConfiguration,
    rules: EligibilityRules,
    on: date,
) -> pl.LazyFrame:
    """Every case beside every owner: the case's points, the owner's figures before and after
    taking it, whether they may and why not, and continuity. Each case is scored once, before
    it is set beside the owners (its points do not depend on who holds it); cases that
    already carry `points_centi` (the engine's) are not scored again."""
    scored = _scored_once(cases, config).lazy()
    crossed = scored.join(owners_for_allocation(owners).lazy(), how="cross")
    after = crossed.with_columns(
        *after_adding(pl.col("points_centi")),
        caseload_after=pl.col("caseload") + 1,
        why_not=why_not_eligible(rules, on),
        continuity=(pl.col("staff_code") == pl.col("previous_staff_code")).fill_null(False),
    )
    return after.with_columns(
        capacity_before_tenths=pl.col("capacity_tenths"),
        caseload_per_fte_after=full_time_equivalent_caseload(
            pl.col("caseload_after"), config.thresholds
        ),
        eligible=pl.col("why_not").is_null(),
    )


CANDIDATE_COLUMNS = [
    "crn",
    *OWNER_KEY,
    "grade",
    "eligible",
    "why_not",
    "continuity",
    "points_centi",
    "caseload",
    "caseload_after",
    "caseload_per_fte_after",
    "total_points",
    "total_points_after",
    "available_points",
    "capacity_before_tenths",
    "capacity_after_tenths",
    *RECENT_COUNTS,
]


def candidates(
    cases: pl.DataFrame,
    owners: pl.DataFrame,
    config: PointsConfiguration,
    rules: EligibilityRules,
    on: date,
) -> pl.DataFrame:
    """For each case, every owner as a candidate: eligible first, then continuity, then
    capacity after, lowest first."""
    return (
        pairs(cases, owners, config, rules, on)
        .select(CANDIDATE_COLUMNS)
        .sort(
            ["crn", *CANDIDATE_ORDER],
            descending=[False, True, True, False, False, False],
            maintain_order=True,
        )
        .collect()
    )


def snapshots_over_overload(history: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """For each owner, how many snapshots in a row, up to the newest, found them over the
    overload threshold in force on each snapshot's date (snapshots are weekly, so weeks).

    `history` holds each owner's `capacity_tenths` on each `as_of`; `lines` each snapshot date
    (`as_of`) with its threshold in tenths (`line_tenths`), newest included. A snapshot that
    does not hold the owner ends the run, as one that finds them at or under the line does.
    """
    owners = history.select(OWNER_KEY).unique()
    over = (
        owners.join(lines, how="cross")
        .join(
            history.select(*OWNER_KEY, "as_of", "capacity_tenths"),
            on=[*OWNER_KEY, "as_of"],
            how="left",
        )
        .with_columns(over=(pl.col("capacity_tenths") > pl.col("line_tenths")).fill_null(False))
    )
    return over.group_by(OWNER_KEY).agg(
        pl.col("over")
        .sort_by("as_of", descending=True)
        .cast(pl.Int64)
        .cum_min()
        .sum()
        .alias("weeks_over_overload")
    )


def reductions_ending_soon(
    reductions: pl.DataFrame, on: date, days: int = ENDING_SOON_DAYS
) -> pl.DataFrame:
    """For each owner, the reductions in force on the date that end within `days` of it, and
    the first of those ends: the time they will have back soon."""
    soon = in_force_on(on) & (pl.col("end_date") <= on + timedelta(days=days))
    return (
        reductions.filter(soon)
        .group_by(OWNER_KEY)
        .agg(
            pl.len().cast(pl.Int64).alias("reductions_ending_soon"),
            pl.col("end_date").min().alias("first_reduction_end"),
        )
    )
