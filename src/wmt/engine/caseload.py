"""Cases held within a unit, tier by case type, rolled up from owners' caseload breakdowns."""

from __future__ import annotations

import polars as pl

from wmt.domain.cases import ALL_TIERS, CaseType
from wmt.engine.tables import TIER_COLUMNS

# One column per case type for the cases scored by tier, then T2A cases (scored from the young
# adult table whatever their type), then every case.
MATRIX_COLUMNS = ("tier", *(case_type.value for case_type in CaseType), "t2a", "total")


def tier_by_case_type(caseload: pl.DataFrame) -> pl.DataFrame:
    """One row per tier, in the model's order, counting the cases of the caseload rows given
    (owner x case type x T2A, a count column per tier) by case type, T2A and in total."""
    tier_of_column = {column: tier for tier, column in TIER_COLUMNS.items()}
    cases = (
        caseload.lazy()
        .unpivot(
            index=["case_type", "t2a"],
            on=list(TIER_COLUMNS.values()),
            variable_name="tier_column",
            value_name="cases",
        )
        .with_columns(tier=pl.col("tier_column").replace_strict(tier_of_column))
    )
    by_type = [
        pl.col("cases")
        .filter(~pl.col("t2a") & (pl.col("case_type") == case_type.value))
        .sum()
        .alias(case_type.value)
        for case_type in CaseType
    ]
    counted = cases.group_by("tier").agg(
        *by_type,
        pl.col("cases").filter(pl.col("t2a")).sum().alias("t2a"),
        pl.col("cases").sum().alias("total"),
    )
    return (
        pl.LazyFrame({"tier": list(ALL_TIERS)})
        .join(counted, on="tier", how="left", maintain_order="left")
        .with_columns(pl.exclude("tier").fill_null(0).cast(pl.Int64))
        .select(MATRIX_COLUMNS)
        .collect()
    )
