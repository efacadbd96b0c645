"""Signing in through an organisation's OpenID Connect provider, against a real provider.

The provider runs on a loopback port in a thread; the browser's part is played by the
TestClient on the wmt side and by httpx on the provider's side.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from oidc_provider_mock import User, run_server_in_thread  # type: ignore[import-untyped]
from sqlalchemy import select

from tests import html
from tests.case_folders import write_folder
from tests.conftest import run_wmt
from tests.web.sessions import PASSWORD, form_token, read_page, session_row, signed_in
from wmt.domain.access import Role, Viewer
from wmt.errors import WmtError
from wmt.services.accounts import add_user, viewer_for
from wmt.services.importing import import_case_folder
from wmt.services.sign_in import SignInRefused, sign_in
from wmt.store import schema
from wmt.store.transactions import Store
from wmt.web.app import create_app
from wmt.web.organisation_sign_in import DEFAULT_USERNAME_CLAIMS, OidcSettings

ADDRESS = "192.0.2.20"
WMT = "https://testserver"
CALLBACK = f"{WMT}/sign-in/oidc/callback"
MANAGER = "manager@probation.example"
# The people the provider knows, by subject; claims as their organisation holds them.
PEOPLE = {
    "manager": {"preferred_username": MANAGER, "email": "m.smith@probation.example"},
    "stranger": {"preferred_username": "stranger@probation.example"},
    "lead": {"email": "lead@probation.example"},
}


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    users = [User(sub=sub, claims=dict(claims)) for sub, claims in PEOPLE.items()]
    with run_server_in_thread(require_client_registration=True, user_claims=users) as server:
        issuer = f"http://localhost:{server.server_port}"
        registered = httpx.post(f"{issuer}/oauth2/clients", json={"redirect_uris": [CALLBACK]})
        assert registered.status_code == 201, registered.text
        client = registered.json()
        yield Provider(issuer, client["client_id"], client["client_secret"])


def settings_for(provider: Provider, **changes: Any) -> OidcSettings:
    settings = OidcSettings(
        issuer=provider.issuer,
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        name="Probation Service",
    )
    return OidcSettings(**{**settings.__dict__, **changes})


@pytest.fixture
def imported(store: Store, tmp_path: Path) -> Store:
    # Region R1 > PDU P1 > teams T1 (S1, S2) and T2 (S3).
    import_case_folder(store, write_folder(tmp_path / "s"))
    add_user(store, MANAGER, None, Role.TEAM_MANAGER, "T1")
    add_user(store, "lead@probation.example", None, Role.REGIONAL_LEAD, "R1")
    return store


@pytest.fixture
def app(imported: Store, provider: Provider) -> FastAPI:
    return create_app(imported, oidc=settings_for(provider))


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url=WMT) as client:
        yield client


def to_provider(browser: TestClient, next: str = "/team/T1/overview") -> str:
    """Press "Sign in with …": wmt sends the browser to the provider's authorisation page."""
    response = browser.get("/sign-in/oidc", params={"next": next}, follow_redirects=False)
    assert response.status_code == 302, response.text
    location: str = response.headers["location"]
    asked = httpx.URL(location)
    assert asked.path == "/oauth2/authorize"
    assert asked.params["redirect_uri"] == CALLBACK
    assert {"state", "nonce", "code_challenge"} <= set(asked.params.keys())
    return location


def authorise(authorisation_url: str, sub: str) -> str:
    """Complete the provider's form as the person `sub`; the provider sends them back."""
    form = httpx.get(authorisation_url)
    assert form.status_code == 200 and "sub" in html.fields(form)
    answer = httpx.post(authorisation_url, data={"sub": sub})
    assert answer.status_code == 302, answer.text
    callback: str = answer.headers["location"]
    assert callback.startswith(f"{CALLBACK}?")
    return callback


def signed_in_as(store: Store, browser: TestClient) -> str | None:
    """The username of the account the browser's session is signed in to, from the store."""
    row = session_row(store, browser)
    if row is None or row["user_account_id"] is None:
        return None
    table = schema.table_of(schema.UserAccount)
    with store.engine.connect() as connection:
        username = connection.execute(
            select(table.c.username).where(table.c.id == row["user_account_id"])
        ).scalar_one()
    return str(username)


def refusal(response: httpx.Response) -> str:
    """Why the page says the person is not signed in."""
    assert html.headings(response)[0] == "You are not signed in"
    reason = html.main(response).find("p")
    assert reason is not None
    return reason.text


