"""Managing hours and reductions through the JSON API: same rules, same engine as the pages."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.sessions import PASSWORD, signed_in
from wmt.domain.access import Role
from wmt.services.accounts import add_user
from wmt.store.transactions import Store

REDUCTION = {
    "team_code": "T1",
    "reason": "Court duty",
    "hours": "7.4",
    "start_date": "2026-11-01",
    "end_date": None,
    "notes": "Tuesdays",
}


@pytest.fixture
def manager(app: FastAPI, store: Store) -> Iterator[TestClient]:
    add_user(store, "manager", PASSWORD, Role.TEAM_MANAGER, "T1")
    with TestClient(app, base_url="https://testserver") as client:
        yield signed_in(client, "manager")


def _capacity(client: TestClient, staff: str = "S1") -> Decimal:
    figure = client.get(f"/api/practitioner/{staff}/overview").json()["teams"][0]
    return Decimal(figure["capacity_percent"])


def test_add_change_and_delete_a_reduction(manager: TestClient) -> None:
    before = _capacity(manager)
    added = manager.post("/api/practitioner/S1/reductions", json=REDUCTION)
    assert added.status_code == 201, added.text
    assert Decimal(added.json()["capacity_percent"]) == _capacity(manager) > before
    read = manager.get("/api/practitioner/S1/inputs?team=T1").json()
    kept = next(r for r in read["reductions"] if r["managed"])
    assert (kept["hours"], kept["version"], kept["changed_by"]) == ("7.40", 1, "manager")
    assert read["may_change"] is True and read["contracted_hours"] == "37.00"
    url = f"/api/practitioner/S1/reductions/{kept['id']}"
    changed = manager.put(url, json=REDUCTION | {"hours": "3", "version": 1})
    assert changed.status_code == 200
    stale = manager.put(url, json=REDUCTION | {"hours": "1", "version": 1})
    assert stale.status_code == 409 and "manager changed this reduction" in stale.json()["detail"]
    assert manager.request("DELETE", url, json={"version": 1}).status_code == 409
    assert manager.request("DELETE", url, json={"version": 2}).status_code == 200
    assert _capacity(manager) == before
    actions = [event["action"] for event in manager.get("/api/team/T1/audit").json()]
    assert actions == ["reduction deleted", "reduction changed", "reduction added"]


def test_rules_are_named_by_field_and_bodies_must_be_json(manager: TestClient) -> None:
    refused = manager.post(
        "/api/practitioner/S1/reductions",
        json=REDUCTION | {"reason": "Trade union facility time", "hours": "30"},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == {
        "hours": "Trade union facility time can be at most 50 % of contracted hours: 18.50 hours"
    }
    form = manager.post("/api/practitioner/S1/reductions", data={"reason": "Court duty"})
    assert form.status_code == 415
    hours = manager.put(
        "/api/practitioner/S2/contracted-hours",
        json={"team_code": "T1", "contracted_hours": "22.5", "version": 0},
    )
    assert hours.status_code == 200
    again = manager.put(
        "/api/practitioner/S2/contracted-hours",
        json={"team_code": "T1", "contracted_hours": "20", "version": 0},
    )
    assert again.status_code == 409
    reasons = manager.get("/api/reduction-reasons").json()
    assert {"name": "Maternity leave", "allowance_percent": 100}.items() <= next(
        r for r in reasons if r["name"] == "Maternity leave"
    ).items()


def test_only_the_teams_manager_changes(client: TestClient, manager: TestClient) -> None:
    refused = client.post("/api/practitioner/S1/reductions", json=REDUCTION)
    assert refused.status_code == 403
    assert client.get("/api/practitioner/S1/inputs?team=T1").json()["may_change"] is False
    other_team = manager.post(
        "/api/practitioner/S3/reductions", json=REDUCTION | {"team_code": "T2"}
    )
    assert other_team.status_code == 403
