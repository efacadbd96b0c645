"""The audit log: every change a person makes, with who, when, and before and after."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import Connection, insert, or_, select

from wmt.domain.access import Viewer
from wmt.domain.clock import utc_now
from wmt.domain.hierarchy import Level
from wmt.services.listing import Table, field_names
from wmt.services.places import teams_in_unit
from wmt.services.scope import visible_place
from wmt.store import schema
from wmt.store.transactions import Store


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _document(record: dict[str, Any] | None) -> str | None:
    if record is None:
        return None
    return json.dumps({key: _plain(value) for key, value in record.items()}, sort_keys=True)


def record_change(
    connection: Connection,
    *,
    username: str,
    action: str,
    subject: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    staff_code: str | None = None,
    team_code: str | None = None,
) -> None:
    """Write one audit event in the caller's transaction, so it stands or falls with the change."""
    connection.execute(
        insert(schema.table_of(schema.AuditEvent)).values(
            at=utc_now(),
            username=username,
            action=action,
            subject=subject,
            staff_code=staff_code,
            team_code=team_code,
            before=_document(before),
            after=_document(after),
        )
    )


@dataclass(frozen=True)
class Written:
    """What a change wrote, for the audit log: the event and the record before and after."""

    action: str
    subject: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    record_id: int | None = None  # the record added or changed, if one was


class Change(Protocol):
    """One change a person makes."""

    def write(self, connection: Connection, username: str) -> Written:
        """Check the change by its rules and write it; refused, writing nothing, if it breaks
        one."""
        ...


def write_audited(
    connection: Connection,
    username: str,
    change: Change,
    owner: tuple[str, str] | None = None,
) -> Written:
    """Check and write the change, then its audit event (about the owner's inputs, if it
    changes them), in the caller's transaction: the order every change is saved in."""
    written = change.write(connection, username)
    staff_code, team_code = owner or (None, None)
    record_change(
        connection,
        username=username,
        action=written.action,
        subject=written.subject,
        before=written.before,
        after=written.after,
        staff_code=staff_code,
        team_code=team_code,
    )
    return written


@dataclass(frozen=True)
class AuditEvent:
    """One change: who made it, when, to what, and what changed, in words."""

    at: datetime
    username: str
    action: str
    subject: str
    staff_code: str | None
    team_code: str | None
    changes: str


AUDIT_COLUMNS = field_names(AuditEvent)
AuditListing = Table[AuditEvent]


def describe_changes(before: str | None, after: str | None) -> str:
    """What changed, in words: `hours: 3.00 → 5.00; end date: none → 2027-01-31`."""
    old = json.loads(before) if before else {}
    new = json.loads(after) if after else {}
    if not old:
        return "added: " + "; ".join(f"{k}: {_shown(v)}" for k, v in new.items())
    if not new:
        return "removed: " + "; ".join(f"{k}: {_shown(v)}" for k, v in old.items())
    changed = [
        f"{key}: {_shown(old.get(key))} → {_shown(new.get(key))}"
        for key in sorted(set(old) | set(new))
        if old.get(key) != new.get(key)
    ]
    return "; ".join(changed) or "no change"


def _shown(value: Any) -> str:
    return "none" if value is None or value == "" else str(value)


def audit_events(
    store: Store,
    *,
    teams: list[str] | None = None,
    staff_code: str | None = None,
    configuration: bool = False,
    practitioners_only: bool = False,
    limit: int = 500,
) -> AuditListing:
    """The newest events first: for some teams, one practitioner, or (configuration) everything
    that is not about a practitioner, such as points versions, reasons and users."""
    table = schema.table_of(schema.AuditEvent)
    query = select(table).order_by(table.c.at.desc(), table.c.id.desc()).limit(limit)
    if staff_code is not None:
        query = query.where(table.c.staff_code == staff_code)
    if teams is not None:
        query = query.where(table.c.team_code.in_(teams))
    if practitioners_only:
        query = query.where(table.c.staff_code.is_not(None))
    if configuration:
        query = query.where(or_(table.c.staff_code.is_(None), table.c.team_code.is_(None)))
    with store.reading() as connection:
        rows = connection.execute(query).all()
    return AuditListing(
        AUDIT_COLUMNS,
        [
            AuditEvent(
                at=row.at.replace(microsecond=0),
                username=row.username,
                action=row.action,
                subject=row.subject,
                staff_code=row.staff_code,
                team_code=row.team_code,
                changes=describe_changes(row.before, row.after),
            )
            for row in rows
        ],
    )


def unit_audit(store: Store, viewer: Viewer, level: str, code: str) -> AuditListing:
    """The changes to the inputs of the practitioners within a unit (the teams it holds on the
    newest snapshot), or of one practitioner, newest first; NotFound, the same for a unit
    outside the person's scope as for none, if they may not see it."""
    visible_place(store, viewer, level, code)
    if level == Level.PRACTITIONER:
        return audit_events(store, staff_code=code)
    if level == Level.NATIONAL:
        return audit_events(store, practitioners_only=True)
    return audit_events(store, teams=teams_in_unit(store, level, code))
