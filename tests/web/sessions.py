"""Signing in to the real application in tests, and reading its pages as a person would."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html.parser import HTMLParser

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from wmt.services.sessions import token_digest
from wmt.store import schema
from wmt.store.transactions import Store

PASSWORD = "correct horse battery"
COOKIE = "wmt_session"
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


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


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.open: list[tuple[str, dict[str, str]]] = []
        self.texts: dict[int, list[str]] = {}
        self.link_href: str | None = None
        self.link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "input" and "name" in attributes:
            self.page.inputs.setdefault(attributes["name"], attributes.get("value", ""))
        if tag == "form":
            self.page.forms.append(attributes.get("action", ""))
        if tag == "a":
            self.link_href, self.link_text = attributes.get("href", ""), []
        if tag in _VOID:
            return
        self.open.append((tag, attributes))
        self.texts[len(self.open)] = []

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not self.open:
            return
        depth = len(self.open)
        opened, attributes = self.open.pop()
        text = " ".join(" ".join(self.texts.pop(depth, [])).split())
        if depth > 1:
            self.texts.setdefault(depth - 1, []).append(text)
        classes = attributes.get("class", "").split()
        if opened == "h1" and not self.page.heading:
            self.page.heading = text
        elif opened == "title":
            self.page.title = text
        elif opened == "main":
            self.page.main = text
        elif opened == "body":
            self.page.body = text
        elif opened == "li" and self._inside("govuk-error-summary__list"):
            self.page.errors.append(text)
        elif "govuk-error-message" in classes:
            field_id = attributes.get("id", "").removesuffix("-error")
            self.page.inline_errors[field_id] = text.removeprefix("Error:").strip()
        elif "govuk-notification-banner__heading" in classes:
            self.page.banner = text
        if opened == "a" and self.link_href is not None:
            self.page.links[" ".join(" ".join(self.link_text).split())] = self.link_href
            self.link_href = None

    def handle_data(self, data: str) -> None:
        if self.open:
            self.texts[len(self.open)].append(data)
        if self.link_href is not None:
            self.link_text.append(data)

    def _inside(self, css_class: str) -> bool:
        return any(css_class in attributes.get("class", "").split() for _, attributes in self.open)


def read_page(response: Response | str) -> Page:
    """The page as a person reads it (tags gone, entities decoded, spaces folded)."""
    reader = _Reader()
    reader.feed(response if isinstance(response, str) else response.text)
    reader.close()
    return reader.page


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
