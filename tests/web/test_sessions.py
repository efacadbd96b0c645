"""Sessions through the real application: a copied cookie stops working whenever the session
ends, sessions time out, and signing in always starts a new one."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.web.sessions import (
    COOKIE,
    PASSWORD,
    Clock,
    form_token,
    read_page,
    session_row,
    signed_in,
)
from wmt.domain.access import Role
from wmt.services.accounts import add_user
from wmt.store import schema
from wmt.store.transactions import Store

PAGE = "/national/national/overview"


@pytest.fixture
def people(app: FastAPI, store: Store) -> FastAPI:
    add_user(store, "ada", PASSWORD, Role.ADMIN, "national")
    return app


@pytest.fixture
def browser(people: FastAPI) -> Iterator[TestClient]:
    with TestClient(people, base_url="https://testserver", follow_redirects=False) as client:
        yield client


def copy_of(app: FastAPI, client: TestClient) -> TestClient:
    """Another browser holding a copy of this one's session cookie."""
    other = TestClient(app, base_url="https://testserver", follow_redirects=False)
    token = client.cookies.get(COOKIE)
    assert token is not None
    other.cookies.set(COOKIE, token)
    return other


def signed_out(client: TestClient) -> bool:
    response = client.get(PAGE, follow_redirects=False)
    location: str = response.headers.get("location", "")
    return response.status_code == 303 and location == f"/sign-in?next={PAGE}"


def _admin_post(admin: TestClient, url: str, **fields: str) -> None:
    response = admin.post(
        url, data={"csrf_token": form_token(admin, "/admin"), **fields}, follow_redirects=False
    )
    assert response.status_code == 303, read_page(response).errors


def _version(admin: TestClient) -> str:
    return read_page(admin.get("/admin/users/1")).inputs["version"]


def test_a_copied_cookie_is_refused_after_sign_out(people: FastAPI, browser: TestClient) -> None:
    signed_in(browser, "nat")
    with copy_of(people, browser) as copied:
        assert copied.get(PAGE).status_code == 200  # the copy works while the session lasts
        response = browser.post("/sign-out", data={"csrf_token": form_token(browser, PAGE)})
        assert response.headers["location"] == "/sign-in"
        assert signed_out(copied)
        assert signed_out(browser)


# What an administrator does to account 1 ("nat"), each of which must end nat's sessions.
ENDINGS: dict[str, Callable[[TestClient], None]] = {
    "disabled": lambda admin: _admin_post(admin, "/admin/users/1/disable", version=_version(admin)),
    "deleted": lambda admin: _admin_post(
        admin, "/admin/users/1/delete", version=_version(admin), confirm="yes"
    ),
    "role changed": lambda admin: _admin_post(
        admin,
        "/admin/users/1",
        version=_version(admin),
        role="regional_lead",
        scope="R1",
        full_name="",
        email="",
    ),
    "password reset": lambda admin: _admin_post(
        admin, "/admin/users/1/password", version=_version(admin), password="a brand new one!"
    ),
    "signed out everywhere": lambda admin: _admin_post(admin, "/admin/users/1/end-sessions"),
}


@pytest.mark.parametrize("ending", list(ENDINGS))
def test_a_copied_cookie_is_refused_once_an_administrator_acts(
    people: FastAPI, browser: TestClient, ending: str
) -> None:
    signed_in(browser, "nat")
    with (
        copy_of(people, browser) as copied,
        TestClient(people, base_url="https://testserver", follow_redirects=False) as admin,
    ):
        signed_in(admin, "ada")
        assert copied.get(PAGE).status_code == 200
        ENDINGS[ending](admin)
        assert signed_out(copied), ending
        assert signed_out(browser), ending
        assert admin.get(PAGE).status_code == 200  # the administrator's own session goes on


def test_changing_only_a_name_or_email_keeps_the_person_signed_in(
    people: FastAPI, browser: TestClient
) -> None:
    signed_in(browser, "nat")
    with TestClient(people, base_url="https://testserver", follow_redirects=False) as admin:
        signed_in(admin, "ada")
        _admin_post(
            admin,
            "/admin/users/1",
            version=_version(admin),
            role="national",
            scope="national",
            full_name="Nat Jones",
            email="nat.jones@probation.example",
        )
    assert browser.get(PAGE).status_code == 200


