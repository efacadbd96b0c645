"""No input makes a form fail. Every field of the admin, sign-in and password forms is posted
awkward values (numbers too big or not numbers at all, digits that are not 0 to 9, NaN and
Infinity, control characters, text far too long, fields left out) with a valid form token:
first each awkward value in each field of an otherwise good form, then combinations that
hypothesis generates. No answer is a server error; a refusal says what is wrong, on the page,
and leaves the store as it was."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.web.sessions import PASSWORD, Clock, form_token, read_page, signed_in
from tests.web.test_admin import REASON
from wmt.domain.access import Role
from wmt.services.accounts import add_user, list_accounts
from wmt.services.points import newest_document
from wmt.services.reasons import list_reasons
from wmt.store import schema
from wmt.store.transactions import Store

# Tables that change on any visit (sessions) or on any failed sign-in (the counts that slow
# guessing down) by design; everything else must be left as it was by a refusal.
BOOKKEEPING = {"web_session", "sign_in_throttle"}
# One of each kind of trouble, put into each field in turn.
TROUBLE = ["", "NaN", "1e400", "٣", "²", "9" * 40, "\x00", "x" * 5000]
AWKWARD = [
    *TROUBLE, " ", "0", "1", "7", "12", "31", "100", "2026", "-1", "1.5", "1e3", "nan",
    "Infinity", "-inf", "1_000", "２０２６", "line\nbreak",
    "0x1F", "a\x00b", "é", "<b>bold</b>", "'; drop table x; --", "national", "team_manager",
    "admin", "T1", "S1", "P1", "R1", "learning", "yes", "no", "nat", "NAT", "ada",
    "sam@probation.example", PASSWORD, "a long enough password",
]  # fmt: skip
TEXT = st.one_of(
    st.sampled_from(AWKWARD),
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats().map(str),
)
FUZZ = settings(
    derandomize=True,
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def business(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the bookkeeping ones, in a stable order."""
    with store.engine.connect() as connection:
        return {
            table.name: sorted(map(tuple, connection.execute(select(table))), key=repr)
            for table in schema.Base.metadata.sorted_tables
            if table.name not in BOOKKEEPING
        }


class Poster:
    """Posts forms as one browser, with the form token of its session."""

    def __init__(self, client: TestClient, store: Store) -> None:
        self.client = client
        self.store = store
        self.token = form_token(client)
        self.state = business(store)  # only the forms posted here change it

    def check(self, url: str, fields: dict[str, str]) -> None:
        """Never a server error; a refusal says what is wrong and changes nothing."""
        response = self.client.post(url, data={**fields, "csrf_token": self.token})
        assert response.status_code < 500, (url, fields, response.text[:500])
        if response.status_code == 303 and url == "/sign-in":
            self.token = form_token(self.client)  # a new session, with a new token
        if response.status_code < 400:
            self.state = business(self.store)
        else:
            assert business(self.store) == self.state, (url, fields)
            page = read_page(response)
            if response.status_code in (400, 401, 409):
                assert page.errors, (url, fields, page.main)
            else:
                assert response.status_code == 404 and page.heading, (url, fields)


def _version_of_nat(store: Store) -> str:
    found = [account.version for account in list_accounts(store) if account.username == "nat"]
    return str(found[0]) if found else "1"


def _version_of_first_reason(store: Store) -> str:
    with store.reading() as connection:
        return str(min(list_reasons(connection, include_retired=True), key=lambda r: r.id).version)


@dataclass(frozen=True)
class Form:
    url: str
    good: Callable[[Store], dict[str, str]]  # a form that would be accepted, as things are now
    who: str = "ada"  # who posts it


