"""The capacity chart's geometry: where every point, tick, band and line falls."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wmt.domain.thresholds import Thresholds
from wmt.web.chart import (
    DATE_LABEL_WIDTH,
    Reading,
    capacity_chart,
    date_ticks,
    describe,
    linear,
    percent_axis,
)

NOV = date(2026, 11, 20)


def weekly(*percents: str) -> list[Reading]:
    start = NOV - timedelta(weeks=len(percents) - 1)
    return [
        Reading(start + timedelta(weeks=i), Decimal(percent)) for i, percent in enumerate(percents)
    ]


def test_linear_maps_the_ends_of_the_domain_to_the_ends_of_the_range() -> None:
    y = linear(0, 200, 300, 100)
    assert (y(0), y(100), y(200)) == (300, 200, 100)


def test_a_single_value_goes_to_the_middle() -> None:
    assert linear(5, 5, 60, 660)(5) == 360


@pytest.mark.parametrize(
    ("highest", "top", "step"),
    [(0, 120, 20), (95.5, 120, 20), (121, 140, 20), (160.1, 175, 25), (207.2, 250, 50)],
)
def test_the_percentage_axis_reaches_a_round_number_above_the_highest(
    highest: float, top: int, step: int
) -> None:
    assert percent_axis(highest, at_least=120) == (top, step)


def test_the_band_and_the_overload_line_sit_at_their_percentages() -> None:
    chart = capacity_chart({"Team T1": weekly("90", "110")})
    low, high = chart.lines[0].points
    assert low.y == chart.band_bottom
    assert high.y == chart.band_top == chart.line_y
    assert chart.band_label == "90–110 %" and chart.line_label == "110 %"
    # Higher capacity is drawn higher up, and the axis starts at 0 on the bottom edge.
    assert high.y < low.y
    assert chart.y_ticks[0].label == "0 %" and chart.y_ticks[0].position == chart.bottom


def test_the_band_and_the_line_follow_the_thresholds_given() -> None:
    thresholds = Thresholds(underload_percent=Decimal(85), overload_percent=Decimal(105))
    chart = capacity_chart({"Team T1": weekly("85", "105")}, thresholds=thresholds)
    low, high = chart.lines[0].points
    assert (low.y, high.y) == (chart.band_bottom, chart.band_top)
    assert high.y == chart.line_y
    assert chart.band_label == "85–105 %" and chart.line_label == "105 %"


def test_time_runs_left_to_right_in_proportion() -> None:
    readings = [
        Reading(date(2026, 11, 1), Decimal("100")),
        Reading(date(2026, 11, 8), Decimal("100")),
        Reading(date(2026, 11, 22), Decimal("100")),
    ]
    first, second, third = capacity_chart({"Team T1": readings}).lines[0].points
    assert first.x == capacity_chart({"x": readings}).left
    assert third.x == capacity_chart({"x": readings}).right
    # A two-week gap is drawn twice as wide as a one-week step.
    assert third.x - second.x == pytest.approx(2 * (second.x - first.x), abs=0.2)


def test_the_line_joins_the_points_in_date_order() -> None:
    readings = weekly("95.0", "101.5", "99.0")
    chart = capacity_chart({"Team T1": list(reversed(readings))})
    points = chart.lines[0].points
    assert [p.as_of for p in points] == [r.as_of for r in readings]
    assert chart.lines[0].path == " ".join(
        f"{'M' if i == 0 else 'L'}{p.x:.1f} {p.y:.1f}" for i, p in enumerate(points)
    )


def test_one_snapshot_is_a_single_point_in_the_middle() -> None:
    chart = capacity_chart({"Team T1": weekly("80")})
    (point,) = chart.lines[0].points
    assert point.x == (chart.left + chart.right) / 2
    assert [tick.label for tick in chart.x_ticks] == ["20 Nov 2026"]
    assert chart.lines[0].path.startswith("M") and "L" not in chart.lines[0].path


def test_date_labels_never_crowd_and_keep_the_first_and_last() -> None:
    days = [date(2026, 1, 1) + timedelta(days=d) for d in range(0, 365, 7)]
    x = linear(days[0].toordinal(), days[-1].toordinal(), 60, 650)
    ticks = date_ticks(days, x)
    assert ticks[0].label == "1 Jan 2026" and ticks[-1].label == "31 Dec 2026"
    gaps = [b.position - a.position for a, b in pairwise(ticks)]
    assert min(gaps) >= DATE_LABEL_WIDTH - 0.1
    assert len(ticks) > 3


def test_the_summary_names_the_first_last_and_highest_figures() -> None:
    summary = describe("Team T1", weekly("95.0", "118.2", "104.4"))
    assert summary == (
        "Team T1: 3 snapshots from 6 Nov 2026 to 20 Nov 2026; 95.0 % at first, "
        "104.4 % at last, highest 118.2 % on 13 Nov 2026."
    )
    assert describe("Team T1", weekly("80.0")) == "Team T1: 80.0 % on 20 Nov 2026, one snapshot."


def test_lines_are_told_apart_without_colour() -> None:
    chart = capacity_chart({"In team T1": weekly("50", "60"), "In team T2": weekly("70", "80")})
    first, second = chart.lines
    assert first.dash != second.dash and first.shape != second.shape
    assert "In team T1" in chart.summary and "In team T2" in chart.summary


@given(
    st.lists(
        st.tuples(
            st.dates(date(2020, 1, 1), date(2030, 12, 31)),
            st.decimals(0, 2000, places=1, allow_nan=False, allow_infinity=False),
        ),
        min_size=1,
        max_size=60,
        unique_by=lambda reading: reading[0],
    )
)
def test_every_point_and_tick_lies_inside_the_plot(readings: list[tuple[date, Decimal]]) -> None:
    chart = capacity_chart({"x": [Reading(day, percent) for day, percent in readings]})
    for point in chart.lines[0].points:
        assert chart.left <= point.x <= chart.right
        assert chart.top <= point.y <= chart.bottom
    for tick in chart.x_ticks:
        assert chart.left <= tick.position <= chart.right
    assert chart.top <= chart.line_y <= chart.bottom
    assert len(chart.y_ticks) <= 9


def test_each_date_is_banded_by_the_thresholds_held_on_it() -> None:
    readings = weekly("90", "100", "105", "110")
    wider = Thresholds(underload_percent=Decimal(90), overload_percent=Decimal(110))
    narrower = Thresholds(underload_percent=Decimal(90), overload_percent=Decimal(105))
    held = {reading.as_of: wider for reading in readings[:2]}
    held |= {reading.as_of: narrower for reading in readings[2:]}
    chart = capacity_chart({"Team T1": readings}, thresholds=narrower, held=held)
    first, second = chart.bands
    points = chart.lines[0].points
    # The wider band runs from the left edge to the first date under the narrower one.
    assert (first.left, first.right, second.left, second.right) == (
        chart.left,
        points[2].x,
        points[2].x,
        chart.right,
    )
    assert first.bottom == second.bottom == points[0].y
    assert first.top == points[3].y and second.top == points[2].y
    # The labels are the newest date's.
    assert (chart.band_top, chart.line_label) == (second.top, "105 %")


def test_one_configuration_throughout_is_one_band_across_the_chart() -> None:
    readings = weekly("90", "110")
    chart = capacity_chart({"Team T1": readings}, held={r.as_of: Thresholds() for r in readings})
    (band,) = chart.bands
    assert (band.left, band.right, band.top, band.bottom) == (
        chart.left,
        chart.right,
        chart.band_top,
        chart.band_bottom,
    )
