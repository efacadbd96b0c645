"""Reading hours and reductions managed in wmt as the engine takes them.

Laying them over a snapshot's imported inputs is the engine's (engine/managed.py); the store
only reads them here and writes the result back (snapshots.replace_owner_inputs).
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import Connection, select

from wmt.engine.managed import MANAGED_HOURS_SCHEMA, MANAGED_REDUCTIONS_SCHEMA
from wmt.store import schema
from wmt.store.frames import read_frame, stored_types, to_hundredths

# A reduction kept in wmt is never deleted: it is removed instead.
_MANAGED_REDUCTION_COLUMNS = {
    name: dtype
    for name, dtype in stored_types(MANAGED_REDUCTIONS_SCHEMA).items()
    if name != "deleted"
}


def managed_frames(
    connection: Connection, owner: tuple[str, str] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every managed contracted-hours figure and reduction (or one owner's), as the engine
    takes them."""
    hours = schema.table_of(schema.ManagedHours)
    reductions = schema.table_of(schema.ManagedReduction)
    hours_query = select(hours.c.staff_code, hours.c.team_code, hours.c.contracted_hours)
    reductions_query = select(
        reductions.c.staff_code,
        reductions.c.team_code,
        reductions.c.reason,
        reductions.c.hours,
        reductions.c.start_date,
        reductions.c.end_date,
        reductions.c.notes,
        reductions.c.id.label("managed_reduction_id"),
    )
    if owner is not None:
        hours_query = hours_query.where(
            hours.c.staff_code == owner[0], hours.c.team_code == owner[1]
        )
        reductions_query = reductions_query.where(
            reductions.c.staff_code == owner[0], reductions.c.team_code == owner[1]
        )
    hours_frame = read_frame(connection, hours_query, stored_types(MANAGED_HOURS_SCHEMA))
    reductions_frame = read_frame(connection, reductions_query, _MANAGED_REDUCTION_COLUMNS)
    return (
        hours_frame.select(
            "staff_code", "team_code", to_hundredths("contracted_hours", "contracted_hours_centi")
        ).cast(MANAGED_HOURS_SCHEMA),
        reductions_frame.with_columns(to_hundredths("hours", "hours_centi"), deleted=pl.lit(False))
        .select(list(MANAGED_REDUCTIONS_SCHEMA))
        .cast(MANAGED_REDUCTIONS_SCHEMA),
    )
