"""Management signals over whole tables: who is overloaded, for how long, and where.

Inputs are the stored per-owner results for the snapshots in the look-back window, so the
figures are exactly those every other view shows.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import polars as pl

from wmt.domain.signals import OUT_OF_DATE, PROTECTED_REASONS, SIGNALS, SNAPSHOT_GAP
from wmt.domain.thresholds import Thresholds
from wmt.engine.tables import OWNER_KEY

SIGNAL_COLUMNS = ["signal", "staff_code", "team_code", "value", "threshold", "detail"]


def _signal(name: str, value: pl.Expr, threshold: str, detail: pl.Expr) -> list[pl.Expr]:
    return [
        pl.lit(name).alias("signal"),
        pl.col("staff_code"),
        pl.col("team_code"),
        value.round(1).cast(pl.String).alias("value"),
        pl.lit(threshold).alias("threshold"),
        detail.alias("detail"),
    ]


def _percent(tenths: str) -> pl.Expr:
    """Tenths of a percent as a percentage with one decimal place."""
    return (pl.col(tenths) / 10).round(1)


def _tenths(percent: object) -> int:
    return round(float(str(percent)) * 10)


def snapshot_gaps(dates: list[date], on: date, thresholds: Thresholds) -> list[tuple[date, date]]:
    """Gaps longer than allowed between snapshots in the look-back window (and its start)."""
    window_start = on - timedelta(weeks=thresholds.overload_weeks)
    inside = sorted(d for d in dates if window_start < d <= on)
    edges = [window_start, *inside]
    return [
        (earlier, later)
        for earlier, later in pairwise(edges)
        if (later - earlier).days > thresholds.snapshot_gap_days
    ]


def sustained_overload(
    history: pl.DataFrame, dates: list[date], on: date, thresholds: Thresholds
) -> pl.DataFrame:
    """Owners over the line in every snapshot of the window, when the window has no gap."""
    window_start = on - timedelta(weeks=thresholds.overload_weeks)
    inside = [d for d in dates if window_start < d <= on]
    if on not in inside or snapshot_gaps(dates, on, thresholds):
        return pl.DataFrame(schema=dict.fromkeys(SIGNAL_COLUMNS, pl.String))
    line = _tenths(thresholds.overload_percent)
    runs = (
        history.filter(pl.col("as_of").is_in(inside))
        .group_by(OWNER_KEY)
        .agg(
            pl.len().alias("snapshots"),
            (pl.col("capacity_tenths") > line).all().alias("always_over"),
            pl.col("capacity_tenths").sort_by("as_of").last().alias("latest"),
            pl.col("as_of").min().alias("since"),
        )
        .filter((pl.col("snapshots") == len(inside)) & pl.col("always_over"))
        .sort(OWNER_KEY)
    )
    return runs.select(
        _signal(
            "sustained overload",
            _percent("latest"),
            f"over {thresholds.overload_percent} % for {thresholds.overload_weeks} weeks",
            pl.format(
                "over {} % in all {} snapshots from {} to {}; {} % now",
                pl.lit(str(thresholds.overload_percent)),
                pl.col("snapshots"),
                pl.col("since"),
                pl.lit(on),
                _percent("latest"),
            ),
        )
    )


def full_time_equivalent_caseload(caseload: pl.Expr, thresholds: Thresholds) -> pl.Expr:
    """Cases scaled to full-time hours (to one decimal place); null without contracted hours."""
    return (
        pl.when(pl.col("contracted_hours_centi") > 0)
        .then(caseload * int(thresholds.full_time_hours * 100) / pl.col("contracted_hours_centi"))
        .otherwise(None)
        .round(1)
    )


def on_the_day(
    today: pl.DataFrame, reductions: pl.DataFrame, thresholds: Thresholds
) -> pl.DataFrame:
    """Signals that need only the date's own figures."""
    severe = today.filter(pl.col("capacity_tenths") > _tenths(thresholds.severe_overload_percent))
    fte = full_time_equivalent_caseload(pl.col("caseload"), thresholds)
    with_fte = today.with_columns(fte.alias("fte_caseload"))
    unreasonable = with_fte.filter(pl.col("fte_caseload") > thresholds.caseload_unreasonable_cases)
    at_risk = with_fte.filter(
        (pl.col("fte_caseload") >= thresholds.caseload_risk_cases)
        & (pl.col("fte_caseload") <= thresholds.caseload_unreasonable_cases)
    )
    protected = today.join(
        reductions.filter(pl.col("reason").is_in(PROTECTED_REASONS))
        .group_by(OWNER_KEY)
        .agg(pl.col("reason").first()),
        on=OWNER_KEY,
    ).filter(pl.col("capacity_tenths") > _tenths(thresholds.protected_capacity_percent))
    caseload_detail = pl.format(
        "{} cases on {} contracted hours: {} full-time equivalent",
        pl.col("caseload"),
        pl.col("contracted_hours_centi") / 100,
        pl.col("fte_caseload"),
    )
    return pl.concat(
        [
            severe.select(
                _signal(
                    "severe overload",
                    _percent("capacity_tenths"),
                    f"over {thresholds.severe_overload_percent} %",
                    pl.format("capacity {} %", _percent("capacity_tenths")),
                )
            ),
            unreasonable.select(
                _signal(
                    "caseload unreasonable",
                    pl.col("fte_caseload"),
                    f"over {thresholds.caseload_unreasonable_cases} cases",
                    caseload_detail,
                )
            ),
            at_risk.select(
                _signal(
                    "caseload at risk",
                    pl.col("fte_caseload"),
                    f"{thresholds.caseload_risk_cases} or more cases",
                    caseload_detail,
                )
            ),
            protected.select(
                _signal(
                    "protected caseload breached",
                    _percent("capacity_tenths"),
                    f"over {thresholds.protected_capacity_percent} %",
                    pl.format(
                        "capacity {} % while on {}",
                        _percent("capacity_tenths"),
                        pl.col("reason"),
                    ),
                )
            ),
        ]
    )


