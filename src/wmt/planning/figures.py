"""The figures a plan reports, by the engine's arithmetic: every taker's capacity before and
after the cases a plan gives them, and the percentages and points as exact decimals."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from wmt.engine.allocation import after_adding
from wmt.planning.placing import Assignment, CaseClasses, Queue

_GIVEN_SCHEMA = {"taker": pl.Int64, "points_centi": pl.Int64}


def given_by_assignment(work: Queue, assignment: Assignment) -> pl.DataFrame:
    """taker, points_centi: one row per case the assignment places."""
    placed = [(taker, int(work.points_centi[case])) for case, taker in enumerate(assignment)]
    return pl.DataFrame(
        [(taker, centi) for taker, centi in placed if taker is not None],
        schema=_GIVEN_SCHEMA,
        orient="row",
    )


def given_by_counts(classes: CaseClasses, counts: Sequence[int]) -> pl.DataFrame:
    """taker, points_centi: one row per class and taker given some of it, with their points.
    The same totals as the assignment the counts make, without choosing the cases."""
    return (
        classes.options.select(
            "taker",
            points_centi=pl.col("points_centi") * pl.Series(counts, dtype=pl.Int64),
            given=pl.Series(counts, dtype=pl.Int64) > 0,
        )
        .filter("given")
        .drop("given")
    )


def figures_after(work: Queue, given: pl.DataFrame) -> pl.DataFrame:
    """Every taker's capacity before and after being given these points (`given`: taker,
    points_centi), by the engine's arithmetic; `given` says whether they were given any."""
    added = given.group_by("taker").agg(
        pl.col("points_centi").sum().alias("added_centi"), given=pl.lit(True)
    )
    return (
        work.takers.join(added, on="taker", how="left")
        .with_columns(pl.col("added_centi").fill_null(0), pl.col("given").fill_null(False))
        .with_columns(after_adding(pl.col("added_centi")))
        .sort("taker")
    )


def largest_given(work: Queue, given: pl.DataFrame) -> int | None:
    """The largest capacity after, in tenths, among those given cases."""
    figures = figures_after(work, given).filter(pl.col("given"))
    return None if figures.is_empty() else int(figures["capacity_after_tenths"].max())  # type: ignore[arg-type]
