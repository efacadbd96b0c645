"""Where a unit or practitioner sits in the hierarchy, so access can be decided."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, select

from wmt.domain.access import Place
from wmt.domain.hierarchy import NATIONAL_CODE, Level
from wmt.errors import NotFound
from wmt.store import schema
from wmt.store.snapshots import require_snapshot
from wmt.store.transactions import Store
from wmt.store.units import teams_within


def places_in(connection: Connection, snapshot_id: int, level: str, code: str) -> list[Place]:
    """Every place of a unit (one) or of a practitioner (one per team they hold cases in) in
    the snapshot; NotFound if it is not there."""
    if level == Level.NATIONAL:
        return [Place(Level.NATIONAL, NATIONAL_CODE)]
    units = schema.table_of(schema.SnapshotUnit)
    if level == Level.PRACTITIONER:
        owners = schema.table_of(schema.OwnerWorkload)
        rows = connection.execute(
            select(units.c.team_code, units.c.pdu_code, units.c.region_code)
            .join(
                owners,
                (owners.c.snapshot_id == units.c.snapshot_id)
                & (owners.c.team_code == units.c.team_code),
            )
            .where(units.c.snapshot_id == snapshot_id, owners.c.staff_code == code)
            .order_by(units.c.team_code)
        ).all()
        if not rows:
            raise NotFound(f"There is no practitioner {code!r} in the snapshot.")
        return [
            Place(level, code, team=row.team_code, pdu=row.pdu_code, region=row.region_code)
            for row in rows
        ]
    column = units.c[Level(level).unit_column or ""]
    row = connection.execute(
        select(units).where(units.c.snapshot_id == snapshot_id, column == code).limit(1)
    ).first()
    if row is None:
        raise NotFound(f"There is no {level} {code!r} in the snapshot.")
    return [
        Place(
            level,
            code,
            team=row.team_code if level == Level.TEAM else None,
            pdu=row.pdu_code if level in (Level.PDU, Level.TEAM) else None,
            region=row.region_code,
        )
    ]


def unit_places(connection: Connection, snapshot_id: int) -> dict[tuple[str, str], Place]:
    """The place of every unit in the snapshot, by level and code."""
    units = schema.table_of(schema.SnapshotUnit)
    national = Place(Level.NATIONAL, NATIONAL_CODE)
    found = {(national.level, national.code): national}
    query = select(units.c.team_code, units.c.pdu_code, units.c.region_code).where(
        units.c.snapshot_id == snapshot_id
    )
    for row in connection.execute(query):  # one per team
        pdu = national.child(Level.REGION, row.region_code).child(Level.PDU, row.pdu_code)
        for place in (
            pdu.child(Level.TEAM, row.team_code),
            pdu,
            national.child(Level.REGION, row.region_code),
        ):
            found[(place.level, place.code)] = place
    return found


def place_of(store: Store, level: str, code: str, as_of: date | None = None) -> Place:
    """The unit's (or practitioner's first team's) place; NotFound if it is not there."""
    return places_of(store, level, code, as_of)[0]


def places_of(store: Store, level: str, code: str, as_of: date | None = None) -> list[Place]:
    """Every place of a unit (one) or of a practitioner (one per team they hold cases in)."""
    if level == Level.NATIONAL:
        return [Place(Level.NATIONAL, NATIONAL_CODE)]
    with store.reading() as connection:
        record = require_snapshot(connection, as_of)
        return places_in(connection, record.id, level, code)


def teams_in_unit(store: Store, level: str, code: str) -> list[str]:
    """The codes of the teams within a unit on the newest snapshot."""
    with store.reading() as connection:
        record = require_snapshot(connection, None)
        return teams_within(connection, record.id, code, level)


def level_of_unit(connection: Connection, snapshot_id: int, code: str) -> Level | None:
    """The level of the unit with this code in the snapshot, the smallest if several."""
    units = schema.table_of(schema.SnapshotUnit)
    for level in (Level.TEAM, Level.PDU, Level.REGION):
        column = units.c[level.unit_column or ""]
        found = connection.execute(
            select(column).where(units.c.snapshot_id == snapshot_id, column == code).limit(1)
        ).first()
        if found is not None:
            return level
    return None
