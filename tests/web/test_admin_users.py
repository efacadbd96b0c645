"""Administrators and accounts: disable, delete, sign out, reset, each audited and each checked
against the account as the administrator last saw it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from tests.web.sessions import PASSWORD, form_token, read_page, sign_in_attempt, signed_in
from wmt.domain.access import Role
from wmt.services.account_changes import set_disabled
from wmt.services.accounts import AccountRefused, add_user, list_accounts
from wmt.store import schema
from wmt.store.transactions import Store

HOME = "/national/national/overview"


def _client(app: FastAPI) -> TestClient:
    return TestClient(app, base_url="https://testserver", follow_redirects=False)


@pytest.fixture
def admin(app: FastAPI, store: Store) -> Iterator[TestClient]:
    add_user(store, "ada", PASSWORD, Role.ADMIN, "national")
    with _client(app) as client:
        yield signed_in(client, "ada")


@pytest.fixture
def nat(app: FastAPI, admin: TestClient) -> Iterator[TestClient]:
    with _client(app) as client:
        yield signed_in(client, "nat")


def ids(store: Store) -> dict[str, int]:
    return {account.username: account.id for account in list_accounts(store)}


def version(admin: TestClient, account_id: int) -> str:
    return read_page(admin.get(f"/admin/users/{account_id}")).inputs["version"]


def post(admin: TestClient, url: str, **fields: str) -> Response:
    response = admin.post(url, data={"csrf_token": form_token(admin, "/admin"), **fields})
    assert isinstance(response, Response)
    return response


def audit(
    store: Store,
) -> list[tuple[str, str, dict[str, object] | None, dict[str, object] | None]]:
    table = schema.table_of(schema.AuditEvent)
    with store.engine.connect() as connection:
        rows = connection.execute(select(table).order_by(table.c.id)).all()
    return [
        (
            row.action,
            row.subject,
            json.loads(row.before) if row.before else None,
            json.loads(row.after) if row.after else None,
        )
        for row in rows
    ]


def test_the_list_shows_who_is_signed_in(admin: TestClient, nat: TestClient, app: FastAPI) -> None:
    with _client(app) as second:
        signed_in(second, "nat")
        rows = read_page(admin.get("/admin/users")).main
    assert "nat National national Active 2 sessions, last seen" in rows
    assert "ada Administrator national Active 1 session, last seen" in rows


def test_a_disabled_account_is_signed_out_cannot_sign_in_and_can_be_enabled(
    admin: TestClient, nat: TestClient, store: Store, app: FastAPI
) -> None:
    account = ids(store)["nat"]
    response = post(admin, f"/admin/users/{account}/disable", version=version(admin, account))
    assert response.headers["location"] == f"/admin/users/{account}"
    page = read_page(admin.get(f"/admin/users/{account}"))
    assert page.banner == "nat's account is disabled: they are signed out and cannot sign in."
    assert page.summary["Status"] == "Disabled: cannot sign in"
    assert nat.get(HOME).status_code == 303
    with _client(app) as again:
        assert sign_in_attempt(again, "nat", PASSWORD).status_code == 401
        post(admin, f"/admin/users/{account}/enable", version=version(admin, account))
        assert sign_in_attempt(again, "nat", PASSWORD).status_code == 303
    assert [event[:3] for event in audit(store)] == [
        ("disable user", "user nat", {"disabled": False}),
        ("enable user", "user nat", {"disabled": True}),
    ]


def test_nobody_disables_or_deletes_their_own_account(admin: TestClient, store: Store) -> None:
    own = ids(store)["ada"]
    refused = post(admin, f"/admin/users/{own}/disable", version=version(admin, own))
    assert refused.status_code == 400
    assert read_page(refused).errors == ["You cannot disable your own account"]
    deleting = post(admin, f"/admin/users/{own}/delete", version=version(admin, own), confirm="yes")
    assert deleting.status_code == 400
    assert read_page(deleting).errors == ["You cannot delete your own account"]
    assert admin.get(HOME).status_code == 200
    assert audit(store) == []


def test_the_last_administrator_is_never_disabled(admin: TestClient, store: Store) -> None:
    ada = next(a for a in list_accounts(store) if a.username == "ada")
    with pytest.raises(AccountRefused, match="ada is the only administrator"):
        set_disabled(store, ada.id, ada.version, True, by="someone else")
    add_user(store, "bob", PASSWORD, Role.ADMIN, "national")
    assert set_disabled(store, ada.id, ada.version, True, by="bob") == "ada"


def test_an_account_is_deleted_after_confirming(
    admin: TestClient, nat: TestClient, store: Store
) -> None:
    account = ids(store)["nat"]
    confirm = read_page(admin.get(f"/admin/users/{account}/delete"))
    assert confirm.heading == "Delete nat's account"
    unanswered = post(admin, f"/admin/users/{account}/delete", version=confirm.inputs["version"])
    assert unanswered.status_code == 400
    assert read_page(unanswered).errors == ["Select whether to delete nat's account"]
    kept = post(admin, f"/admin/users/{account}/delete", version="1", confirm="no")
    assert kept.headers["location"] == f"/admin/users/{account}"
    assert "nat" in ids(store)
    deleted = post(admin, f"/admin/users/{account}/delete", version=confirm.inputs["version"],
                   confirm="yes")  # fmt: skip
    assert deleted.headers["location"] == "/admin/users"
    assert read_page(admin.get("/admin/users")).banner == "nat's account was deleted."
    assert "nat" not in ids(store)
    assert nat.get(HOME).status_code == 303
    assert admin.get(f"/admin/users/{account}").status_code == 404
    with store.engine.connect() as connection:
        sessions = connection.execute(
            select(func.count()).select_from(schema.WebSession)
        ).scalar_one()
    assert sessions == 1  # ada's
    [event] = audit(store)
    assert event == ("delete user", "user nat", {"username": "nat", "role": "national",
                                                 "scope": "national"}, None)  # fmt: skip


def test_signing_someone_out_everywhere(
    admin: TestClient, nat: TestClient, store: Store, app: FastAPI
) -> None:
    with _client(app) as second:
        signed_in(second, "nat")
        account = ids(store)["nat"]
        response = post(admin, f"/admin/users/{account}/end-sessions")
        assert response.status_code == 303
        banner = read_page(admin.get(f"/admin/users/{account}")).banner
        assert banner == "nat was signed out of 2 sessions."
        assert nat.get(HOME).status_code == 303 and second.get(HOME).status_code == 303
    own = ids(store)["ada"]
    post(admin, f"/admin/users/{own}/end-sessions")  # ada's other sessions: none
    assert read_page(admin.get(f"/admin/users/{own}")).banner == (
        "ada was signed out of 0 sessions elsewhere."
    )
    assert admin.get(HOME).status_code == 200
    assert [event[:4] for event in audit(store)] == [
        ("end user sessions", "user nat", {"sessions ended": 0}, {"sessions ended": 2}),
        ("end user sessions", "user ada", {"sessions ended": 0}, {"sessions ended": 0}),
    ]


def test_a_reset_password_replaces_the_old_one(
    admin: TestClient, nat: TestClient, store: Store, app: FastAPI
) -> None:
    account = ids(store)["nat"]
    short = post(admin, f"/admin/users/{account}/password", version=version(admin, account),
                 password="short")  # fmt: skip
    assert short.status_code == 400
    assert read_page(short).inline_errors["password"] == (
        "Choose a password of at least 12 characters"
    )
    new = "given to nat in person"
    done = post(admin, f"/admin/users/{account}/password", version=version(admin, account),
                password=new)  # fmt: skip
    assert done.status_code == 303
    assert nat.get(HOME).status_code == 303
    with _client(app) as again:
        assert sign_in_attempt(again, "nat", PASSWORD).status_code == 401
        assert sign_in_attempt(again, "nat", new).status_code == 303
    [event] = audit(store)
    assert event == ("reset user password", "user nat", {"password": "previous"},
                     {"password": "new", "sessions ended": 1})  # fmt: skip


def test_two_administrators_never_overwrite_each_other(
    admin: TestClient, store: Store, app: FastAPI
) -> None:
    add_user(store, "bob", PASSWORD, Role.ADMIN, "national")
    account = ids(store)["nat"]
    with _client(app) as bob:
        signed_in(bob, "bob")
        seen_by_ada = version(admin, account)
        seen_by_bob = version(bob, account)
        post(bob, f"/admin/users/{account}/disable", version=seen_by_bob)
        typed = {"role": "regional_lead", "scope": "R1", "full_name": "Nat Jones", "email": ""}
        stale = post(admin, f"/admin/users/{account}", version=seen_by_ada, **typed)
    assert stale.status_code == 409
    page = read_page(stale)
    assert page.errors[0].startswith("Someone else changed nat's account after you opened")
    assert page.summary["Status"] == "Disabled: cannot sign in"  # the account as it is now
    assert page.inputs["full_name"] == "Nat Jones" and page.inputs["scope"] == "R1"
    assert page.inputs["version"] == str(int(seen_by_ada) + 1)
    assert next(a for a in list_accounts(store) if a.username == "nat").role is Role.NATIONAL
    saved = post(admin, f"/admin/users/{account}", **{**typed, "version": page.inputs["version"]})
    assert saved.status_code == 303
    assert [event[0] for event in audit(store)] == ["disable user", "change user"]


def test_a_name_and_email_are_recorded_and_checked(admin: TestClient, store: Store) -> None:
    account = ids(store)["nat"]
    fields = {"role": "national", "scope": "national", "version": version(admin, account)}
    wrong = post(admin, f"/admin/users/{account}", **fields, full_name="Nat\nJones",
                 email="nat@")  # fmt: skip
    assert wrong.status_code == 400
    assert read_page(wrong).inline_errors == {
        "full_name": "Enter a full name of up to 200 characters, on one line",
        "email": "Enter an email address in the correct format, like name@example.org",
    }
    saved = post(admin, f"/admin/users/{account}", **fields, full_name="Nat Jones",
                 email="nat.jones@probation.example")  # fmt: skip
    assert saved.status_code == 303
    page = read_page(admin.get(f"/admin/users/{account}"))
    assert page.summary["Full name"] == "Nat Jones"
    assert page.summary["Email address"] == "nat.jones@probation.example"
    [event] = audit(store)
    assert event[2:] == (
        {"role": "national", "scope": "national"},
        {"role": "national", "scope": "national", "full_name": "Nat Jones",
         "email": "nat.jones@probation.example"},
    )  # fmt: skip
