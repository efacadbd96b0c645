"""Who may read what, checked by every reading service for whoever asks.

The services take the person asking (a `Viewer`) and refuse what lies outside their scope, so
a page, the JSON API, the command line or a batch job all answer alike and none can skip the
check. A unit outside someone's scope is answered exactly as one that does not exist, so
nobody can learn which codes exist by trying them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Connection

from wmt.domain.access import Place, Role, Viewer
from wmt.domain.hierarchy import NATIONAL_CODE, Level
from wmt.errors import NotFound
from wmt.services.places import places_in, unit_places
from wmt.store.snapshots import require_snapshot
from wmt.store.transactions import Store

# Whoever runs `wmt` at a terminal holds the store itself, so they see everything; the
# command line reads as this one person. Made here, and only here.
OPERATOR = Viewer(username="operator", role=Role.ADMIN, scope=NATIONAL_CODE)

# The one answer for a unit that does not exist and for one the person may not see.
NOT_FOUND = (
    "Page not found. If you typed the web address, check it is correct. If you pasted the web "
    "address, check you copied the entire address."
)

# A record of a table: a practitioner's row has `staff_code` and `team_code`, a unit's `unit_code`.
Row = TypeVar("Row")


def visible_place_in(
    connection: Connection, snapshot_id: int, viewer: Viewer, level: str, code: str
) -> Place:
    """The unit's place in the snapshot, if the person may see it; NotFound if not."""
    with _found_alike(viewer):
        places = places_in(connection, snapshot_id, level, code)
    return _first_visible(viewer, places)


def visible_place(
    store: Store, viewer: Viewer, level: str, code: str, as_of: date | None = None
) -> Place:
    """The unit's place in the snapshot of the date (the newest by default), if the person
    may see it; NotFound, the same for a unit outside their scope as for none, if not."""
    if level == Level.NATIONAL:  # the whole service is there even before any snapshot
        return _first_visible(viewer, [Place(Level.NATIONAL, NATIONAL_CODE)])
    with _found_alike(viewer), store.reading() as connection:
        record = require_snapshot(connection, as_of)
        places = places_in(connection, record.id, level, code)
    return _first_visible(viewer, places)


@contextmanager
def _found_alike(viewer: Viewer) -> Iterator[None]:
    """Whatever is not found is answered with the one not-found message, except to someone
    who may see everything, who is told what is missing."""
    try:
        yield
    except NotFound:
        if viewer.sees_everything:
            raise
        raise NotFound(NOT_FOUND) from None


def _first_visible(viewer: Viewer, places: list[Place]) -> Place:
    """The first place the person may see.

    Only someone who may see everything is told why a unit is not there, as that tells them
    nothing they could not see anyway. A practitioner in several teams may be seen by whoever
    may see any one of those teams.
    """
    inside = [place for place in places if viewer.may_view(place)]
    if not inside:
        raise NotFound(NOT_FOUND)
    return inside[0]


def check_may_read(
    connection: Connection, snapshot_id: int, viewer: Viewer, level: str, code: str
) -> Place | None:
    """NotFound unless the person may see the unit; its place, or None for someone who sees
    everything (whose question is answered, or not found, by the reading itself)."""
    if viewer.sees_everything:
        return None
    return visible_place_in(connection, snapshot_id, viewer, level, code)


def visible_children(
    viewer: Viewer, parent: Place | None, level: str, rows: Iterable[Row]
) -> list[Row]:
    """The rows one level down that the person may see; a unit's children lie inside it, and
    are checked again so no row can slip out of scope."""
    if parent is None:
        return list(rows)
    return [row for row in rows if viewer.may_view(_child_place(parent, level, row))]


def _child_place(parent: Place, level: str, row: Any) -> Place:
    if level == Level.PRACTITIONER:
        return parent.child(level, row.staff_code, team=row.team_code)
    return parent.child(level, row.unit_code)


def visible_rows(
    connection: Connection, snapshot_id: int, viewer: Viewer, level: str, rows: list[Row]
) -> list[Row]:
    """The rows of one level, from anywhere in the hierarchy, that the person may see."""
    if viewer.sees_everything:
        return rows
    places = unit_places(connection, snapshot_id)
    national = places[(Level.NATIONAL, NATIONAL_CODE)]

    def place_of(row: Any) -> Place | None:
        if level != Level.PRACTITIONER:
            return places.get((level, row.unit_code))
        team = places.get((Level.TEAM, row.team_code), national)
        return team.child(Level.PRACTITIONER, row.staff_code, team=row.team_code)

    return [row for row in rows if (place := place_of(row)) is not None and viewer.may_view(place)]
