"""The engine's rule for reductions in force on a date is the domain's rule, row for row."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from wmt.domain.reductions import in_force
from wmt.engine.reductions import in_force_on, reductions_in_force

ON = date(2026, 11, 20)
days = st.integers(min_value=-40, max_value=40).map(lambda n: ON + timedelta(days=n))
reduction = st.tuples(days, st.one_of(st.none(), days), st.booleans())


@settings(max_examples=80, deadline=None, derandomize=True)
@given(st.lists(reduction, max_size=12), days)
def test_the_engine_keeps_exactly_the_reductions_the_domain_says_are_in_force(
    rows: list[tuple[date, date | None, bool]], on: date
) -> None:
    frame = pl.DataFrame(
        rows,
        schema={"start_date": pl.Date, "end_date": pl.Date, "deleted": pl.Boolean},
        orient="row",
    )
    engine_says = frame.select(in_force_on(on)).to_series().to_list()
    assert engine_says == [in_force(start, end, on, deleted=gone) for start, end, gone in rows]


def test_a_reduction_counts_on_its_first_and_last_day_and_not_after() -> None:
    frame = pl.DataFrame(
        {
            "reason": ["ends today", "ended yesterday", "starts today", "starts tomorrow", "gone"],
            "start_date": [ON - timedelta(days=9), ON - timedelta(days=9), ON, ON, ON],
            "end_date": [ON, ON - timedelta(days=1), None, None, None],
            "deleted": [False, False, False, False, True],
        }
    )
    frame = frame.with_columns(
        start_date=pl.when(pl.col("reason") == "starts tomorrow")
        .then(pl.lit(ON + timedelta(days=1)))
        .otherwise(pl.col("start_date"))
    )
    kept = reductions_in_force(frame, ON)["reason"].to_list()
    assert kept == ["ends today", "starts today"]
