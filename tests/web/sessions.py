"""Signing in to the real application in tests, and reading its pages as a person would."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from tests import html
from wmt.services.sessions import token_digest
from wmt.store import schema
from wmt.store.transactions import Store

PASSWORD = "correct horse battery"
COOKIE = "wmt_session"


@dataclass
class Page:
    """What a page says: its main heading, the error summary, its text, and its form fields."""

    heading: str = ""
    title: str = ""
    errors: list[str] = field(default_factory=list)
    inline_errors: dict[str, str] = field(default_factory=dict)
    main: str = ""
    body: str = ""  # everything on the page, the menu and the footer too
    banner: str = ""
    inputs: dict[str, str] = field(default_factory=dict)  # name -> value
    links: dict[str, str] = field(default_factory=dict)  # text -> href
    forms: list[str] = field(default_factory=list)  # each form's action
    summary: dict[str, str] = field(default_factory=dict)  # the first summary list: key -> value


def read_page(response: Response | str) -> Page:
    """The page as a person reads it (tags gone, entities decoded, spaces folded)."""
    root = html.parse(response)
    found = {tag: root.find(tag) for tag in ("h1", "title", "main", "body")}
    text = {tag: element.text if element is not None else "" for tag, element in found.items()}
    return Page(
        heading=text["h1"],
        title=text["title"],
        errors=html.error_messages(root),
        inline_errors=html.field_errors(root),
        main=text["main"],
        body=text["body"],
        banner=html.banner(root),
        inputs=html.fields(root),
        links=dict(html.links(root)),
        forms=[form.get("action") for form in root.find_all("form")],
        summary=html.summary_list(root) if root.find(css_class="govuk-summary-list") else {},
    )


def form_token(client: TestClient, url: str = "/sign-in") -> str:
    """The CSRF token the page at `url` puts in its forms."""
    token = read_page(client.get(url)).inputs.get("csrf_token")
    assert token, url
    return token


def sign_in_attempt(client: TestClient, username: str, password: str) -> Response:
    response = client.post(
        "/sign-in",
        data={
            "username": username,
            "password": password,
            "csrf_token": form_token(client),
            "next": "/",
        },
        follow_redirects=False,
    )
    assert isinstance(response, Response)
    return response


def signed_in(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    response = sign_in_attempt(client, username, password)
    assert response.status_code == 303, response.text
    return client


def signed_in_client(app: FastAPI, username: str, password: str = PASSWORD) -> TestClient:
    """A browser of the application, over HTTPS as the session cookie needs, signed in as
    `username` (use it in a `with` block so the application starts and stops)."""
    return signed_in(TestClient(app, base_url="https://testserver"), username, password)


def session_row(store: Store, client: TestClient) -> dict[str, object] | None:
    """The store's row for the client's session cookie, if there is one."""
    token = client.cookies.get(COOKIE)
    if token is None:
        return None
    table = schema.table_of(schema.WebSession)
    with store.engine.connect() as connection:
        row = connection.execute(
            select(table).where(table.c.token_digest == token_digest(token))
        ).first()
    return dict(row._mapping) if row is not None else None


class Clock:
    """A clock the application reads instead of the real one (UTC), moved on by tests."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **period: float) -> None:
        self.now += timedelta(**period)
