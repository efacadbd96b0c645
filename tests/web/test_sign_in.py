"""The sign-in page: one answer for every refusal, slowed guesses, and where it sends people."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import update

from tests.web.sessions import PASSWORD, Clock, read_page, sign_in_attempt, signed_in
from wmt.domain.access import Role
from wmt.services.accounts import add_user
from wmt.services.sign_in import REFUSAL
from wmt.services.throttle import USERNAME_FREE_ATTEMPTS
from wmt.store import schema
from wmt.store.transactions import Store

HOME = "/national/national/overview"


@pytest.fixture
def people(app: FastAPI, store: Store) -> FastAPI:
    add_user(store, "gone", PASSWORD, Role.NATIONAL, "national")
    add_user(store, "kim@probation.example", None, Role.NATIONAL, "national")
    accounts = schema.table_of(schema.UserAccount)
    with store.engine.begin() as connection:
        connection.execute(
            update(accounts).where(accounts.c.username == "gone").values(disabled=True)
        )
    return app


@pytest.fixture
def browser(people: FastAPI) -> Iterator[TestClient]:
    with TestClient(people, base_url="https://testserver", follow_redirects=False) as client:
        yield client


def answer(response: Response) -> tuple[int, str, list[str], str]:
    """What a person is told: status, title, the error summary, and the whole page's text."""
    page = read_page(response)
    return response.status_code, page.title, page.errors, page.main


def test_every_refusal_gets_the_same_page(browser: TestClient, clock: Clock) -> None:
    for _ in range(USERNAME_FREE_ATTEMPTS):
        sign_in_attempt(browser, "nat", "a wrong guess")
    throttled = sign_in_attempt(browser, "nat", PASSWORD)  # right, but too soon after guesses
    answers = {
        "wrong username": answer(sign_in_attempt(browser, "nobody", PASSWORD)),
        "wrong password": answer(sign_in_attempt(browser, "gone", "a wrong guess")),
        "disabled account": answer(sign_in_attempt(browser, "gone", PASSWORD)),
        "organisation only": answer(sign_in_attempt(browser, "kim@probation.example", "")),
        "throttled": answer(throttled),
    }
    expected = answers["wrong username"]
    assert expected[:3] == (401, "Error: Sign in – wmt", [REFUSAL])
    assert answers == dict.fromkeys(answers, expected)
    clock.advance(seconds=1)
    assert sign_in_attempt(browser, "nat", PASSWORD).headers["location"] == "/"


def test_the_right_password_gets_in_once_the_delay_is_over(
    browser: TestClient, clock: Clock
) -> None:
    for _ in range(USERNAME_FREE_ATTEMPTS):
        sign_in_attempt(browser, "nat", "a wrong guess")  # the next must wait 1 second
    clock.advance(seconds=1)
    sign_in_attempt(browser, "nat", "a wrong guess")  # the next must wait 2 seconds
    clock.advance(seconds=1)
    assert sign_in_attempt(browser, "nat", PASSWORD).status_code == 401
    assert browser.get(HOME).status_code == 303
    clock.advance(seconds=1)
    assert sign_in_attempt(browser, "nat", PASSWORD).status_code == 303
    assert browser.get(HOME).status_code == 200


def test_a_username_signs_in_whatever_its_capitals(browser: TestClient) -> None:
    signed_in(browser, "NAT")
    assert "Signed in as nat" in read_page(browser.get(HOME)).body


def test_what_was_typed_comes_back_but_never_the_password(browser: TestClient) -> None:
    refused = read_page(sign_in_attempt(browser, "Nat ", "a wrong guess"))
    assert refused.inputs["username"] == "Nat "
    assert refused.inputs["password"] == ""


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "/\\evil.example/", "https://evil.example/", "/\t/evil.example", "é"],
)
def test_sign_in_returns_only_to_pages_of_this_site(browser: TestClient, target: str) -> None:
    assert read_page(browser.get("/sign-in", params={"next": target})).inputs["next"] == "/"
    token = read_page(browser.get("/sign-in")).inputs["csrf_token"]
    response = browser.post(
        "/sign-in",
        data={"username": "nat", "password": PASSWORD, "csrf_token": token, "next": target},
    )
    assert response.headers["location"] == "/"


def test_checking_a_password_never_runs_on_the_event_loop(app: FastAPI) -> None:
    hashing = {("POST", "/sign-in"), ("POST", "/account/password")}
    endpoints = {
        (method, route.path): route.endpoint
        for route in iter_route_contexts(app.routes)
        for method in route.methods or ()
    }
    for found in hashing:
        assert not inspect.iscoroutinefunction(endpoints[found]), found
