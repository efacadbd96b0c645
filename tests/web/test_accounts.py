"""People change their own password: the session they use goes on, every other one ends."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from tests.web.sessions import PASSWORD, form_token, read_page, sign_in_attempt, signed_in
from wmt.store import schema
from wmt.store.transactions import Store

HOME = "/national/national/overview"
NEW = "a new and longer password"


def _client(app: FastAPI) -> TestClient:
    return TestClient(app, base_url="https://testserver", follow_redirects=False)


@pytest.fixture
def nat(app: FastAPI) -> Iterator[TestClient]:
    with _client(app) as client:
        yield signed_in(client, "nat")


def change(client: TestClient, current: str, new: str, again: str | None = None) -> Response:
    response = client.post(
        "/account/password",
        data={
            "csrf_token": form_token(client, "/account/password"),
            "current_password": current,
            "new_password": new,
            "confirm_password": new if again is None else again,
        },
    )
    assert isinstance(response, Response)
    return response


def test_the_signed_in_area_links_to_changing_the_password(nat: TestClient) -> None:
    page = read_page(nat.get(HOME))
    assert page.links["Change password"] == "/account/password"
    form = read_page(nat.get("/account/password"))
    assert form.heading == "Change your password"
    assert {"current_password", "new_password", "confirm_password"} <= set(form.inputs)


def test_a_new_password_keeps_this_session_and_ends_the_others(
    app: FastAPI, nat: TestClient, store: Store
) -> None:
    with _client(app) as elsewhere:
        signed_in(elsewhere, "nat")
        response = change(nat, PASSWORD, NEW)
        assert response.headers["location"] == "/account/password"
        page = read_page(nat.get("/account/password"))
        assert page.banner == (
            "Your password has been changed. You have been signed out everywhere else."
        )
        assert nat.get(HOME).status_code == 200
        assert elsewhere.get(HOME).status_code == 303
        assert sign_in_attempt(elsewhere, "nat", PASSWORD).status_code == 401
        assert sign_in_attempt(elsewhere, "nat", NEW).status_code == 303
    table = schema.table_of(schema.AuditEvent)
    with store.engine.connect() as connection:
        [event] = connection.execute(select(table)).all()
    assert (event.username, event.action, event.subject) == (
        "nat",
        "change own password",
        "user nat",
    )
    assert json.loads(event.after) == {"password": "new", "other sessions ended": 1}
    assert PASSWORD not in str(event) and NEW not in str(event)


@pytest.mark.parametrize(
    ("current", "new", "again", "field", "message"),
    [
        ("", NEW, NEW, "current_password", "Enter your current password"),
        ("not it at all", NEW, NEW, "current_password", "Your current password is not right."),
        (PASSWORD, "too short", "too short", "new_password", "Choose a password of at least 12"),
        (PASSWORD, NEW, NEW + "!", "confirm_password", "Enter the same new password twice"),
        (PASSWORD, "x" * 1001, "x" * 1001, "new_password", "Choose a password of 1000"),
    ],
)
def test_a_password_that_cannot_be_used_is_refused_and_nothing_changes(
    nat: TestClient, current: str, new: str, again: str, field: str, message: str
) -> None:
    response = change(nat, current, new, again)
    assert response.status_code == 400
    page = read_page(response)
    assert page.title.startswith("Error: ")
    assert len(page.errors) == 1 and page.errors[0].startswith(message)
    assert page.inline_errors[field].startswith(message)
    assert all(value == "" for name, value in page.inputs.items() if "password" in name)
    assert nat.get(HOME).status_code == 200
    app = nat.app
    assert isinstance(app, FastAPI)
    with _client(app) as other:
        assert sign_in_attempt(other, "nat", PASSWORD).status_code == 303