def assert_nobody_signed_in(browser: TestClient) -> None:
    app = browser.app
    assert isinstance(app, FastAPI)
    assert signed_in_as(app.state.store, browser) is None
    response = browser.get("/team/T1/overview", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in?")


def test_a_manager_signs_in_through_their_organisation_and_sees_their_team(
    browser: TestClient, imported: Store
) -> None:
    browser.get("/sign-in")
    before = browser.cookies.get("wmt_session")
    callback = authorise(to_provider(browser, "/team/T1/overview?as_of=2026-11-20"), "manager")
    back = browser.get(callback, follow_redirects=False)
    assert back.status_code == 303, back.text
    assert back.headers["location"] == "/team/T1/overview?as_of=2026-11-20"
    assert signed_in_as(imported, browser) == MANAGER
    assert browser.cookies.get("wmt_session") != before  # a new session at sign-in
    assert browser.get("/team/T1/overview").status_code == 200
    assert browser.get("/team/T2/overview").status_code == 404
    assert browser.get("/", follow_redirects=False).headers["location"] == "/team/T1/overview"


def test_the_email_claim_is_used_when_there_is_no_preferred_username(
    browser: TestClient, imported: Store
) -> None:
    back = browser.get(authorise(to_provider(browser, "/region/R1/overview"), "lead"))
    assert back.status_code == 200
    assert signed_in_as(imported, browser) == "lead@probation.example"


def test_the_provider_only_ever_returns_people_to_this_site(browser: TestClient) -> None:
    back = browser.get(
        authorise(to_provider(browser, "//evil.example/"), "manager"), follow_redirects=False
    )
    assert back.headers["location"] == "/"


def test_an_organisation_account_without_a_wmt_account_is_refused(browser: TestClient) -> None:
    refused = browser.get(authorise(to_provider(browser), "stranger"))
    assert refused.status_code == 403
    assert refusal(refused) == (
        "Your organisation account stranger@probation.example has no access to wmt yet; "
        "ask an administrator to add it."
    )
    assert_nobody_signed_in(browser)


def test_a_tampered_or_absent_state_is_refused(browser: TestClient) -> None:
    callback = authorise(to_provider(browser), "manager")
    code = httpx.URL(callback).params["code"]
    state = httpx.URL(callback).params["state"]
    tampered = browser.get("/sign-in/oidc/callback", params={"code": code, "state": state + "x"})
    assert tampered.status_code == 400
    assert refusal(tampered).startswith("This sign-in did not start here or has expired")
    assert_nobody_signed_in(browser)
    absent = browser.get("/sign-in/oidc/callback", params={"code": code})
    assert absent.status_code == 400
    assert_nobody_signed_in(browser)


def test_a_callback_from_another_browser_is_refused(app: FastAPI, browser: TestClient) -> None:
    callback = authorise(to_provider(browser), "manager")
    with TestClient(app, base_url=WMT) as other:
        assert other.get(callback).status_code == 400
        assert_nobody_signed_in(other)


def test_a_person_who_denies_the_request_is_not_signed_in(browser: TestClient) -> None:
    denied = httpx.post(to_provider(browser), data={"action": "deny"})
    assert denied.status_code == 302
    refused = browser.get(denied.headers["location"])
    assert refused.status_code == 400
    assert "Probation Service did not sign you in (access_denied)" in refusal(refused)
    assert_nobody_signed_in(browser)


def test_a_wrong_client_secret_is_refused_by_the_provider(
    imported: Store, provider: Provider
) -> None:
    app = create_app(imported, oidc=settings_for(provider, client_secret="wrong"))
    with TestClient(app, base_url=WMT) as browser:
        refused = browser.get(authorise(to_provider(browser), "manager"))
        assert refused.status_code == 400
        assert "(invalid_client)" in refusal(refused)
        assert_nobody_signed_in(browser)


OIDC_LINK = "/sign-in/oidc?next=/team/T1/overview%3Fas_of%3D2026-11-20"


def test_the_sign_in_page_offers_the_organisation_only_when_configured(
    app: FastAPI, imported: Store
) -> None:
    with TestClient(app, base_url=WMT) as browser:
        page = browser.get("/sign-in?next=/team/T1/overview?as_of=2026-11-20")
        assert ("Sign in with Probation Service", OIDC_LINK) in html.links(page)
        assert "password" in html.fields(page)
    plain = create_app(imported)
    with TestClient(plain, base_url=WMT) as browser:
        page = browser.get("/sign-in")
        assert not [text for text, _ in html.links(page) if text.startswith("Sign in with")]
        assert not [href for href in html.hrefs(page) if href.startswith("/sign-in/oidc")]
        assert "password" in html.fields(page)
        assert browser.get("/sign-in/oidc", follow_redirects=False).status_code == 404


def test_an_account_without_a_password_never_signs_in_locally(
    app: FastAPI, imported: Store
) -> None:
    for guess in ("", "not a password anyone has", "!no-local-password", PASSWORD):
        with pytest.raises(SignInRefused):
            sign_in(imported, MANAGER, guess, ADDRESS)
    add_user(imported, "nat", PASSWORD, Role.NATIONAL, "national")
    assert sign_in(imported, "nat", PASSWORD, ADDRESS).viewer.username == "nat"
    with TestClient(app, base_url=WMT) as browser:
        signed_in(browser, "nat")
        assert signed_in_as(imported, browser) == "nat"


def test_accounts_are_found_by_username(imported: Store) -> None:
    assert viewer_for(imported, MANAGER) == Viewer(MANAGER, Role.TEAM_MANAGER, "T1")
    assert viewer_for(imported, MANAGER.upper()) == Viewer(MANAGER, Role.TEAM_MANAGER, "T1")
    assert viewer_for(imported, "nobody") is None
    assert viewer_for(imported, "nul\x00") is None


def test_settings_come_from_the_environment_or_are_off() -> None:
    assert OidcSettings.from_environment({}) is None
    environment = {
        "WMT_OIDC_ISSUER": "https://sign-in.probation.example/",
        "WMT_OIDC_CLIENT_ID": "wmt",
        "WMT_OIDC_CLIENT_SECRET": "s3cret",
    }
    settings = OidcSettings.from_environment(environment)
    assert settings is not None
    assert settings.username_claims == DEFAULT_USERNAME_CLAIMS
    assert settings.name == "your organisation"
    assert settings.discovery_url == (
        "https://sign-in.probation.example/.well-known/openid-configuration"
    )
    chosen = OidcSettings.from_environment(
        {**environment, "WMT_OIDC_USERNAME_CLAIM": "upn", "WMT_OIDC_NAME": "HMPPS"}
    )
    assert chosen is not None and (chosen.username_claims, chosen.name) == (("upn",), "HMPPS")
    with pytest.raises(WmtError, match="set WMT_OIDC_CLIENT_SECRET too"):
        OidcSettings.from_environment({**environment, "WMT_OIDC_CLIENT_SECRET": ""})


def test_the_app_reads_the_settings_from_the_environment(
    imported: Store, provider: Provider, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WMT_OIDC_ISSUER", provider.issuer)
    monkeypatch.setenv("WMT_OIDC_CLIENT_ID", provider.client_id)
    monkeypatch.setenv("WMT_OIDC_CLIENT_SECRET", provider.client_secret)
    monkeypatch.setenv("WMT_OIDC_NAME", "the Probation Service")
    with TestClient(create_app(imported), base_url=WMT) as browser:
        offered = [text for text, _ in html.links(browser.get("/sign-in"))]
        assert "Sign in with the Probation Service" in offered
        browser.get(authorise(to_provider(browser), "manager"))
        assert signed_in_as(imported, browser) == MANAGER


def test_the_command_line_adds_an_account_that_signs_in_only_through_the_organisation(
    database_url: str,
) -> None:
    added = run_wmt(
        "users", "add", "kim@probation.example", "--role", "practitioner", "--scope", "S1",
        "--oidc", db=database_url,
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    assert "Added kim@probation.example (practitioner, S1" in added.stdout
    from wmt.store.database import open_store

    store = open_store(database_url)
    try:
        assert viewer_for(store, "kim@probation.example") == Viewer(
            "kim@probation.example", Role.PRACTITIONER, "S1"
        )
        with pytest.raises(SignInRefused):
            sign_in(store, "kim@probation.example", "", ADDRESS)
    finally:
        store.engine.dispose()


def test_someone_who_signs_in_through_their_organisation_has_no_password_to_change(
    browser: TestClient,
) -> None:
    browser.get(authorise(to_provider(browser), "manager"))
    assert "Change password" not in read_page(browser.get("/team/T1/overview")).links
    page = read_page(browser.get("/account/password"))
    assert "you have no wmt password to change" in page.main
    assert "current_password" not in page.inputs
    refused = browser.post(
        "/account/password",
        data={
            "csrf_token": form_token(browser, "/account/password"),
            "current_password": "anything at all",
            "new_password": "a new and longer password",
            "confirm_password": "a new and longer password",
        },
    )
    assert refused.status_code == 400
    assert read_page(refused).errors == ["You have no wmt password to change"]
