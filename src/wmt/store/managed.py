"""Reading hours and reductions managed in wmt, and laying them over a stored snapshot."""

from __future__ import annotations

import polars as pl
from sqlalchemy import Connection, and_, delete, func, insert, literal, select, update

from wmt.engine.managed import MANAGED_HOURS_SCHEMA, MANAGED_REDUCTIONS_SCHEMA
from wmt.store import schema
from wmt.store.frames import read_frame, to_hundredths


def managed_frames(connection: Connection) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every managed contracted-hours figure and reduction, as the engine takes them."""
    hours = schema.table_of(schema.ManagedHours)
    reductions = schema.table_of(schema.ManagedReduction)
    hours_frame = read_frame(
        connection,
        select(hours.c.staff_code, hours.c.team_code, hours.c.contracted_hours),
        {"staff_code": pl.String, "team_code": pl.String, "contracted_hours": pl.Decimal(18, 2)},
    ).select("staff_code", "team_code", to_hundredths("contracted_hours", "contracted_hours_centi"))
    reductions_frame = read_frame(
        connection,
        select(
            reductions.c.staff_code,
            reductions.c.team_code,
            reductions.c.reason,
            reductions.c.hours,
            reductions.c.start_date,
            reductions.c.end_date,
            reductions.c.notes,
            reductions.c.id.label("managed_reduction_id"),
        ),
        {
            "staff_code": pl.String,
            "team_code": pl.String,
            "reason": pl.String,
            "hours": pl.Decimal(18, 2),
            "start_date": pl.Date,
            "end_date": pl.Date,
            "notes": pl.String,
            "managed_reduction_id": pl.Int64,
        },
    ).with_columns(to_hundredths("hours", "hours_centi"), deleted=pl.lit(False))
    return (
        hours_frame.cast(MANAGED_HOURS_SCHEMA),
        reductions_frame.select(list(MANAGED_REDUCTIONS_SCHEMA)).cast(MANAGED_REDUCTIONS_SCHEMA),
    )


def refresh_owner(
    connection: Connection, snapshot_id: int, staff_code: str, team_code: str
) -> None:
    """Lay one owner's managed hours and reductions, as they are now, over a stored snapshot."""
    staff = schema.table_of(schema.SnapshotStaff)
    hours = schema.table_of(schema.ManagedHours)
    reductions = schema.table_of(schema.ManagedReduction)
    stored = schema.table_of(schema.SnapshotReduction)
    managed = (
        select(hours.c.contracted_hours)
        .where(hours.c.staff_code == staff_code, hours.c.team_code == team_code)
        .scalar_subquery()
    )
    connection.execute(
        update(staff)
        .where(
            staff.c.snapshot_id == snapshot_id,
            staff.c.staff_code == staff_code,
            staff.c.team_code == team_code,
        )
        .values(contracted_hours=func.coalesce(managed, staff.c.imported_contracted_hours))
    )
    connection.execute(
        delete(stored).where(
            stored.c.snapshot_id == snapshot_id,
            stored.c.staff_code == staff_code,
            stored.c.team_code == team_code,
            stored.c.managed_reduction_id.is_not(None),
        )
    )
    owner_present = (
        select(staff.c.staff_code)
        .where(
            and_(
                staff.c.snapshot_id == snapshot_id,
                staff.c.staff_code == staff_code,
                staff.c.team_code == team_code,
            )
        )
        .exists()
    )
    connection.execute(
        insert(stored).from_select(
            [
                "snapshot_id",
                "staff_code",
                "team_code",
                "reason",
                "hours",
                "start_date",
                "end_date",
                "deleted",
                "notes",
                "managed_reduction_id",
            ],
            select(
                literal(snapshot_id),
                reductions.c.staff_code,
                reductions.c.team_code,
                reductions.c.reason,
                reductions.c.hours,
                reductions.c.start_date,
                reductions.c.end_date,
                literal(False),
                reductions.c.notes,
                reductions.c.id,
            ).where(
                reductions.c.staff_code == staff_code,
                reductions.c.team_code == team_code,
                owner_present,
            ),
        )
    )
