"""One account for each role, placed on real units of the newest snapshot, for trying the pages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from wmt.domain.access import Role, Viewer
from wmt.domain.hierarchy import NATIONAL_CODE
from wmt.services.accounts import add_user
from wmt.store import schema
from wmt.store.snapshots import require_snapshot
from wmt.store.transactions import Store

DEMO_PASSWORD = "workload demo 2026"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    scope: str

    @property
    def home(self) -> str:
        """The page they start on."""
        if self.role is Role.ADMIN:
            return "/admin"
        level, code = Viewer(self.username, self.role, self.scope).home
        return f"/{level}/{code}/overview"


def add_demo_accounts(store: Store, password: str = DEMO_PASSWORD) -> list[DemoAccount]:
    """Accounts in the first region, PDU and team (by code) and that team's busiest practitioner."""
    units = schema.table_of(schema.SnapshotUnit)
    owners = schema.table_of(schema.OwnerWorkload)
    with store.reading() as connection:
        record = require_snapshot(connection, None)
        unit = connection.execute(
            select(units)
            .where(units.c.snapshot_id == record.id)
            .order_by(units.c.region_code, units.c.pdu_code, units.c.team_code)
            .limit(1)
        ).one()
        staff_code = connection.execute(
            select(owners.c.staff_code)
            .where(owners.c.snapshot_id == record.id, owners.c.team_code == unit.team_code)
            .order_by(owners.c.capacity_percent.desc(), owners.c.staff_code)
            .limit(1)
        ).scalar_one()
    accounts = [
        DemoAccount("practitioner", Role.PRACTITIONER, staff_code),
        DemoAccount("manager", Role.TEAM_MANAGER, unit.team_code),
        DemoAccount("head", Role.HEAD_OF_PDU, unit.pdu_code),
        DemoAccount("lead", Role.REGIONAL_LEAD, unit.region_code),
        DemoAccount("national", Role.NATIONAL, NATIONAL_CODE),
        DemoAccount("admin", Role.ADMIN, NATIONAL_CODE),
    ]
    for account in accounts:
        add_user(store, account.username, password, account.role, account.scope)
    return accounts
