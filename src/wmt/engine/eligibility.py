"""Who may be given which case, as expressions over practitioners beside cases: the
eligibility rules of the domain (`domain/eligibility.py`) applied set-based."""

from __future__ import annotations

from datetime import date

import polars as pl

from wmt.domain.eligibility import ROSH_ORDER, EligibilityRules, NotEligible


def why_not_eligible(rules: EligibilityRules, on: date) -> pl.Expr:
    """Why the practitioner of each row may not be given the case of that row; null when they
    may.

    Reads `grade`, `leave_date` and `available_points` (the practitioner's) and `tier` and
    `rosh` (the case's) from a frame of practitioners beside cases.
    """
    allowed_pairs = [
        f"{grade.value}/{tier}" for grade, rule in rules.grades.items() for tier in rule.tiers
    ]
    highest = {
        grade.value: ROSH_ORDER.index(rule.highest_rosh) for grade, rule in rules.grades.items()
    }
    rank = {rosh.value: ROSH_ORDER.index(rosh) for rosh in ROSH_ORDER}
    grade_takes_tier = pl.concat_str(pl.col("grade"), pl.col("tier"), separator="/").is_in(
        allowed_pairs
    )
    case_rank = pl.col("rosh").replace_strict(rank, default=None, return_dtype=pl.Int64)
    grade_limit = pl.col("grade").replace_strict(highest, default=-1, return_dtype=pl.Int64)
    too_risky = (case_rank > grade_limit).fill_null(False)
    left = (pl.col("leave_date") <= on).fill_null(False)
    return (
        pl.when(left)
        .then(pl.lit(NotEligible.LEFT.value))
        .when(~grade_takes_tier.fill_null(False))
        .then(pl.lit(NotEligible.GRADE.value))
        .when(too_risky)
        .then(pl.lit(NotEligible.RISK.value))
        .when(~(pl.col("available_points") > 0).fill_null(False))
        .then(pl.lit(NotEligible.NO_AVAILABLE_TIME.value))
        .otherwise(pl.lit(None, pl.String))
        .alias("why_not")
    )


def may_take_new_cases(rules: EligibilityRules, on: date) -> pl.Expr:
    """Whether the practitioner of each row could be given some case: a grade that takes new
    cases, available points, and not left."""
    grades = [grade.value for grade in rules.grades if rules.takes_new_cases(grade)]
    return (
        pl.col("grade").is_in(grades).fill_null(False)
        & (pl.col("available_points") > 0).fill_null(False)
        & ~(pl.col("leave_date") <= on).fill_null(False)
    )
