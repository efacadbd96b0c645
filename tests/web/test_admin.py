"""The administrators' pages: only admins reach them, and every change is checked and audited."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from tests import html
from tests.web.sessions import PASSWORD, Clock, form_token, read_page, signed_in
from wmt.domain.access import Role
from wmt.services.accounts import add_user
from wmt.services.sign_in import SignInRefused, sign_in
from wmt.services.throttle import USERNAME_FREE_ATTEMPTS
from wmt.store import schema
from wmt.store.transactions import Store

PAGES = [
    "/admin",
    "/admin/points",
    "/admin/points/new",
    "/admin/points/compare?a=1&b=1",
    "/admin/points/1",
    "/admin/reasons",
    "/admin/reasons/new",
    "/admin/reasons/1",
    "/admin/users",
    "/admin/users/new",
    "/admin/users/1",
    "/admin/users/1/password",
    "/admin/users/1/delete",
    "/admin/audit",
    "/admin/audit?download=csv",
]
REASON = {
    "name": "Mentoring",
    "category": "learning",
    "allowance_percent": "10",
    "maximum_percent": "20",
    "months_to_expiry": "6",
    "active": "yes",
}
IN_FORCE = {"effective_from-day": "1", "effective_from-month": "1", "effective_from-year": "2026"}
FORMS: dict[str, dict[str, str]] = {
    "/admin/points/new": {"document": "", **IN_FORCE},
    "/admin/reasons/new": REASON,
    "/admin/reasons/1": {**REASON, "version": "1"},
    "/admin/users/new": {
        "username": "eve",
        "role": "admin",
        "scope": "national",
        "password": PASSWORD,
    },
    "/admin/users/1": {"role": "admin", "scope": "national", "version": "1"},
    "/admin/users/1/unlock": {},
    "/admin/users/1/disable": {"version": "1"},
    "/admin/users/1/enable": {"version": "1"},
    "/admin/users/1/end-sessions": {},
    "/admin/users/1/password": {"version": "1", "password": "a new password for nat"},
    "/admin/users/1/delete": {"version": "1", "confirm": "yes"},
}
ADDRESS = "192.0.2.10"


def post(client: TestClient, url: str, data: dict[str, str], csrf: str | None = None) -> Response:
    form = {**data, "csrf_token": csrf if csrf is not None else form_token(client, "/admin")}
    response = client.post(url, data=form, follow_redirects=False)
    assert isinstance(response, Response)
    return response


def error_summary(response: Response) -> list[str]:
    """What the error summary says is wrong with the form."""
    return html.error_messages(response)


def refused_for(response: Response, message: str) -> bool:
    """The error summary has an item that starts with `message`."""
    return any(error.startswith(message) for error in error_summary(response))


def count(store: Store, model: type[schema.Base]) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(model)).scalar_one())


def audit_rows(store: Store) -> list[dict[str, object]]:
    table = schema.table_of(schema.AuditEvent)
    with store.engine.connect() as connection:
        rows = connection.execute(select(table).order_by(table.c.id)).all()
    return [
        {
            "username": row.username,
            "action": row.action,
            "staff_code": row.staff_code,
            "team_code": row.team_code,
            "before": json.loads(row.before) if row.before else None,
            "after": json.loads(row.after) if row.after else None,
        }
        for row in rows
    ]


@pytest.fixture
def admin(app: FastAPI, store: Store) -> Iterator[TestClient]:
    add_user(store, "ada", PASSWORD, Role.ADMIN, "national")
    with TestClient(app, base_url="https://testserver") as client:
        yield signed_in(client, "ada")


def test_everyone_but_administrators_is_refused_every_admin_page_and_form(
    app: FastAPI, store: Store
) -> None:
    add_user(store, "tess", PASSWORD, Role.TEAM_MANAGER, "T1")
    for username in ("nat", "tess"):
        with TestClient(app, base_url="https://testserver") as client:
            signed_in(client, username)
            csrf = form_token(client, "/team/T1/overview")
            for url in PAGES:
                assert client.get(url).status_code == 403, (username, url)
            for url, data in FORMS.items():
                assert post(client, url, data, csrf).status_code == 403, (username, url)
    assert count(store, schema.AuditEvent) == 0
    assert count(store, schema.UserAccount) == 2  # nat and tess: nobody was added


def test_nobody_signed_in_is_sent_to_sign_in(app: FastAPI) -> None:
    with TestClient(app, base_url="https://testserver") as client:
        responses = [(url, client.get(url, follow_redirects=False)) for url in PAGES]
        responses += [(url, client.post(url, data={}, follow_redirects=False)) for url in FORMS]
        for url, response in responses:
            assert response.status_code == 303, url
            assert response.headers["location"].startswith("/sign-in?next=/admin"), url


def test_navigation_offers_admin_only_to_administrators(
    client: TestClient, admin: TestClient
) -> None:
    national = html.parse(client.get("/team/T1/overview"))
    assert "/admin" not in html.hrefs(national)
    signed_in_as = national.one(css_class="wmt-signed-in")
    assert signed_in_as.one("span").text == "Signed in as nat"
    assert signed_in_as.one("strong").text == "nat"
    assert [form.get("action") for form in signed_in_as.find_all("form")] == ["/sign-out"]
    page = html.parse(admin.get("/admin"))
    menu = page.one("nav", css_class="govuk-service-navigation__wrapper")
    current = [(a.get("href"), a.text) for a in menu.find_all("a") if a.get("aria-current")]
    assert current == [("/admin", "Admin")]
    assert [a.get("aria-current") for a in menu.find_all("a") if a.get("href") == "/admin"] == [
        "page"
    ]
    assert len(page.find_all("h1")) == 1
    response = post(admin, "/sign-out", {})
    assert response.status_code == 303
    assert admin.get("/admin", follow_redirects=False).status_code == 303


def _points_of_team_t1(client: TestClient) -> int:
    capacity = html.summary_list(client.get("/team/T1/overview"))["Capacity"]
    found = re.search(r"\(([\d,]+) points of work against", capacity)
    assert found is not None
    return int(found.group(1).replace(",", ""))


def _document(admin: TestClient) -> str:
    return html.fields(admin.get("/admin/points/new"))["document"]


def test_a_new_points_version_recalculates_the_snapshot_and_is_audited(
    admin: TestClient, store: Store
) -> None:
    before = _points_of_team_t1(admin)
    document = _document(admin)
    assert "A3 = 206" in document  # community A3, held by S1 in team T1
    data = {"document": document.replace("A3 = 206", "A3 = 306", 1)}
    response = post(admin, "/admin/points/new", {**data, **IN_FORCE})
    assert response.status_code == 303, error_summary(response)
    page = html.parse(admin.get(response.headers["location"]))
    assert "1 snapshot was recalculated" in html.banner(page)
    assert page.one(css_class="govuk-caption-l").text.startswith("In force from 2026-01-01")
    assert _points_of_team_t1(admin) == before + 100

    newest = html.table_rows(admin.get("/admin/points"), "Versions")[0]
    assert newest[4] == "2026-11-20"  # the snapshot now calculated with the new version
    [event] = audit_rows(store)
    assert event["action"] == "add points version" and event["username"] == "ada"
    assert event["staff_code"] is None and event["team_code"] is None
    assert isinstance(event["before"], dict) and isinstance(event["after"], dict)
    assert event["before"]["case_points.community.A3"] == "206"
    assert event["after"]["case_points.community.A3"] == "306"
    changes = [row[4] for row in html.table_rows(admin.get("/admin/audit"))]
    assert [c for c in changes if "case_points.community.A3: 206 → 306" in c], changes


def test_compare_marks_the_settings_that_differ(admin: TestClient) -> None:
    document = _document(admin).replace("A3 = 206", "A3 = 306", 1)
    post(admin, "/admin/points/new", {"document": document, **IN_FORCE})
    listing = html.table(admin.get("/admin/points"), "Versions").one("tbody")
    versions = [a.get("href").removeprefix("/admin/points/") for a in listing.find_all("a")]
    newest, older = versions[0], versions[1]
    page = html.parse(admin.get(f"/admin/points/compare?a={older}&b={newest}"))
    assert "1 setting differs" in html.page_text(page)
    rows = {(row[0], row[1]): row[2:] for row in html.table_rows(page)}
    assert rows[("Case points", "community A3")] == ["206", "306", "Differs"]
    assert rows[("Case points", "custody A3")][2] == "Same"
    assert rows[("Young adult (T2A) case points", "community A3")][2] == "Same"


def test_a_wrong_document_or_date_is_refused_and_no_version_added(
    admin: TestClient, store: Store
) -> None:
    admin.get("/admin/points/new")
    versions = count(store, schema.PointsConfigurationVersion)
    document = _document(admin).replace("A3 = 206", "A3 = 2000", 1)
    date = IN_FORCE
    response = post(admin, "/admin/points/new", {"document": document, **date})
    assert response.status_code == 400
    assert html.parse(response).one(css_class="govuk-error-summary__title").text == (
        "There is a problem"
    )
    errors = error_summary(response)
    assert [e for e in errors if "case_points.community.A3: 2000 is not valid" in e], errors
    assert html.fields(response)["document"] == document  # what they typed is kept
    unreadable = post(admin, "/admin/points/new", {"document": "A3 = = 1", **date})
    assert unreadable.status_code == 400
    errors = error_summary(unreadable)
    assert [e for e in errors if "not valid TOML" in e], errors
    no_date = post(admin, "/admin/points/new", {"document": _document(admin)})
    assert refused_for(no_date, "Enter the date this configuration comes into force")
    not_real = post(
        admin,
        "/admin/points/new",
        {"document": _document(admin), **IN_FORCE, "effective_from-day": "31"}
        | {"effective_from-month": "2"},
    )
    assert refused_for(not_real, "In force from must be a real date"), error_summary(not_real)
    assert count(store, schema.PointsConfigurationVersion) == versions
    assert audit_rows(store) == []


def _reason_id(admin: TestClient, name: str) -> int:
    links = dict(html.links(admin.get("/admin/reasons")))
    return int(links[f"Change {name}"].removeprefix("/admin/reasons/"))


def _version_on_form(admin: TestClient, reason_id: int) -> str:
    return html.fields(admin.get(f"/admin/reasons/{reason_id}"))["version"]


def _reasons(admin: TestClient) -> dict[str, list[str]]:
    """The listed reasons: name -> the rest of its row."""
    return {row[0]: row[1:] for row in html.table_rows(admin.get("/admin/reasons"))}


def test_a_reason_is_added_and_checked(admin: TestClient, store: Store) -> None:
    response = post(admin, "/admin/reasons/new", REASON)
    assert response.status_code == 303
    listing = admin.get("/admin/reasons")
    assert html.banner(listing).startswith("The reduction reason 'Mentoring' was added")
    assert "Mentoring" in [row[0] for row in html.table_rows(listing)]
    assert html.banner(admin.get("/admin/reasons")) == ""  # the banner shows once
    reasons = count(store, schema.ReductionReasonRecord)
    refusals = {
        "There is already a reason called 'mentoring'": {**REASON, "name": "mentoring"},
        "Allowance must not be more than the maximum": {**REASON, "allowance_percent": "30"},
        "Maximum must be from 0 to 100 %": {**REASON, "maximum_percent": "101"},
        "Months to expiry must be from 1 to 60": {**REASON, "months_to_expiry": "61"},
        "Allowance must be a whole number": {**REASON, "allowance_percent": "ten"},
        "Choose the reason's category": {**REASON, "category": ""},
        "Enter the reason's name": {**REASON, "name": " "},
    }
    for message, form in refusals.items():
        refused = post(admin, "/admin/reasons/new", form)
        assert refused.status_code == 400, message
        assert refused_for(refused, message), (message, error_summary(refused))
    assert count(store, schema.ReductionReasonRecord) == reasons
    [event] = audit_rows(store)
    assert event["action"] == "add reduction reason" and event["before"] is None
    assert event["after"] == {
        "name": "Mentoring",
        "category": "learning",
        "allowance_percent": 10,
        "maximum_percent": 20,
        "months_to_expiry": 6,
        "active": True,
    }


def test_a_reason_is_changed_and_a_stale_form_is_refused(admin: TestClient, store: Store) -> None:
    post(admin, "/admin/reasons/new", REASON)
    reason_id = _reason_id(admin, "Mentoring")
    opened = _version_on_form(admin, reason_id)
    changed = {**REASON, "version": opened, "allowance_percent": "15", "active": "no"}
    response = post(admin, f"/admin/reasons/{reason_id}", changed)
    assert response.status_code == 303
    listing = admin.get("/admin/reasons")
    assert "'Mentoring' was changed" in html.banner(listing)
    assert [row[5] for row in html.table_rows(listing) if row[0] == "Mentoring"] == ["Retired"]
    assert _version_on_form(admin, reason_id) == str(int(opened) + 1)

    stale = {**changed, "allowance_percent": "5", "active": "yes"}
    conflict = post(admin, f"/admin/reasons/{reason_id}", stale)
    assert conflict.status_code == 409
    assert refused_for(conflict, "Someone else changed 'Mentoring' after you opened this form")
    kept = html.fields(conflict)
    assert kept["allowance_percent"] == "5"  # their change is kept
    assert kept["version"] == str(int(opened) + 1)
    table = schema.table_of(schema.ReductionReasonRecord)
    with store.engine.connect() as connection:
        row = connection.execute(select(table).where(table.c.id == reason_id)).one()
    assert (row.allowance_percent, row.active, row.version) == (15, False, int(opened) + 1)

    events = audit_rows(store)
    assert [event["action"] for event in events] == [
        "add reduction reason",
        "change reduction reason",
    ]
    change = events[1]
    assert isinstance(change["before"], dict) and isinstance(change["after"], dict)
    assert (change["before"]["allowance_percent"], change["after"]["allowance_percent"]) == (10, 15)
    assert (change["before"]["active"], change["after"]["active"]) == (True, False)


def _user_id(admin: TestClient, username: str) -> int:
    links = read_page(admin.get("/admin/users")).links
    return int(links[f"Manage {username}"].removeprefix("/admin/users/"))


def test_a_user_is_added_with_a_scope_that_exists(admin: TestClient, store: Store) -> None:
    new = {"username": "sam", "role": "team_manager", "scope": "T1", "password": PASSWORD}
    refusals = {
        "There is no team code 'T9' in the newest snapshot": {**new, "scope": "T9"},
        "Choose a password of at least 12 characters": {**new, "password": "short"},
        "Choose a role": {**new, "role": "boss"},
        "There is already a user called 'nat'": {**new, "username": "NAT"},
        "Enter a username of 1 to 120 characters, using only letters a to z, digits and "
        ". _ - @ +": {**new, "username": "sam smith"},
        "Enter an email address in the correct format, like name@example.org": {
            **new,
            "email": "sam at example",
        },
        "A national or admin role's scope is national": {**new, "role": "national"},
    }
    for message, form in refusals.items():
        refused = post(admin, "/admin/users/new", form)
        assert refused.status_code == 400, message
        assert refused_for(refused, message), (message, error_summary(refused))
        assert PASSWORD not in refused.text  # anywhere in the page, fields and all
    assert count(store, schema.UserAccount) == 2
    response = post(admin, "/admin/users/new", new)
    assert response.status_code == 303
    listing = admin.get("/admin/users")
    assert html.banner(listing).startswith("sam can now sign in")
    [sam] = [row for row in html.table_rows(listing) if row[0] == "sam"]
    assert sam[1:3] == ["Team manager", "T1"]
    assert "argon2" not in listing.text  # no password hash anywhere in the page
    sign_in(store, "Sam", PASSWORD, ADDRESS)
    [event] = audit_rows(store)
    assert event["after"] == {"username": "sam", "role": "team_manager", "scope": "T1"}


def _version(admin: TestClient, account_id: int) -> str:
    return read_page(admin.get(f"/admin/users/{account_id}")).inputs["version"]


def test_a_users_role_changes_but_an_admin_keeps_their_own(admin: TestClient, store: Store) -> None:
    add_user(store, "pat", PASSWORD, Role.PRACTITIONER, "S1")
    pat = _user_id(admin, "pat")
    change = {"role": "head_of_pdu", "scope": "P1", "version": _version(admin, pat)}
    response = post(admin, f"/admin/users/{pat}", change)
    assert response.status_code == 303
    assert sign_in(store, "pat", PASSWORD, ADDRESS).viewer.role is Role.HEAD_OF_PDU
    wrong = post(admin, f"/admin/users/{pat}", {**change, "role": "regional_lead"})
    assert (
        read_page(wrong).inline_errors["scope"]
        == "There is no region code 'P1' in the newest snapshot"
    )

    ada = _user_id(admin, "ada")
    refused = post(
        admin,
        f"/admin/users/{ada}",
        {"role": "national", "scope": "national", "version": _version(admin, ada)},
    )
    assert refused.status_code == 400
    assert read_page(refused).errors == [
        "You cannot remove your own admin role: ask another administrator"
    ]
    assert sign_in(store, "ada", PASSWORD, ADDRESS).viewer.role is Role.ADMIN
    [event] = audit_rows(store)
    assert event["action"] == "change user"
    assert event["before"] == {"role": "practitioner", "scope": "S1"}
    assert event["after"] == {"role": "head_of_pdu", "scope": "P1"}


def test_failed_sign_ins_are_cleared(admin: TestClient, store: Store, clock: Clock) -> None:
    for _ in range(USERNAME_FREE_ATTEMPTS):
        with pytest.raises(SignInRefused):
            sign_in(store, "nat", "wrong password!", ADDRESS, clock.now)
    with pytest.raises(SignInRefused):
        sign_in(store, "nat", PASSWORD, ADDRESS, clock.now)  # right, but too soon: not counted
    nat = _user_id(admin, "nat")
    status = {row[0]: row[3] for row in html.table_rows(admin.get("/admin/users"), "Accounts")}
    assert status["nat"] == "Active Slowed 5 failed sign-ins"
    response = post(admin, f"/admin/users/{nat}/unlock", {})
    assert response.status_code == 303
    cleared = admin.get("/admin/users")
    assert html.banner(cleared) == "nat's failed sign-ins are cleared: they can sign in at once."
    status = {row[0]: row[3] for row in html.table_rows(cleared, "Accounts")}
    assert status["nat"] == "Active"
    assert sign_in(store, "nat", PASSWORD, ADDRESS, clock.now).viewer.username == "nat"
    [event] = audit_rows(store)
    assert event["action"] == "clear failed sign-ins"
    assert (event["before"], event["after"]) == ({"failed sign-ins": 5}, {"failed sign-ins": 0})


def test_a_form_without_its_token_is_refused(admin: TestClient, store: Store) -> None:
    reasons = count(store, schema.ReductionReasonRecord)
    assert post(admin, "/admin/reasons/new", REASON, csrf="").status_code == 403
    assert post(admin, "/admin/reasons/new", REASON, csrf="forged").status_code == 403
    form = {"username": "eve", "role": "admin", "scope": "national", "password": PASSWORD}
    assert post(admin, "/admin/users/new", form, csrf="").status_code == 403
    assert count(store, schema.ReductionReasonRecord) == reasons
    assert count(store, schema.UserAccount) == 2
    assert audit_rows(store) == []


def test_the_audit_of_configuration_downloads(admin: TestClient) -> None:
    post(admin, "/admin/reasons/new", REASON)
    response = admin.get("/admin/audit?download=csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(rows[0]) == [
        "at", "username", "action", "subject", "staff_code", "team_code", "changes"
    ]  # fmt: skip
    assert [(row["action"], row["username"]) for row in rows] == [("add reduction reason", "ada")]
    workbook = admin.get("/admin/audit?download=xlsx")
    assert workbook.content[:2] == b"PK"
