"""Which reductions count on a date: the one rule, as a polars expression.

A reduction is in force on a date when it is not deleted, has started on or before the date,
and has no end or ends on or after it (both days included). The domain states the same rule
for one reduction at a time (`domain.reductions.reduction_status`); a test holds the two to
each other.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar

import polars as pl

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)


def in_force_on(on: date) -> pl.Expr:
    """True for the rows of a reductions table that count on the date."""
    return (
        ~pl.col("deleted")
        & (pl.col("start_date") <= on)
        & (pl.col("end_date").is_null() | (pl.col("end_date") >= on))
    )


def reductions_in_force(reductions: Frame, on: date) -> Frame:
    """The reductions that count on the date, in start order."""
    return reductions.filter(in_force_on(on)).sort("start_date", maintain_order=True)
