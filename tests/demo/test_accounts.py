"""Demo accounts: one per role, on units that exist, each able to sign in."""

from __future__ import annotations

from pathlib import Path

from tests.case_folders import write_folder
from wmt.demo.accounts import DEMO_PASSWORD, add_demo_accounts
from wmt.domain.access import Role
from wmt.services.importing import import_case_folder
from wmt.services.sign_in import sign_in
from wmt.store.transactions import Store


def test_one_account_per_role_on_real_units(store: Store, tmp_path: Path) -> None:
    import_case_folder(store, write_folder(tmp_path / "s"))
    accounts = add_demo_accounts(store)
    assert [(a.role, a.scope, a.home) for a in accounts] == [
        (Role.PRACTITIONER, "S1", "/practitioner/S1/overview"),
        (Role.TEAM_MANAGER, "T1", "/team/T1/overview"),
        (Role.HEAD_OF_PDU, "P1", "/pdu/P1/overview"),
        (Role.REGIONAL_LEAD, "R1", "/region/R1/overview"),
        (Role.NATIONAL, "national", "/national/national/overview"),
        (Role.ADMIN, "national", "/admin"),
    ]
    for account in accounts:
        signed_in = sign_in(store, account.username, DEMO_PASSWORD, "192.0.2.1")
        assert signed_in.viewer.role is account.role
