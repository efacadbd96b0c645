"""The allocation decisions as people read them: a unit's or a practitioner's decisions of
the last days, each pending, confirmed or contradicted by the imports since, with sensitive
notes withheld from practitioners."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from wmt.domain.access import Role, Viewer
from wmt.domain.allocation_rules import DecisionStatus
from wmt.domain.clock import utc_now
from wmt.domain.hierarchy import NATIONAL_CODE, Level
from wmt.errors import NotFound
from wmt.services.listing import Table, field_names
from wmt.services.places import level_of_unit, teams_in_unit
from wmt.services.scope import visible_place
from wmt.store import decisions as stored
from wmt.store.snapshots import require_snapshot
from wmt.store.transactions import Store


@dataclass(frozen=True)
class DecisionRecord:
    """One decision as the decisions list and its downloads show it."""

    decided_at: datetime
    crn: str
    kind: str
    to_staff_code: str
    to_team_code: str
    from_staff_code: str | None
    from_team_code: str | None
    reason: str
    notes: str | None  # withheld from practitioners when marked sensitive
    sensitive: bool
    override_justification: str | None
    username: str
    as_of: date
    status: str  # pending, confirmed or contradicted
    settled_on: date | None


DECISION_COLUMNS = field_names(DecisionRecord)
DEFAULT_DAYS = 30


def _status(row: Any) -> tuple[DecisionStatus, date | None]:
    if row.confirmed_on is not None:
        return DecisionStatus.CONFIRMED, row.confirmed_on
    if row.contradicted_on is not None:
        return DecisionStatus.CONTRADICTED, row.contradicted_on
    return DecisionStatus.PENDING, None


def _record(row: Any, viewer: Viewer) -> DecisionRecord:
    status, settled_on = _status(row)
    withheld = row.sensitive and viewer.role is Role.PRACTITIONER
    return DecisionRecord(
        decided_at=row.decided_at,
        crn=row.crn,
        kind=row.kind,
        to_staff_code=row.to_staff_code,
        to_team_code=row.to_team_code,
        from_staff_code=row.from_staff_code,
        from_team_code=row.from_team_code,
        reason=row.reason,
        notes=None if withheld else row.notes,
        sensitive=row.sensitive,
        override_justification=row.override_justification,
        username=row.username,
        as_of=row.as_of,
        status=status.value,
        settled_on=settled_on,
    )


def decisions(
    store: Store,
    viewer: Viewer,
    level: str,
    code: str,
    *,
    days: int = DEFAULT_DAYS,
    status: str | None = None,
    staff_code: str | None = None,
    now: datetime | None = None,
) -> Table[DecisionRecord]:
    """The decisions about the unit's cases (to or from its teams; for a practitioner, to or
    from them) made in the last `days` days, newest first, optionally only those of one
    status or about one practitioner; NotFound, as for no such unit, if the person may not
    see it."""
    visible_place(store, viewer, level, code)
    since = (now or utc_now()) - timedelta(days=days)
    if level == Level.PRACTITIONER:
        staff_code = code
    teams = (
        None if level in (Level.NATIONAL, Level.PRACTITIONER) else teams_in_unit(store, level, code)
    )
    with store.reading() as connection:
        rows = stored.decisions_since(connection, since, teams=teams, staff_code=staff_code)
    found = [_record(row, viewer) for row in rows]
    if status is not None:
        found = [record for record in found if record.status == status]
    return Table(DECISION_COLUMNS, found)


def decisions_of_unit(
    store: Store, viewer: Viewer, code: str, *, days: int = DEFAULT_DAYS
) -> Table[DecisionRecord]:
    """The decisions of a team, PDU or region known by its code alone, or national."""
    if code == NATIONAL_CODE:
        return decisions(store, viewer, Level.NATIONAL, code, days=days)
    with store.reading() as connection:
        level = level_of_unit(connection, require_snapshot(connection, None).id, code)
    if level is None:
        raise NotFound(f"There is no team, PDU or region {code!r} in the newest snapshot.")
    return decisions(store, viewer, level, code, days=days)
