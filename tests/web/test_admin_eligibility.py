"""The eligibility rules' pages: the version in force as a table, a new version from a form of
tick boxes, refusals that keep what was ticked, and the rules in force in the JSON API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests import html
from tests.conftest import database_content
from tests.web.sessions import PASSWORD, form_token, read_page, signed_in
from wmt.domain.access import Role
from wmt.services.accounts import add_user
from wmt.store import schema
from wmt.store.transactions import Store

IN_FORCE = {"effective_from-day": "1", "effective_from-month": "1", "effective_from-year": "2020"}
REFERENCE_TABLE = [
    ["PO", "A3 to D0, A3S to D0S, untiered", "Very high"],
    ["PQiP", "B3 to D0, B3S to D0S, untiered", "High"],
    ["PSO", "C3 to D0, C3S to D0S, untiered", "Medium"],
    ["SPO", "No new cases", ""],
    ["No grade", "No new cases", ""],
]


@pytest.fixture
def admin(app: FastAPI, store: Store) -> Iterator[TestClient]:
    add_user(store, "ada", PASSWORD, Role.ADMIN, "national")
    with TestClient(app, base_url="https://testserver") as client:
        yield signed_in(client, "ada")


def _post(client: TestClient, typed: dict[str, str]) -> Any:
    form = {**typed, "csrf_token": form_token(client, "/admin")}
    return client.post("/admin/eligibility/new", data=form, follow_redirects=False)


def _form(admin: TestClient) -> dict[str, str]:
    """The new version's form as it opens: the boxes ticked and the choices made."""
    return html.fields(admin.get("/admin/eligibility/new"))


def test_the_rules_in_force_are_a_table_and_said_to_be_an_assumption(admin: TestClient) -> None:
    page = html.parse(admin.get("/admin/eligibility"))
    assert html.table_header(page, "In force today") == [
        "Grade",
        "Tiers they may be given",
        "Highest ROSH",
    ]
    assert html.table_rows(page, "In force today") == REFERENCE_TABLE
    [version] = html.table_rows(page, "Versions")
    assert (version[0], version[1], version[3], version[4]) == (
        "Version 1",
        "2000-01-01",
        "",
        "reference",
    )
    assumption = page.one(css_class="govuk-inset-text").text
    assert assumption.startswith("The reference defaults are an assumption to review locally")
    assert ("Eligibility rules", "/admin/eligibility") in html.links(admin.get("/admin"))


def test_a_new_version_from_the_form_is_in_force_from_its_date_and_audited(
    admin: TestClient, store: Store
) -> None:
    typed = _form(admin)
    assert typed["PSO-highest_rosh"] == "medium" and typed["SPO-highest_rosh"] == ""
    assert "PSO-C3" in typed and "PSO-B0" not in typed and "SPO-D0" not in typed
    del typed["PSO-C3"]
    typed |= {"SPO-D0": "yes", "SPO-highest_rosh": "low", **IN_FORCE}
    response = _post(admin, typed)
    assert response.status_code == 303, html.error_messages(response)
    assert response.headers["location"] == "/admin/eligibility/2"
    page = read_page(admin.get("/admin/eligibility/2"))
    assert page.heading == "Eligibility rules version 2"
    assert page.banner == "Version 2 of the eligibility rules is in force from 2020-01-01."
    changed = html.table_rows(admin.get("/admin/eligibility"), "In force today")
    assert changed[2:4] == [
        ["PSO", "C2 to D0, C3S to D0S, untiered", "Medium"],
        ["SPO", "D0", "Low"],
    ]
    versions = html.table_rows(admin.get("/admin/eligibility"), "Versions")
    assert [(row[0], row[1], row[3]) for row in versions] == [
        ("Version 2", "2020-01-01", "ada"),
        ("Version 1", "2000-01-01", ""),
    ]
    audit = html.table_rows(admin.get("/admin/audit"))
    assert [(row[1], row[2], row[3]) for row in audit] == [
        ("ada", "Add eligibility version", "eligibility rules in force from 2020-01-01")
    ]
    assert "SPO.tiers: no new cases → D0" in audit[0][-1].split("; ")


def _stored(store: Store) -> int:
    with store.engine.connect() as connection:
        table = schema.table_of(schema.EligibilityVersion)
        return len(connection.execute(select(table.c.id)).all())


def test_a_refused_form_keeps_what_was_ticked_and_changes_nothing(
    admin: TestClient, store: Store, database_url: str
) -> None:
    typed = _form(admin)
    before = database_content(database_url)
    del typed["PSO-C3"]
    typed["SPO-A3"] = "yes"  # with no highest ROSH chosen, and no date
    refused = _post(admin, typed)
    assert refused.status_code == 400
    assert html.error_links(refused) == [
        ("Enter the date these rules come into force", "#effective_from"),
        ("Choose the highest ROSH a SPO may be given, or untick their tiers", "#SPO-highest_rosh"),
    ]
    kept = html.fields(refused)
    assert "SPO-A3" in kept and "PSO-C3" not in kept and kept["PSO-highest_rosh"] == "medium"
    typed |= {"SPO-highest_rosh": "low", "PQiP-highest_rosh": "extreme", **IN_FORCE}
    tampered = _post(admin, typed)
    assert tampered.status_code == 400
    assert html.error_messages(tampered) == [
        "PQiP highest ROSH: 'extreme' is not valid; expected one of low, medium, high, very_high"
    ]
    assert read_page(tampered).inline_errors["PQiP-highest_rosh"].startswith("PQiP highest ROSH")
    assert html.fields(tampered)["effective_from-year"] == "2020"
    assert database_content(database_url) == before
    assert _stored(store) == 1


def test_anyone_signed_in_reads_the_rules_in_force_on_a_date(
    admin: TestClient, client: TestClient
) -> None:
    typed = _form(admin)
    del typed["PQiP-B3"]
    assert _post(admin, {**typed, **IN_FORCE}).status_code == 303
    earlier = client.get("/api/allocation/eligibility?as_of=2019-12-31").json()
    assert (earlier["version"], earlier["effective_from"], earlier["source"]) == (
        1,
        "2000-01-01",
        "reference",
    )
    c_to_d = ["C3", "C2", "C1", "C0", "D3", "D2", "D1", "D0"]
    assert set(earlier["grades"]) == {"PO", "PQiP", "PSO"}  # the others take no new cases
    assert earlier["grades"]["PSO"] == {
        "tiers": [*c_to_d, *(f"{tier}S" for tier in c_to_d), "untiered"],
        "highest_rosh": "medium",
    }
    today = client.get("/api/allocation/eligibility").json()
    assert (today["version"], today["effective_from"]) == (2, "2020-01-01")
    assert "B3" not in today["grades"]["PQiP"]["tiers"]
    wrong = client.get("/api/allocation/eligibility?as_of=2019-13-01")
    assert wrong.status_code == 422 and set(wrong.json()["errors"]) == {"as_of"}
