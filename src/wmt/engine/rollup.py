"""Roll-ups: team, PDU, region and national totals as sums over the owners below.

Capacity of a unit is sum(total points) / sum(available points), never an average of
percentages.
"""

from __future__ import annotations

import polars as pl

from wmt.domain.hierarchy import LEVELS, NATIONAL_CODE, NATIONAL_NAME, Level
from wmt.engine.arithmetic import capacity_tenths
from wmt.engine.tables import OWNER_TOTALS

SUMMED = [
    *OWNER_TOTALS,
    "total_points",
    "available_points",
    "remaining_points",
    "contracted_hours_centi",
    "reduction_hours_centi",
    "hours_available_centi",
]

# For each level: the columns of the units table giving its code, name and parent's code.
_LEVEL_COLUMNS: dict[Level, tuple[pl.Expr, pl.Expr, pl.Expr]] = {
    Level.TEAM: (pl.col("team_code"), pl.col("team_name"), pl.col("pdu_code")),
    Level.PDU: (pl.col("pdu_code"), pl.col("pdu_name"), pl.col("region_code")),
    Level.REGION: (pl.col("region_code"), pl.col("region_name"), pl.lit(NATIONAL_CODE)),
    Level.NATIONAL: (pl.lit(NATIONAL_CODE), pl.lit(NATIONAL_NAME), pl.lit(None, pl.String)),
}


def roll_up(owners: pl.DataFrame, units: pl.DataFrame, cases: pl.DataFrame) -> pl.DataFrame:
    """One row per unit at every level, including units with nobody in them."""
    unallocated = (
        cases.lazy()
        .filter(pl.col("staff_code").is_null())
        .group_by("team_code")
        .agg(unallocated_cases=pl.len())
    )
    teams = (
        units.lazy()
        .join(owners.lazy().select("staff_code", "team_code", *SUMMED), on="team_code", how="left")
        .join(unallocated, on="team_code", how="left")
    )
    # unallocated_cases is per team, but a team has many owner rows: count it once per team.
    first_row_of_team = pl.int_range(pl.len()).over("team_code") == 0
    teams = teams.with_columns(
        unallocated_cases=pl.when(first_row_of_team)
        .then(pl.col("unallocated_cases").fill_null(0))
        .otherwise(0)
    )
    frames = []
    for level, (code, name, parent) in _LEVEL_COLUMNS.items():
        frames.append(
            teams.group_by(code.alias("unit_code")).agg(
                pl.lit(level.value).alias("level"),
                name.first().alias("unit_name"),
                parent.first().alias("parent_code"),
                pl.col("staff_code").drop_nulls().n_unique().cast(pl.Int64).alias("practitioners"),
                pl.col("unallocated_cases").sum().cast(pl.Int64),
                *[pl.col(column).fill_null(0).sum().cast(pl.Int64) for column in SUMMED],
            )
        )
    level_order = pl.col("level").replace_strict(
        {level.value: rank for rank, level in enumerate(LEVELS)}, return_dtype=pl.Int8
    )
    return (
        pl.concat(frames, how="diagonal")
        .with_columns(
            capacity_tenths=capacity_tenths(pl.col("total_points"), pl.col("available_points"))
        )
        .sort(level_order, "unit_code")
        .select(
            "level",
            "unit_code",
            "unit_name",
            "parent_code",
            "practitioners",
            "unallocated_cases",
            *SUMMED,
            "capacity_tenths",
        )
        .collect()
    )
