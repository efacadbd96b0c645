from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from typing import Any

import polars as pl
import pytest

from wmt.domain.eligibility import (
    NotEligible,
    default_eligibility_rules,
    from_document,
    to_document,
)
from wmt.domain.grades import Grade
from wmt.engine.eligibility import may_take_new_cases, why_not_eligible
from wmt.errors import InputRejected

ON = date(2026, 11, 20)
RULES = default_eligibility_rules()


def why_not(
    grade: str,
    tier: str,
    rosh: str | None = None,
    *,
    available: int = 2176,
    leave_date: date | None = None,
) -> str | None:
    frame = pl.DataFrame(
        {
            "grade": [grade],
            "tier": [tier],
            "rosh": [rosh],
            "available_points": [available],
            "leave_date": [leave_date],
        },
        schema={
            "grade": pl.String,
            "tier": pl.String,
            "rosh": pl.String,
            "available_points": pl.Int64,
            "leave_date": pl.Date,
        },
    )
    answer: str | None = frame.select(why_not_eligible(RULES, ON)).item()
    return answer


@pytest.mark.parametrize(
    ("grade", "tier", "rosh", "expected"),
    [
        ("PO", "A3", "very_high", None),
        ("PO", "untiered", None, None),
        ("PQiP", "B3", "high", None),
        ("PQiP", "A0", "low", NotEligible.GRADE),
        ("PQiP", "A2S", None, NotEligible.GRADE),
        ("PQiP", "C1", "very_high", NotEligible.RISK),
        ("PSO", "C3", "medium", None),
        ("PSO", "D0S", None, None),
        ("PSO", "untiered", "low", None),
        ("PSO", "B0", "low", NotEligible.GRADE),
        ("PSO", "B1S", None, NotEligible.GRADE),
        ("PSO", "D2", "high", NotEligible.RISK),
        ("SPO", "D0", "low", NotEligible.GRADE),
        ("none", "D0", "low", NotEligible.GRADE),
    ],
)
def test_the_reference_table_decides_who_may_take_a_case(
    grade: str, tier: str, rosh: str | None, expected: str | None
) -> None:
    assert why_not(grade, tier, rosh) == expected


def test_a_practitioner_who_has_left_or_has_no_time_may_not() -> None:
    assert why_not("PO", "C2", leave_date=ON) == NotEligible.LEFT
    assert why_not("PO", "C2", leave_date=ON + timedelta(days=1)) is None
    assert why_not("PO", "C2", available=0) == NotEligible.NO_AVAILABLE_TIME


def test_leaving_is_named_before_grade_and_grade_before_time() -> None:
    assert why_not("SPO", "A3", available=0, leave_date=ON) == NotEligible.LEFT
    assert why_not("SPO", "A3", available=0) == NotEligible.GRADE


def test_who_may_take_new_cases_at_all() -> None:
    frame = pl.DataFrame(
        {
            "grade": ["PO", "PSO", "SPO", "PQiP", "PO"],
            "available_points": [10, 10, 10, 0, 10],
            "leave_date": [None, None, None, None, ON],
        },
        schema={"grade": pl.String, "available_points": pl.Int64, "leave_date": pl.Date},
    )
    assert frame.select(may_take_new_cases(RULES, ON)).to_series().to_list() == [
        True,
        True,
        False,
        False,
        False,
    ]


def _document() -> dict[str, Any]:
    return copy.deepcopy(to_document(RULES))


def test_the_default_rules_round_trip_through_json() -> None:
    assert from_document(json.loads(json.dumps(_document()))) == RULES


def test_a_grade_left_out_of_the_document_takes_no_new_cases() -> None:
    document = _document()
    del document["grades"]["PSO"]
    rules = from_document(document)
    assert not rules.takes_new_cases(Grade.PSO)
    assert rules.takes_new_cases(Grade.PO)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["grades"].update(XYZ={}), "grades.XYZ: not a grade"),
        (
            lambda d: d["grades"]["PSO"]["tiers"].append("E1"),
            "grades.PSO.tiers: 'E1' is not a tier",
        ),
        (
            lambda d: d["grades"]["PSO"]["tiers"].append("C3"),
            "grades.PSO.tiers: C3 is listed more than once",
        ),
        (
            lambda d: d["grades"]["PQiP"].update(highest_rosh="extreme"),
            "grades.PQiP.highest_rosh: 'extreme' is not valid; expected one of low, medium, "
            "high, very_high",
        ),
        (lambda d: d["grades"]["PO"].update(tiers="A3"), "grades.PO.tiers: expected a list"),
        (lambda d: d["grades"]["PO"].update(colour=1), "grades.PO.colour: not a known setting"),
        (lambda d: d.pop("grades"), "grades: missing"),
        (lambda d: d.update(version=2), "version: not a known setting"),
    ],
)
def test_a_wrong_document_is_refused_saying_where(change: Any, message: str) -> None:
    document = _document()
    change(document)
    with pytest.raises(InputRejected) as refused:
        from_document(document)
    assert message in str(refused.value)
