"""Thresholds for the management signals and the capacity bands: data, versioned with the
points configuration, so a page shows the bands in force on the date it shows."""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal


@dataclass(frozen=True)
class Thresholds:
    """The numbers inspectors and the Ministry use to judge workload (wmt-model.md)."""

    underload_percent: Decimal = Decimal(90)  # capacity below this is spare time
    overload_percent: Decimal = Decimal(110)  # excessive: over this …
    overload_weeks: int = 4  # … in every snapshot for this many consecutive weeks
    snapshot_gap_days: int = 7  # a longer gap between snapshots breaks a run
    severe_overload_percent: Decimal = Decimal(120)
    caseload_risk_cases: int = 50  # quality of delivery falls (full-time equivalent)
    caseload_unreasonable_cases: int = 60  # not reasonable: over this many
    full_time_hours: Decimal = Decimal(37)
    protected_capacity_percent: Decimal = Decimal(100)  # NQOs and PQiPs should stay under
    team_range_percent: Decimal = Decimal(40)  # imbalance: highest minus lowest above this
    team_iqr_percent: Decimal = Decimal(20)  # … or interquartile range above this
    stale_snapshot_days: int = 3  # figures older than this: has the nightly import stopped?


# Valid ranges when editing: (low, high, whole number only).
THRESHOLD_RANGES: dict[str, tuple[Decimal, Decimal, bool]] = {
    "underload_percent": (Decimal(0), Decimal(999), False),
    "overload_percent": (Decimal(0), Decimal(999), False),
    "overload_weeks": (Decimal(1), Decimal(52), True),
    "snapshot_gap_days": (Decimal(1), Decimal(31), True),
    "severe_overload_percent": (Decimal(0), Decimal(999), False),
    "caseload_risk_cases": (Decimal(1), Decimal(999), True),
    "caseload_unreasonable_cases": (Decimal(1), Decimal(999), True),
    "full_time_hours": (Decimal(1), Decimal("37.5"), False),
    "protected_capacity_percent": (Decimal(0), Decimal(999), False),
    "team_range_percent": (Decimal(0), Decimal(999), False),
    "team_iqr_percent": (Decimal(0), Decimal(999), False),
    "stale_snapshot_days": (Decimal(1), Decimal(365), True),
}
THRESHOLD_NAMES: tuple[str, ...] = tuple(field.name for field in fields(Thresholds))


def percent_text(value: Decimal) -> str:
    """A threshold as a person writes it: 110, 105.5 (never 1.1E+2)."""
    return format(value.normalize(), "f")


# The capacity bands, lowest first: a key for the page's style, and when a figure is in it.
BANDS = ("under", "comfortable", "overload", "severe")


def capacity_band(percent: Decimal, thresholds: Thresholds) -> str:
    """The band a capacity falls in: over the severe or the overload threshold, at or above
    the underload one, or under it."""
    if percent > thresholds.severe_overload_percent:
        return "severe"
    if percent > thresholds.overload_percent:
        return "overload"
    if percent >= thresholds.underload_percent:
        return "comfortable"
    return "under"


def band_words(thresholds: Thresholds) -> dict[str, str]:
    """Each band named in words, lowest first: under 90 %, 90 to 110 %, over 110 %, …"""
    under = percent_text(thresholds.underload_percent)
    over = percent_text(thresholds.overload_percent)
    severe = percent_text(thresholds.severe_overload_percent)
    return {
        "under": f"under {under} %",
        "comfortable": f"{under} to {over} %",
        "overload": f"over {over} %",
        "severe": f"over {severe} %",
    }
