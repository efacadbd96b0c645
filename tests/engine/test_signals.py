"""Sustained overload and the other signals, on real weekly sequences of figures."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta

import polars as pl
import pytest

from wmt.domain.points import default_points_configuration, to_document
from wmt.domain.points_document import from_document
from wmt.domain.signals import SIGNALS
from wmt.domain.thresholds import Thresholds
from wmt.engine.signals import all_signals, out_of_date
from wmt.errors import InputRejected

ON = date(2026, 11, 20)
THRESHOLDS = Thresholds()
NO_REDUCTIONS = pl.DataFrame(
    schema={"staff_code": pl.String, "team_code": pl.String, "reason": pl.String}
)


def weekly(capacities: list[float | None], staff: str = "S1") -> tuple[pl.DataFrame, list[date]]:
    """One snapshot a week ending on ON, oldest first; None leaves that week out."""
    weeks = len(capacities)
    rows, dates = [], []
    for index, capacity in enumerate(capacities):
        if capacity is None:
            continue
        as_of = ON - timedelta(weeks=weeks - 1 - index)
        dates.append(as_of)
        rows.append(
            {
                "as_of": as_of,
                "staff_code": staff,
                "team_code": "T1",
                "grade": "PO",
                "caseload": 30,
                "contracted_hours_centi": 3700,
                "available_points": 2176,
                "capacity_tenths": round(capacity * 10),
            }
        )
    return pl.DataFrame(rows), dates


def flagged(capacities: list[float | None]) -> pl.DataFrame:
    history, dates = weekly(capacities)
    signals = all_signals(history, dates, NO_REDUCTIONS, ON, THRESHOLDS)
    return signals.filter(pl.col("signal") == "sustained overload")


def test_over_110_for_exactly_four_weekly_snapshots_is_flagged() -> None:
    found = flagged([100.0, 111.0, 115.0, 112.5, 130.0])
    assert found["staff_code"].to_list() == ["S1"]
    assert found["detail"][0] == (
        "over 110 % in all 4 snapshots from 2026-10-30 to 2026-11-20; 130.0 % now"
    )


def test_over_110_for_three_weekly_snapshots_is_not_flagged() -> None:
    assert flagged([100.0, 100.0, 111.0, 115.0, 130.0]).is_empty()


def test_a_missing_week_breaks_the_run_and_is_reported_as_a_gap() -> None:
    history, dates = weekly([111.0, 115.0, None, 112.0, 130.0])
    signals = all_signals(history, dates, NO_REDUCTIONS, ON, THRESHOLDS)
    assert signals.filter(pl.col("signal") == "sustained overload").is_empty()
    gaps = signals.filter(pl.col("signal") == "snapshot gap")
    assert gaps["detail"].to_list() == [
        "no snapshot between 2026-10-30 and 2026-11-13: sustained overload cannot be judged "
        "across this gap"
    ]


def test_a_dip_to_exactly_110_breaks_the_run() -> None:
    assert flagged([120.0, 111.0, 110.0, 112.0, 130.0]).is_empty()


def test_snapshots_more_often_than_weekly_must_all_be_over() -> None:
    history, dates = weekly([111.0] * 4)
    midweek = history.head(1).with_columns(
        pl.lit(ON - timedelta(days=3)).alias("as_of"),
        pl.lit(1050, pl.Int64).alias("capacity_tenths"),
    )
    signals = all_signals(
        pl.concat([history, midweek]),
        [*dates, ON - timedelta(days=3)],
        NO_REDUCTIONS,
        ON,
        THRESHOLDS,
    )
    assert signals.filter(pl.col("signal") == "sustained overload").is_empty()


def _today(rows: list[dict[str, object]]) -> pl.DataFrame:
    base = {
        "as_of": ON,
        "team_code": "T1",
        "grade": "PO",
        "caseload": 30,
        "contracted_hours_centi": 3700,
        "available_points": 2176,
        "capacity_tenths": 1000,
    }
    return pl.DataFrame([{**base, **row} for row in rows])


def test_signals_on_the_day() -> None:
    today = _today(
        [
            {"staff_code": "SEVERE", "capacity_tenths": 1201},
            {"staff_code": "EDGE", "capacity_tenths": 1200},
            {"staff_code": "RISK", "caseload": 50},
            {"staff_code": "PARTTIME", "caseload": 30, "contracted_hours_centi": 1850},  # 60 FTE
            {"staff_code": "TOOMANY", "caseload": 61},
            {"staff_code": "NQO", "capacity_tenths": 1001},
        ]
    )
    reductions = pl.DataFrame(
        [{"staff_code": "NQO", "team_code": "T1", "reason": "Newly qualified officer (NQO)"}]
    )
    signals = all_signals(today, [ON], reductions, ON, THRESHOLDS)
    by_signal = {
        name: sorted(group["staff_code"].to_list())
        for (name,), group in signals.group_by("signal")
        if name != "snapshot gap"
    }
    assert by_signal == {
        "severe overload": ["SEVERE"],
        "caseload at risk": ["PARTTIME", "RISK"],
        "caseload unreasonable": ["TOOMANY"],
        "protected caseload breached": ["NQO"],
    }
    part_time = signals.filter(pl.col("staff_code") == "PARTTIME")["detail"][0]
    assert part_time == "30 cases on 18.5 contracted hours: 60.0 full-time equivalent"


def test_team_imbalance_reports_range_and_interquartile_range() -> None:
    today = _today(
        [
            {"staff_code": f"S{n}", "capacity_tenths": tenths}
            for n, tenths in enumerate([800, 950, 1000, 1050, 1300])
        ]
    )
    signals = all_signals(today, [ON], NO_REDUCTIONS, ON, THRESHOLDS)
    imbalance = signals.filter(pl.col("signal") == "team imbalance").to_dicts()
    assert imbalance[0]["detail"] == (
        "5 practitioners from 80.0 % to 130.0 % (range 50.0, interquartile range 10.0)"
    )
    balanced = _today(
        [{"staff_code": "A", "capacity_tenths": 1000}, {"staff_code": "B", "capacity_tenths": 1100}]
    )
    assert (
        all_signals(balanced, [ON], NO_REDUCTIONS, ON, THRESHOLDS)
        .filter(pl.col("signal") == "team imbalance")
        .is_empty()
    )


def test_figures_are_out_of_date_only_past_the_threshold() -> None:
    allowed = THRESHOLDS.stale_snapshot_days
    assert allowed == 3
    assert out_of_date(ON, ON + timedelta(days=allowed), allowed).is_empty()
    [signal] = out_of_date(ON, ON + timedelta(days=allowed + 1), allowed).to_dicts()
    assert signal == {
        "signal": "figures out of date",
        "staff_code": None,
        "team_code": None,
        "value": "4",
        "threshold": "3 days",
        "detail": "the newest snapshot is of 2026-11-20, 4 days before 2026-11-24: check that "
        "the nightly import is running and not refused",
    }
    assert out_of_date(ON, ON + timedelta(days=30), 31).is_empty()


def test_the_out_of_date_signal_is_declared_with_its_threshold() -> None:
    [declared] = [signal for signal in SIGNALS if signal.code == "figures out of date"]
    assert declared.applies_to == "national"
    assert declared.rule.format(**asdict(THRESHOLDS)) == (
        "the newest snapshot is more than 3 days old"
    )
    document = {**to_document(default_points_configuration())}
    document["thresholds"] = {**document["thresholds"], "stale_snapshot_days": 7}
    assert from_document(document).thresholds.stale_snapshot_days == 7
    document["thresholds"]["stale_snapshot_days"] = 0
    with pytest.raises(InputRejected, match=r"thresholds\.stale_snapshot_days: 0 is not valid"):
        from_document(document)
    del document["thresholds"]["stale_snapshot_days"]  # a version from before it: the default
    assert from_document(document).thresholds.stale_snapshot_days == 3


def test_signals_are_counted_in_total_and_per_child_in_the_order_they_are_defined() -> None:
    from wmt.domain.signals import OUT_OF_DATE, SIGNALS, SNAPSHOT_GAP
    from wmt.engine.signals import SIGNAL_COLUMNS, count_signals

    first, second = SIGNALS[0].code, SIGNALS[1].code
    rows = [
        (second, "S1", "T1"),
        (first, "S2", "T2"),
        (second, "S3", "T2"),
        (SNAPSHOT_GAP, None, None),
        (OUT_OF_DATE, None, None),
        (first, "S4", "T9"),  # a team in no unit here
    ]
    found = pl.DataFrame(
        [
            dict(zip(SIGNAL_COLUMNS, (name, staff, team, None, None, ""), strict=True))
            for name, staff, team in rows
        ],
        schema=dict.fromkeys(SIGNAL_COLUMNS, pl.String),
    )
    child_of = pl.DataFrame({"team_code": ["T1", "T2"], "child_code": ["P1", "P2"]})
    totals, by_child = count_signals(found, child_of)
    order = [definition.code for definition in SIGNALS]
    assert totals.rows() == sorted(
        [(first, 2), (second, 2), (SNAPSHOT_GAP, 1)], key=lambda row: order.index(row[0])
    )
    assert sorted(by_child.rows()) == sorted(
        [("P2", first, 1), ("P1", second, 1), ("P2", second, 1)]
    )
    _, by_staff = count_signals(found, None)
    assert sorted(by_staff.rows()) == sorted(
        [("S1", second, 1), ("S2", first, 1), ("S3", second, 1), ("S4", first, 1)]
    )
