"""A practitioner who holds cases in two teams is seen by the managers of both."""

from __future__ import annotations

from pathlib import Path

from tests import html
from tests.case_folders import VALID_FILES, write_folder
from tests.web.sessions import PASSWORD, signed_in, signed_in_client
from wmt.domain.access import Role
from wmt.services.accounts import add_user
from wmt.services.importing import import_case_folder
from wmt.store.transactions import Store
from wmt.web.app import create_app


def test_the_manager_of_either_team_sees_them(store: Store, tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "s",
        {
            "staff.csv": VALID_FILES["staff.csv"] + "S1,T2,PO,Ada,Brown,10,2015-04-01,\n",
            "cases.csv": VALID_FILES["cases.csv"] + "X000007,S1,T2,community,A2,,,\n",
        },
    )
    import_case_folder(store, folder)
    add_user(store, "second", PASSWORD, Role.TEAM_MANAGER, "T2")
    add_user(store, "elsewhere", PASSWORD, Role.PRACTITIONER, "S3")
    app = create_app(store)
    with signed_in_client(app, "second") as client:
        team = html.table(client.get("/team/T2/overview")).one("tbody")
        assert "/practitioner/S1/overview" in html.hrefs(team)
        page = client.get("/practitioner/S1/overview")
        assert page.status_code == 200
        assert [h for h in html.headings(page) if h.startswith("In team T2: ")], html.headings(page)
        assert client.get("/practitioner/S2/overview").status_code == 404
    with signed_in_client(app, "elsewhere") as client:
        assert client.get("/practitioner/S1/overview").status_code == 404


def test_a_changed_role_takes_effect_at_the_next_sign_in(store: Store, tmp_path: Path) -> None:
    from wmt.services.account_changes import change_account
    from wmt.services.accounts import list_accounts

    import_case_folder(store, write_folder(tmp_path / "s"))
    add_user(store, "moving", PASSWORD, Role.TEAM_MANAGER, "T1")
    app = create_app(store)
    with signed_in_client(app, "moving") as client:
        assert client.get("/team/T2/overview").status_code == 404
        account = next(a for a in list_accounts(store) if a.username == "moving")
        change_account(
            store,
            account.id,
            account.version,
            role_text="team_manager",
            scope="T2",
            full_name="",
            email="",
            by="admin",
        )
        signed_out = client.get("/team/T2/overview", follow_redirects=False)
        assert signed_out.headers["location"] == "/sign-in?next=/team/T2/overview"
        signed_in(client, "moving")
        assert client.get("/team/T2/overview").status_code == 200
        assert client.get("/team/T1/overview").status_code == 404
