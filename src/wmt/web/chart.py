"""The geometry of the capacity-over-time chart: scales, ticks and points, drawn as SVG.

Pure arithmetic with no knowledge of the store or of HTML, so every position can be tested.
The x axis is proportional to time, so a missing week shows as a longer step.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from wmt.domain.thresholds import Thresholds, percent_text

WIDTH = 720
HEIGHT = 360
MARGIN_LEFT = 60
MARGIN_RIGHT = 70  # room for the labels of the overload line and the band
MARGIN_TOP = 16
MARGIN_BOTTOM = 44
DATE_LABEL_WIDTH = 84  # pixels one "20 Nov 2026" label needs, with a gap
MOST_PERCENT_TICKS = 8
PERCENT_STEPS = (10, 20, 25, 50, 100, 200, 250, 500, 1000)
# Dashes and point shapes tell lines apart without colour.
DASHES = ("", "8 4", "2 4", "12 4 2 4")
SHAPES = ("circle", "square", "diamond", "triangle")


@dataclass(frozen=True)
class Reading:
    """One figure to plot: capacity on a snapshot date."""

    as_of: date
    percent: Decimal


@dataclass(frozen=True)
class Tick:
    position: float  # pixels along the axis
    label: str


@dataclass(frozen=True)
class Point:
    as_of: date
    percent: Decimal
    x: float
    y: float


@dataclass(frozen=True)
class Line:
    label: str
    points: tuple[Point, ...]
    path: str  # SVG path data through the points, in date order
    dash: str
    shape: str


@dataclass(frozen=True)
class Band:
    """The band between the underload and overload thresholds, and the overload line, over
    the dates one points configuration was in force."""

    left: float
    right: float
    top: float  # y of the overload threshold: the band's upper edge and the line
    bottom: float  # y of the underload threshold


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    band_top: float  # y of the newest band's upper edge (the overload threshold, 110 %)
    band_bottom: float  # y of the newest band's lower edge (the underload threshold, 90 %)
    band_label: str
    line_y: float  # y of the newest overload line
    line_label: str
    bands: tuple[Band, ...]  # one for each run of dates under the same thresholds
    lines: tuple[Line, ...]
    summary: str


def linear(low: float, high: float, start: float, end: float) -> Callable[[float], float]:
    """Map [low, high] onto [start, end]; a single value goes to the middle."""
    if high == low:
        middle = (start + end) / 2
        return lambda _: middle
    ratio = (end - start) / (high - low)
    return lambda value: start + (value - low) * ratio


def percent_step(top: float) -> int:
    """The smallest round step that keeps the axis from 0 to top to a few ticks."""
    for step in PERCENT_STEPS:
        if math.ceil(top / step) <= MOST_PERCENT_TICKS:
            return step
    return math.ceil(top / MOST_PERCENT_TICKS / 1000) * 1000


def percent_axis(highest: float, at_least: float) -> tuple[int, int]:
    """The top of the percentage axis and its step: a round number at or above both."""
    wanted = max(highest, at_least, 1.0)
    step = percent_step(wanted)
    return math.ceil(wanted / step) * step, step


def date_label(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def date_ticks(
    days: Sequence[date], x: Callable[[float], float], space: float = DATE_LABEL_WIDTH
) -> tuple[Tick, ...]:
    """Snapshot dates to label, first and last always, none closer than `space` pixels."""
    unique = sorted(set(days))
    if not unique:
        return ()
    chosen = [unique[0]]
    for day in unique[1:]:
        if x(day.toordinal()) - x(chosen[-1].toordinal()) >= space:
            chosen.append(day)
    last = unique[-1]
    if chosen[-1] != last:
        if len(chosen) > 1 and x(last.toordinal()) - x(chosen[-1].toordinal()) < space:
            chosen.pop()
        chosen.append(last)
    return tuple(Tick(round(x(day.toordinal()), 1), date_label(day)) for day in chosen)


def _path(points: Sequence[Point]) -> str:
    return " ".join(
        f"{'M' if i == 0 else 'L'}{point.x:.1f} {point.y:.1f}" for i, point in enumerate(points)
    )


def _percent(value: Decimal) -> str:
    return f"{value} %"


def describe(label: str, readings: Sequence[Reading]) -> str:
    """What the line shows, in words: its span, first and last figures and highest point."""
    ordered = sorted(readings, key=lambda reading: reading.as_of)
    if not ordered:
        return f"{label}: no figures."
    first, last = ordered[0], ordered[-1]
    if len(ordered) == 1:
        return f"{label}: {_percent(first.percent)} on {date_label(first.as_of)}, one snapshot."
    highest = max(ordered, key=lambda reading: reading.percent)
    return (
        f"{label}: {len(ordered)} snapshots from {date_label(first.as_of)} to "
        f"{date_label(last.as_of)}; {_percent(first.percent)} at first, "
        f"{_percent(last.percent)} at last, highest {_percent(highest.percent)} "
        f"on {date_label(highest.as_of)}."
    )


def _runs(
    days: Sequence[date], held: Mapping[date, Thresholds], newest: Thresholds
) -> list[tuple[date | None, Thresholds]]:
    """The first date of each run of dates under the same thresholds, and those thresholds."""
    runs: list[tuple[date | None, Thresholds]] = []
    for day in sorted(set(days)):
        thresholds = held.get(day, newest)
        if not runs or runs[-1][1] != thresholds:
            runs.append((day, thresholds))
    return runs or [(None, newest)]


def _bands(
    runs: Sequence[tuple[date | None, Thresholds]],
    x: Callable[[float], float],
    y: Callable[[float], float],
    left: float,
    right: float,
) -> tuple[Band, ...]:
    """Each run's band, from its first date to the next run's (the first from the left edge,
    the last to the right)."""
    starts = [x(day.toordinal()) for day, _ in runs[1:] if day is not None]
    edges = [left, *starts, right]
    return tuple(
        Band(
            round(edges[index], 1),
            round(edges[index + 1], 1),
            round(y(float(thresholds.overload_percent)), 1),
            round(y(float(thresholds.underload_percent)), 1),
        )
        for index, (_, thresholds) in enumerate(runs)
    )


def capacity_chart(
    lines: Mapping[str, Sequence[Reading]],
    *,
    thresholds: Thresholds | None = None,
    held: Mapping[date, Thresholds] | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Chart:
    """A chart of capacity per snapshot date: one line per label, the band between the
    underload and overload thresholds, and a line at the overload threshold.

    Each date's band is that of the thresholds `held` on it, if given; the labels are those
    of `thresholds`, the newest date's.
    """
    thresholds = thresholds or Thresholds()
    low, high = thresholds.underload_percent, thresholds.overload_percent
    left, right = float(MARGIN_LEFT), float(width - MARGIN_RIGHT)
    top, bottom = float(MARGIN_TOP), float(height - MARGIN_BOTTOM)
    readings = [reading for line in lines.values() for reading in line]
    days = [reading.as_of.toordinal() for reading in readings]
    x = linear(min(days, default=0), max(days, default=0), left, right)
    runs = _runs([reading.as_of for reading in readings], held or {}, thresholds)
    widest = max(max(t.underload_percent, t.overload_percent) for _, t in runs)
    highest = max((float(reading.percent) for reading in readings), default=0.0)
    axis_top, step = percent_axis(highest, at_least=float(max(low, high, widest)) + 10)
    y = linear(0, axis_top, bottom, top)
    drawn = []
    for index, (label, line) in enumerate(lines.items()):
        ordered = sorted(line, key=lambda reading: reading.as_of)
        points = tuple(
            Point(
                r.as_of, r.percent, round(x(r.as_of.toordinal()), 1), round(y(float(r.percent)), 1)
            )
            for r in ordered
        )
        drawn.append(
            Line(
                label,
                points,
                _path(points),
                DASHES[index % len(DASHES)],
                SHAPES[index % len(SHAPES)],
            )
        )
    return Chart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        x_ticks=date_ticks([reading.as_of for reading in readings], x),
        y_ticks=tuple(
            Tick(round(y(value), 1), f"{value} %") for value in range(0, axis_top + 1, step)
        ),
        band_top=round(y(float(high)), 1),
        band_bottom=round(y(float(low)), 1),
        band_label=f"{percent_text(low)}–{percent_text(high)} %",
        line_y=round(y(float(high)), 1),
        line_label=f"{percent_text(high)} %",
        bands=_bands(runs, x, y, left, right),
        lines=tuple(drawn),
        summary=" ".join(describe(label, line) for label, line in lines.items()),
    )
