"""Cases by tier and case type, rolled up from owners' caseload breakdowns."""

from __future__ import annotations

import polars as pl

from wmt.domain.cases import ALL_TIERS
from wmt.engine.caseload import MATRIX_COLUMNS, tier_by_case_type
from wmt.engine.tables import TIER_COLUMNS


def _breakdown(rows: list[tuple[str, str, bool, dict[str, int]]]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "staff_code": staff,
                "team_code": "T1",
                "case_type": case_type,
                "t2a": t2a,
                **{column: counts.get(tier, 0) for tier, column in TIER_COLUMNS.items()},
            }
            for staff, case_type, t2a, counts in rows
        ]
    )


def test_t2a_cases_count_apart_from_their_case_type_and_every_case_counts_in_total() -> None:
    matrix = tier_by_case_type(
        _breakdown(
            [
                ("S1", "community", False, {"A3": 2, "B1": 1}),
                ("S1", "community", True, {"A3": 1}),
                ("S2", "licence", False, {"A3": 4}),
                ("S2", "custody", True, {"B1": 3}),
            ]
        )
    )
    assert tuple(matrix.columns) == MATRIX_COLUMNS
    assert matrix["tier"].to_list() == list(ALL_TIERS)
    rows = {row["tier"]: row for row in matrix.to_dicts()}
    assert rows["A3"] == {
        "tier": "A3",
        "community": 2,
        "custody": 0,
        "licence": 4,
        "t2a": 1,
        "total": 7,
    }
    assert rows["B1"] == {
        "tier": "B1",
        "community": 1,
        "custody": 0,
        "licence": 0,
        "t2a": 3,
        "total": 4,
    }
    untouched = [row for tier, row in rows.items() if tier not in ("A3", "B1")]
    assert all(row["total"] == 0 for row in untouched)


def test_no_cases_give_a_row_of_noughts_for_every_tier() -> None:
    matrix = tier_by_case_type(_empty())
    assert matrix["tier"].to_list() == list(ALL_TIERS)
    assert matrix.drop("tier").sum().row(0) == (0,) * (len(MATRIX_COLUMNS) - 1)


def _empty() -> pl.DataFrame:
    return _breakdown([("S1", "community", False, {})]).clear()