# Account 1 is nat's. Ada, who posts the admin forms, has another, so none signs her out.
FORMS = {
    "new points version": Form(
        "/admin/points/new",
        lambda store: {
            "effective_from-day": "1",
            "effective_from-month": "4",
            "effective_from-year": "2026",
            "document": newest_document(store),
        },
    ),
    "new reason": Form(
        "/admin/reasons/new",
        lambda _: dict(REASON),
    ),
    "changed reason": Form(
        "/admin/reasons/1",
        lambda store: {
            "version": _version_of_first_reason(store),
            "category": "personal",
            "allowance_percent": "10",
            "maximum_percent": "20",
            "months_to_expiry": "6",
            "active": "yes",
        },
    ),
    "new user": Form(
        "/admin/users/new",
        lambda _: {
            "username": "sam@probation.example",
            "full_name": "Sam Smith",
            "email": "sam@probation.example",
            "role": "team_manager",
            "scope": "T1",
            "password": "a long enough password",
        },
    ),
    "changed user": Form(
        "/admin/users/1",
        lambda store: {
            "version": _version_of_nat(store),
            "full_name": "Nat Jones",
            "email": "nat@probation.example",
            "role": "national",
            "scope": "national",
        },
    ),
    "reset password": Form(
        "/admin/users/1/password",
        lambda store: {"version": _version_of_nat(store), "password": "a long enough password"},
    ),
    "disabled user": Form("/admin/users/1/disable", lambda s: {"version": _version_of_nat(s)}),
    "enabled user": Form("/admin/users/1/enable", lambda s: {"version": _version_of_nat(s)}),
    "deleted user": Form(
        "/admin/users/1/delete", lambda s: {"version": _version_of_nat(s), "confirm": "no"}
    ),
    "cleared sign-ins": Form("/admin/users/1/unlock", lambda _: {"extra": "field"}),
    "ended sessions": Form("/admin/users/1/end-sessions", lambda _: {"extra": "field"}),
    "sign in": Form(
        "/sign-in", lambda _: {"username": "nat", "password": PASSWORD, "next": "/"}, who=""
    ),
    "own password": Form(
        "/account/password",
        lambda _: {
            "current_password": PASSWORD,
            "new_password": "a new and longer password",
            "confirm_password": "a new and longer password",
        },
        who="nat",
    ),
}


@pytest.fixture
def poster(app: FastAPI, store: Store, request: pytest.FixtureRequest) -> Iterator[Poster]:
    """A browser signed in as the person who posts the form named by the test's parameter."""
    add_user(store, "ada", PASSWORD, Role.ADMIN, "national")
    who = FORMS[request.node.callspec.params["name"]].who
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        if who:
            signed_in(client, who)
        yield Poster(client, store)


LEFT_OUT, GOOD = object(), object()


@pytest.mark.parametrize("name", list(FORMS))
def test_no_form_fails_on_what_is_typed(
    poster: Poster, store: Store, clock: Clock, name: str
) -> None:
    form = FORMS[name]
    fields = list(form.good(store))
    for field in fields:  # each kind of trouble in each field of a form otherwise good
        for value in TROUBLE:
            clock.advance(minutes=2)  # sign-in slowing down never hides what a form does
            poster.check(form.url, {**form.good(store), field: value})
        poster.check(form.url, {k: v for k, v in form.good(store).items() if k != field})

    kinds = st.one_of(st.just(GOOD), st.just(LEFT_OUT), TEXT)

    @FUZZ
    @given(st.fixed_dictionaries({field: kinds for field in fields}))
    def post(drawn: dict[str, object]) -> None:
        good = form.good(store)
        values = {
            field: good[field] if kind is GOOD else str(kind)
            for field, kind in drawn.items()
            if kind is not LEFT_OUT
        }
        clock.advance(minutes=2)
        poster.check(form.url, values)

    post()


@pytest.fixture
def admin(app: FastAPI, store: Store) -> Iterator[TestClient]:
    add_user(store, "ada", PASSWORD, Role.ADMIN, "national")
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield signed_in(client, "ada")


@FUZZ
# Any text but "." and "..", which a browser resolves to another address before sending it.
@given(
    st.one_of(
        TEXT.filter(lambda text: text.strip(".") != ""),
        st.sampled_from(["1", "0", "-1", "99999999999", "1e3"]),
    )
)
def test_an_address_naming_no_record_is_not_found(admin: TestClient, number: str) -> None:
    segment = quote(number, safe="")
    for url in (f"/admin/points/{segment}", f"/admin/reasons/{segment}", f"/admin/users/{segment}"):
        response = admin.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        if response.status_code == 404:
            assert read_page(response).heading == "Sorry, we cannot show that"
    compare = admin.get("/admin/points/compare", params={"a": number, "b": "1"})
    assert compare.status_code in (200, 404), number