def test_a_session_ends_after_thirty_minutes_without_a_page(
    browser: TestClient, clock: Clock
) -> None:
    signed_in(browser, "nat")
    clock.advance(minutes=29)
    assert browser.get(PAGE).status_code == 200
    clock.advance(minutes=29)  # 58 minutes since signing in, 29 since the last page
    assert browser.get(PAGE).status_code == 200
    clock.advance(minutes=30)
    assert signed_out(browser)


def test_a_session_ends_twelve_hours_after_signing_in_however_busy(
    browser: TestClient, clock: Clock
) -> None:
    signed_in(browser, "nat")
    for _ in range(12 * 4 - 1):
        clock.advance(minutes=15)
        assert browser.get(PAGE).status_code == 200
    clock.advance(minutes=15)
    assert signed_out(browser)


def test_a_visit_is_noted_at_most_once_a_minute(
    browser: TestClient, store: Store, clock: Clock
) -> None:
    signed_in(browser, "nat")
    start = clock.now
    clock.advance(seconds=40)
    browser.get(PAGE)
    row = session_row(store, browser)
    assert row is not None and row["last_seen_at"] == start
    clock.advance(seconds=40)
    browser.get(PAGE)
    row = session_row(store, browser)
    assert row is not None and row["last_seen_at"] == clock.now


def test_signing_in_starts_a_new_session_and_drops_the_one_before(
    people: FastAPI, browser: TestClient, store: Store
) -> None:
    planted = form_token(browser)  # an attacker's session, planted in the browser
    before = browser.cookies.get(COOKIE)
    before_row = session_row(store, browser)
    assert before_row is not None and before_row["user_account_id"] is None
    signed_in(browser, "nat")
    after = browser.cookies.get(COOKIE)
    assert after is not None and after != before
    row = session_row(store, browser)
    assert row is not None and row["token_digest"] != before_row["token_digest"]
    assert form_token(browser, PAGE) != planted  # a new form token too
    with TestClient(people, base_url="https://testserver", follow_redirects=False) as attacker:
        assert before is not None
        attacker.cookies.set(COOKIE, before)
        assert signed_out(attacker)


def test_the_stored_digest_is_no_cookie(people: FastAPI, browser: TestClient, store: Store) -> None:
    signed_in(browser, "nat")
    row = session_row(store, browser)
    assert row is not None
    with TestClient(people, base_url="https://testserver", follow_redirects=False) as thief:
        thief.cookies.set(COOKIE, str(row["token_digest"]))
        assert signed_out(thief)


def _sessions(store: Store) -> int:
    with store.engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(schema.WebSession))
        return int(count.scalar_one())


def test_a_visitor_gets_a_session_only_once_there_is_something_to_keep(
    browser: TestClient, store: Store
) -> None:
    for url in (PAGE, "/api/openapi.json", "/static/wmt.css"):
        response = browser.get(url, follow_redirects=False)
        assert "set-cookie" not in response.headers, url
    assert _sessions(store) == 0
    browser.get("/sign-in")  # the form's token must be kept
    assert _sessions(store) == 1
    browser.get("/sign-in")
    assert _sessions(store) == 1  # the same session, unchanged: nothing written


def test_a_cookie_that_opens_nothing_is_dropped(browser: TestClient) -> None:
    browser.cookies.set(COOKIE, "made-up-token-" + "x" * 30)
    response = browser.get(PAGE, follow_redirects=False)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith(f"{COOKIE}=;") and "max-age=0" in cookie


def test_an_idle_visitors_session_is_tidied_away(
    browser: TestClient, store: Store, clock: Clock
) -> None:
    browser.get("/sign-in")
    assert _sessions(store) == 1
    clock.advance(minutes=31)
    browser.get("/sign-in")  # a new session; the old one is removed while tidying
    assert _sessions(store) == 1
