"""Candidates' figures for a case: the engine's own numbers, in the reference's order."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.builders import ON, case, config_with, practitioner, snapshot, units
from tests.engine.test_properties import TEAMS, snapshots
from wmt.domain.cases import SCORED_TIERS, UNTIERED, CaseType
from wmt.domain.eligibility import default_eligibility_rules
from wmt.domain.points import default_points_configuration
from wmt.engine import calculate
from wmt.engine.allocation import allocated_in_last, candidates, ceiling_headroom_centi
from wmt.engine.arithmetic import capacity_tenths, round_centi_half_up

RULES = default_eligibility_rules()
# Inactive cases at part weight, so that points carry hundredths and rounding matters.
CONFIG = replace(
    default_points_configuration(),
    inactive_weighting={"warrant": 25, "unpaid_work": 50, "overdue_termination": 75},
)


def to_place(**columns: Any) -> pl.DataFrame:
    row = {"crn": "NEW", "case_type": "community", "tier": "C2", "t2a": False, **columns}
    return pl.DataFrame([row])


def test_the_worked_example_of_adding_a_case() -> None:
    config = config_with(target=1000, case_points={(CaseType.COMMUNITY, "A3"): 500})
    tables = snapshot(staff=[practitioner()], cases=[case("X1")])
    owners = calculate(tables, config, ON).owners
    row = candidates(to_place(case_type="custody", tier="B3"), owners, config, RULES, ON).row(
        0, named=True
    )
    assert (row["capacity_before_tenths"], row["capacity_after_tenths"]) == (500, 559)
    assert (row["caseload"], row["caseload_after"], row["points_centi"]) == (1, 2, 5900)


def test_eligible_first_then_continuity_then_capacity_after() -> None:
    tables = snapshot(
        staff=[
            practitioner("BUSY"),
            practitioner("FREE"),
            practitioner("PREV"),
            practitioner("SPO", grade="SPO"),
            practitioner("GONE"),
        ],
        cases=[case(f"B{n}", "BUSY") for n in range(3)]
        + [case(f"P{n}", "PREV") for n in range(6)]
        + [case("G1", "GONE")],
    )
    gone = tables.staff.with_columns(
        leave_date=pl.when(pl.col("staff_code") == "GONE").then(pl.lit(ON - timedelta(days=1)))
    )
    owners = calculate(replace(tables, staff=gone), CONFIG, ON).owners
    found = candidates(to_place(previous_staff_code="PREV"), owners, CONFIG, RULES, ON)
    assert found.select("staff_code", "eligible", "why_not", "continuity").rows() == [
        ("PREV", True, None, True),
        ("FREE", True, None, False),
        ("BUSY", True, None, False),
        ("SPO", False, "grade", False),  # no available points: 0 % after
        ("GONE", False, "left", False),
    ]


def test_caseload_per_full_time_equivalent_after() -> None:
    tables = snapshot(
        staff=[practitioner("HALF", hours="18.5")], cases=[case("X1", "HALF"), case("X2", "HALF")]
    )
    owners = calculate(tables, CONFIG, ON).owners
    row = candidates(to_place(), owners, CONFIG, RULES, ON).row(0, named=True)
    assert row["caseload_per_fte_after"] == 6.0


def test_cases_given_in_the_last_seven_days_are_counted() -> None:
    cases = pl.DataFrame(
        {
            "staff_code": ["S1", "S1", "S1", "S2", None],
            "team_code": ["T1"] * 5,
            "allocated_date": [ON, ON - timedelta(days=6), ON - timedelta(days=7), ON, ON],
        }
    )
    counted = allocated_in_last(cases, ON).sort("staff_code")
    assert counted.rows() == [("S1", "T1", 2), ("S2", "T1", 1)]


@settings(max_examples=20, deadline=None, derandomize=True)
@given(
    snapshots(),
    st.sampled_from([type.value for type in CaseType]),
    st.sampled_from([UNTIERED, *SCORED_TIERS]),
    st.booleans(),
    st.sampled_from(["warrant", "unpaid_work", "overdue_termination", None]),
    st.integers(min_value=0, max_value=7),
)
def test_capacity_after_is_the_engines_figure_with_the_case_added(
    data: dict[str, list[dict[str, Any]]],
    case_type: str,
    tier: str,
    t2a: bool,
    flag: str | None,
    which: int,
) -> None:
    tables = snapshot(units=units(*TEAMS), **data)
    owners = calculate(tables, CONFIG, ON).owners
    new = {"case_type": case_type, "tier": tier, "t2a": t2a, **({flag: True} if flag else {})}
    holder = data["staff"][which % len(data["staff"])]
    found = candidates(to_place(**new), owners, CONFIG, RULES, ON).filter(
        (pl.col("staff_code") == holder["staff_code"])
        & (pl.col("team_code") == holder["team_code"])
    )
    added = {
        **new,
        "crn": "NEW",
        "staff_code": holder["staff_code"],
        "team_code": holder["team_code"],
    }
    again = snapshot(units=units(*TEAMS), **{**data, "cases": [*data["cases"], added]})
    expected = (
        calculate(again, CONFIG, ON)
        .owners.filter(
            (pl.col("staff_code") == holder["staff_code"])
            & (pl.col("team_code") == holder["team_code"])
        )
        .select("total_points", "capacity_tenths", "caseload")
    )
    assert found.select("total_points_after", "capacity_after_tenths", "caseload_after").rows() == (
        expected.rows()
    )


@settings(max_examples=50, deadline=None, derandomize=True)
@given(st.integers(min_value=1, max_value=5000), st.integers(min_value=0, max_value=2000))
def test_headroom_is_the_most_points_at_or_under_the_ceiling(available: int, ceiling: int) -> None:
    frame = pl.DataFrame({"available_points": [available]}).with_columns(
        headroom=ceiling_headroom_centi(pl.col("available_points"), ceiling)
    )
    at, past = (
        frame.with_columns(centi=pl.col("headroom") + extra)
        .select(capacity_tenths(round_centi_half_up(pl.col("centi")), pl.col("available_points")))
        .item()
        for extra in (0, 1)
    )
    assert at <= ceiling < past