def team_imbalance(today: pl.DataFrame, thresholds: Thresholds) -> pl.DataFrame:
    """Teams whose practitioners' capacities are spread widely (those with time available)."""
    percent = _percent("capacity_tenths")
    spread = (
        today.filter(pl.col("available_points") > 0)
        .group_by("team_code")
        .agg(
            pl.len().alias("practitioners"),
            percent.max().alias("highest"),
            percent.min().alias("lowest"),
            (percent.quantile(0.75, "linear") - percent.quantile(0.25, "linear"))
            .round(1)
            .alias("iqr"),
        )
        .with_columns((pl.col("highest") - pl.col("lowest")).round(1).alias("range"))
        .filter(
            (pl.col("practitioners") >= 2)
            & (
                (pl.col("range") > float(thresholds.team_range_percent))
                | (pl.col("iqr") > float(thresholds.team_iqr_percent))
            )
        )
        .sort("team_code")
        .with_columns(pl.lit(None, pl.String).alias("staff_code"))
    )
    return spread.select(
        _signal(
            "team imbalance",
            pl.col("range"),
            f"range over {thresholds.team_range_percent} or IQR over {thresholds.team_iqr_percent}",
            pl.format(
                "{} practitioners from {} % to {} % (range {}, interquartile range {})",
                pl.col("practitioners"),
                pl.col("lowest"),
                pl.col("highest"),
                pl.col("range"),
                pl.col("iqr"),
            ),
        )
    )


def gap_signals(dates: list[date], on: date, thresholds: Thresholds) -> pl.DataFrame:
    rows = [
        {
            "signal": SNAPSHOT_GAP,
            "staff_code": None,
            "team_code": None,
            "value": str((later - earlier).days),
            "threshold": f"{thresholds.snapshot_gap_days} days",
            "detail": f"no snapshot between {earlier} and {later}: sustained overload cannot "
            "be judged across this gap",
        }
        for earlier, later in snapshot_gaps(dates, on, thresholds)
    ]
    return pl.DataFrame(rows, schema=dict.fromkeys(SIGNAL_COLUMNS, pl.String))


def out_of_date(newest: date, today: date, stale_after_days: int) -> pl.DataFrame:
    """A signal when the newest snapshot is more than `stale_after_days` old (the threshold
    in force today): the figures people act on may be days behind, because the nightly
    import stopped or keeps being refused."""
    age = (today - newest).days
    rows = []
    if age > stale_after_days:
        rows.append(
            {
                "signal": OUT_OF_DATE,
                "staff_code": None,
                "team_code": None,
                "value": str(age),
                "threshold": f"{stale_after_days} days",
                "detail": f"the newest snapshot is of {newest}, {age} days before {today}: "
                "check that the nightly import is running and not refused",
            }
        )
    return pl.DataFrame(rows, schema=dict.fromkeys(SIGNAL_COLUMNS, pl.String))


def all_signals(
    history: pl.DataFrame,
    dates: list[date],
    reductions: pl.DataFrame,
    on: date,
    thresholds: Thresholds,
) -> pl.DataFrame:
    """Every signal on the date. history: per-owner results for the snapshots in the window."""
    today = history.filter(pl.col("as_of") == on)
    frames = [
        gap_signals(dates, on, thresholds),
        sustained_overload(history, dates, on, thresholds),
        on_the_day(today, reductions, thresholds),
        team_imbalance(today, thresholds),
    ]
    return pl.concat([frame.select(SIGNAL_COLUMNS).cast(pl.String) for frame in frames])


def count_signals(
    signals: pl.DataFrame, child_of: pl.DataFrame | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """How many of each signal there are (figures out of date aside), in total and for each
    child one level down, in the order signals are defined.

    child_of maps team_code to child_code (the region, PDU or team each team lies in); None
    counts by staff code, for a team's practitioners. A signal about no team (a snapshot gap)
    counts in the total but for no child. Returns (signal, count) and (child_code, signal,
    count), each in order of first appearance once sorted by signal.
    """
    rank = {definition.code: place for place, definition in enumerate(SIGNALS)}
    rows = (
        signals.filter(pl.col("signal") != OUT_OF_DATE)
        .with_columns(
            rank=pl.col("signal").replace_strict(rank, default=len(rank), return_dtype=pl.Int64)
        )
        .sort("rank", maintain_order=True)
    )
    if child_of is None:
        rows = rows.with_columns(child_code=pl.col("staff_code"))
    else:
        rows = rows.join(child_of, on="team_code", how="left", maintain_order="left")
    totals = rows.group_by("signal", maintain_order=True).agg(count=pl.len())
    by_child = (
        rows.filter(pl.col("child_code").is_not_null())
        .group_by("child_code", "signal", maintain_order=True)
        .agg(count=pl.len())
    )
    return totals, by_child
