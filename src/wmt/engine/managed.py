"""Hours and reductions managed in wmt, laid over a snapshot's imported inputs.

The nightly extract carries no contracted hours or reductions; managers keep them in wmt.
Contracted hours set in wmt replace the import's for that owner; reductions kept in wmt are
added to the import's. Both keep a mark of where they came from, so the store can tell them
apart and the newest snapshot can be brought up to date after an edit.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from wmt.engine.tables import OWNER_KEY, REDUCTIONS_SCHEMA, SnapshotTables

MANAGED_HOURS_SCHEMA = pl.Schema(
    {"staff_code": pl.String, "team_code": pl.String, "contracted_hours_centi": pl.Int64}
)
MANAGED_REDUCTIONS_SCHEMA = pl.Schema(
    [*REDUCTIONS_SCHEMA.items(), ("managed_reduction_id", pl.Int64)]
)


def with_managed_inputs(
    tables: SnapshotTables, hours: pl.DataFrame, reductions: pl.DataFrame
) -> SnapshotTables:
    """The snapshot's inputs as the engine should use them.

    staff gains `imported_contracted_hours_centi` (what the import said) and its
    `contracted_hours_centi` becomes the managed figure where there is one; reductions gain
    `managed_reduction_id` (null for imported ones). Managed reductions of owners who are not
    in the snapshot are left out.
    """
    managed_hours = hours.select(
        *OWNER_KEY, pl.col("contracted_hours_centi").alias("managed_centi")
    )
    staff = (
        tables.staff.join(managed_hours, on=OWNER_KEY, how="left")
        .with_columns(
            imported_contracted_hours_centi=pl.col("contracted_hours_centi"),
            contracted_hours_centi=pl.coalesce("managed_centi", "contracted_hours_centi"),
        )
        .drop("managed_centi")
    )
    owners = tables.staff.select(OWNER_KEY)
    managed_reductions = reductions.select(list(MANAGED_REDUCTIONS_SCHEMA)).join(
        owners, on=OWNER_KEY, how="semi"
    )
    imported = tables.reductions.select(list(REDUCTIONS_SCHEMA)).with_columns(
        managed_reduction_id=pl.lit(None, pl.Int64)
    )
    return replace(
        tables,
        staff=staff,
        reductions=pl.concat([imported, managed_reductions.cast(MANAGED_REDUCTIONS_SCHEMA)]),
    )
