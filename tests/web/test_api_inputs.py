"""Managing hours and reductions through the JSON API: same rules, same engine as the pages."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.sessions import PASSWORD, read_page, signed_in
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
    assert added.json()["id"] == kept["id"]
    changed = manager.put(url, json=REDUCTION | {"hours": "3", "version": 1})
    assert changed.status_code == 200 and changed.json()["id"] == kept["id"]
    assert Decimal(changed.json()["capacity_percent"]) == _capacity(manager)
    stale = manager.put(url, json=REDUCTION | {"hours": "1", "version": 1})
    assert stale.status_code == 409 and "manager changed this reduction" in stale.json()["detail"]
    assert list(stale.json()) == ["detail"]
    assert manager.request("DELETE", url, json={"version": 1}).status_code == 409
    deleted = manager.request("DELETE", url, json={"version": 2})
    assert deleted.status_code == 200 and deleted.json()["id"] is None
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
        "hours": "Trade union facility time can be at most 50 % of contracted hours: 18.5 hours"
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
    assert refused.json() == {
        "detail": "Only the manager of the practitioner's team can change their hours and "
        "reductions."
    }
    assert client.get("/api/practitioner/S1/inputs?team=T1").json()["may_change"] is False
    other_team = manager.post(
        "/api/practitioner/S3/reductions", json=REDUCTION | {"team_code": "T2"}
    )
    assert other_team.status_code == 403


def test_reductions_of_54_hours_on_40_are_refused_with_the_totals(manager: TestClient) -> None:
    hours = {"team_code": "T1", "contracted_hours": "40", "version": 0}
    assert manager.put("/api/practitioner/S1/contracted-hours", json=hours).status_code == 200
    first = manager.post("/api/practitioner/S1/reductions", json=REDUCTION | {"hours": "30"})
    assert first.status_code == 201
    refused = manager.post(
        "/api/practitioner/S1/reductions",
        json=REDUCTION | {"hours": "24", "start_date": "2026-12-01"},
    )
    message = (
        "From 1 December 2026 these reductions would total 54 hours, more than the "
        "40 contracted hours"
    )
    assert refused.status_code == 422
    assert refused.json() == {"detail": message + ".", "errors": {"hours": message}}
    cut = manager.put(
        "/api/practitioner/S1/contracted-hours",
        json=hours | {"contracted_hours": "29", "version": 1},
    )
    assert cut.status_code == 422 and cut.json()["errors"]["contracted_hours"].startswith(
        "From 20 November 2026 their reductions total 30 hours, more than the 29"
    )
    read = manager.get("/api/practitioner/S1/inputs?team=T1").json()
    assert read["contracted_hours"] == "40.00"
    assert [r["hours"] for r in read["reductions"] if r["managed"]] == ["30.00"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"hours": "1e308"}, "hours", "Enter the hours as a number, like 7.5"),
        ({"hours": "٤٠"}, "hours", "Enter the hours using the digits 0 to 9, like 7.5"),
        ({"hours": "-0"}, "hours", "Enter the hours greater than 0"),
        ({"hours": 7.5}, "hours", "Send hours as text"),
        ({"hours": None}, "hours", "Send hours as text"),
        (
            {"start_date": "20261101"},
            "start_date",
            "Enter start date as YYYY-MM-DD, like 2026-11-20",
        ),
        ({"start_date": 1700000000}, "start_date", "Send start_date as text"),
        (
            {"end_date": "2100-01-01"},
            "end_date",
            "End date must be between 1 January 2000 and 31 December 2099",
        ),
        (
            {"notes": "a\u0000b"},
            "notes",
            "Notes cannot contain a character that is not printed (U+0000); remove it",
        ),
        ({"notes": "x" * 1001}, "notes", "Notes must be 1,000 characters or fewer"),
        ({"team_code": "T" * 41}, "team_code", "The team code must be 40 characters or fewer"),
        ({"reason": None}, "reason", "Send reason as text"),
    ],
)
def test_every_body_field_is_checked_and_nothing_is_saved(
    manager: TestClient, changes: dict[str, Any], field: str, message: str
) -> None:
    refused = manager.post("/api/practitioner/S1/reductions", json=REDUCTION | changes)
    assert refused.status_code == 422
    assert refused.json()["errors"] == {field: message}
    assert manager.get("/api/team/T1/audit").json() == []


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{", 400),
        (b"[" * 100_000, 400),
        (b'{"team_code": "T1", "contracted_hours": NaN, "version": 0}', 422),
        (b'{"team_code": "T1", "contracted_hours": "Infinity", "version": 0}', 422),
        (b'{"team_code": "T1", "contracted_hours": "30", "version": 1e30}', 422),
        (b'{"team_code": "T1", "contracted_hours": "30", "version": 1000000000000000000000}', 422),
        (b'{"team_code": "T1", "contracted_hours": "30", "version": true}', 422),
        (rb'{"team_code": "T1\ud800", "contracted_hours": "30", "version": 0}', 422),
        (b"[]", 422),
        (b"null", 422),
    ],
)
def test_bodies_that_are_not_what_the_api_takes_are_refused(
    manager: TestClient, body: bytes, status: int
) -> None:
    refused = manager.put(
        "/api/practitioner/S2/contracted-hours",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert refused.status_code == status
    assert isinstance(refused.json()["detail"], str)
    assert manager.get("/api/team/T1/audit").json() == []


def test_a_reduction_id_the_store_cannot_hold_is_refused_not_overflowed(
    manager: TestClient,
) -> None:
    for number in ("0", "2147483648", str(10**30), "abc", "٣"):
        url = f"/api/practitioner/S1/reductions/{number}"
        changed = manager.put(url, json=REDUCTION | {"version": 1})
        assert changed.status_code == 422, number
        assert list(changed.json()["errors"]) == ["reduction_id"]
        deleted = manager.request("DELETE", url, json={"version": 1})
        assert deleted.status_code == 422, number
    missing = manager.put(
        "/api/practitioner/S1/reductions/2147483647", json=REDUCTION | {"version": 1}
    )
    assert missing.status_code == 404
    stale = manager.put(
        "/api/practitioner/S2/contracted-hours",
        json={"team_code": "T1", "contracted_hours": "30", "version": 2**31 - 1},
    )
    assert stale.status_code == 409


@pytest.mark.parametrize("typed", ["1e308", "NaN", "٤٠", "４０", "-0", "7.125", "0", "48.5"])
def test_the_page_and_the_api_give_the_same_answer_for_the_same_hours(
    manager: TestClient, typed: str
) -> None:
    by_api = manager.put(
        "/api/practitioner/S2/contracted-hours",
        json={"team_code": "T1", "contracted_hours": typed, "version": 0},
    )
    form = read_page(manager.get("/practitioner/S2/hours?team=T1")).inputs
    by_page = read_page(
        manager.post("/practitioner/S2/hours", data=form | {"contracted_hours": typed})
    )
    assert by_api.status_code == 422
    assert by_page.inline_errors == by_api.json()["errors"]
    assert by_page.errors == list(by_api.json()["errors"].values())
