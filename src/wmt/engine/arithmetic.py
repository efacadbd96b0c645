"""The exact integer arithmetic of the model, as expressions over whole columns."""

from __future__ import annotations

from decimal import Decimal

import polars as pl


def capacity_tenths(total: pl.Expr, available: pl.Expr) -> pl.Expr:
    """100 x total / available in tenths of a percent, halves up; 0 when nothing is available."""
    return pl.when(available > 0).then((2000 * total + available) // (2 * available)).otherwise(0)


def round_centi_half_up(centi: pl.Expr) -> pl.Expr:
    """Hundredths of a point to whole points, halves up (also for negative totals)."""
    return (centi + 50) // 100


def available_points(
    target: pl.Expr, contracted_centi: pl.Expr, reduction_centi: pl.Expr, default_centi: pl.Expr
) -> pl.Expr:
    """floor(target x (contracted - reductions) / default hours), never below 0.

    0 when the grade is unsupported (no target), or its default hours or the contracted hours
    are 0.
    """
    computable = target.is_not_null() & (default_centi > 0) & (contracted_centi > 0)
    raw = target * (contracted_centi - reduction_centi) // default_centi
    return pl.when(computable).then(raw.clip(lower_bound=0)).otherwise(0)


def percent(tenths: int) -> Decimal:
    """Tenths of a percent, as the engine keeps capacity, as an exact percentage."""
    return Decimal(int(tenths)).scaleb(-1)


def points(centi: int) -> Decimal:
    """Hundredths of a point, as the engine keeps case points, as exact points."""
    return Decimal(int(centi)).scaleb(-2)
