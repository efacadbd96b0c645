"""The hierarchy as a snapshot holds it: which teams lie inside a unit."""

from __future__ import annotations

from sqlalchemy import Connection, or_, select

from wmt.domain.hierarchy import UNIT_LEVELS, Level
from wmt.store import schema


def teams_within(
    connection: Connection, snapshot_id: int, code: str, level: str | None = None
) -> list[str]:
    """Team codes of the team, PDU or region with this code (of that level, if given).

    The national code, or an unknown one, gives every team or none respectively.
    """
    units = schema.table_of(schema.SnapshotUnit)
    columns = {level: units.c[level.unit_column or ""] for level in UNIT_LEVELS}
    query = select(units.c.team_code).where(units.c.snapshot_id == snapshot_id)
    if level == Level.NATIONAL:
        return list(connection.execute(query).scalars())
    if level is not None:
        query = query.where(columns[Level(level)] == code)
    else:
        query = query.where(or_(*(column == code for column in columns.values())))
    return list(connection.execute(query).scalars())
