"""What the candidates pages show beside the figures after: how long each practitioner has
been over the overload threshold, and the reductions that give them time back soon."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from wmt.engine.allocation import reductions_ending_soon, snapshots_over_overload

WEEKS = [date(2026, 10, 30) + timedelta(weeks=n) for n in range(4)]  # to 2026-11-20
ON = WEEKS[-1]


def _history(capacities: dict[str, list[int | None]]) -> pl.DataFrame:
    """Each owner's capacity in tenths on each weekly snapshot; None: not in that snapshot."""
    rows = [
        {"staff_code": staff, "team_code": "T1", "as_of": on, "capacity_tenths": tenths}
        for staff, series in capacities.items()
        for on, tenths in zip(WEEKS, series, strict=True)
        if tenths is not None
    ]
    return pl.DataFrame(rows, schema_overrides={"capacity_tenths": pl.Int64})


def _lines(*tenths: int) -> pl.DataFrame:
    return pl.DataFrame({"as_of": WEEKS, "line_tenths": list(tenths)})


def _weeks(history: pl.DataFrame, lines: pl.DataFrame) -> dict[str, int]:
    found = snapshots_over_overload(history, lines)
    return dict(zip(found["staff_code"], found["weeks_over_overload"], strict=True))


def test_weeks_over_count_the_snapshots_in_a_row_up_to_the_newest() -> None:
    history = _history(
        {
            "OVER": [1200, 1150, 1120, 1111],  # over in all four
            "LATELY": [1200, 1000, 1150, 1120],  # under once, then over twice
            "AT_THE_LINE": [1100, 1100, 1100, 1100],  # at 110 % is not over it
            "UNDER_NOW": [1200, 1200, 1200, 900],
        }
    )
    assert _weeks(history, _lines(1100, 1100, 1100, 1100)) == {
        "OVER": 4,
        "LATELY": 2,
        "AT_THE_LINE": 0,
        "UNDER_NOW": 0,
    }


def test_a_snapshot_without_the_practitioner_ends_the_run() -> None:
    history = _history({"AWAY": [1200, None, 1200, 1200]})
    assert _weeks(history, _lines(1100, 1100, 1100, 1100)) == {"AWAY": 2}


def test_each_snapshot_is_held_to_the_threshold_in_force_on_its_date() -> None:
    history = _history({"S1": [1150, 1150, 1150, 1150]})
    assert _weeks(history, _lines(1100, 1100, 1200, 1100)) == {"S1": 1}


def _reduction(
    staff: str, start: date, end: date | None, *, deleted: bool = False
) -> dict[str, object]:
    return {
        "staff_code": staff,
        "team_code": "T1",
        "start_date": start,
        "end_date": end,
        "deleted": deleted,
    }


def test_reductions_ending_within_28_days_are_counted_with_the_first_end() -> None:
    start = date(2026, 9, 1)
    reductions = pl.DataFrame(
        [
            _reduction("SOON", start, ON + timedelta(days=28)),
            _reduction("SOON", start, ON + timedelta(days=3)),
            _reduction("LATER", start, ON + timedelta(days=29)),
            _reduction("OPEN", start, None),
            _reduction("ENDED", start, ON - timedelta(days=1)),
            _reduction("DELETED", start, ON + timedelta(days=3), deleted=True),
            _reduction("NOT_YET", ON + timedelta(days=1), ON + timedelta(days=10)),
        ]
    )
    found = reductions_ending_soon(reductions, ON)
    assert found.select("staff_code", "reductions_ending_soon", "first_reduction_end").rows() == [
        ("SOON", 2, ON + timedelta(days=3))
    ]
