"""Allocating on the pages and through the API: the confirmation page in the public
service's words, recording a decision, a refused form keeping what was typed, the second of
two managers told who was first, the decisions list with its downloads, and who may do each.

The test snapshot: X000006 waits in team T2; S3 (Cara Davies, PQiP) is T2's practitioner;
S1 (Ada Brown, PO) and S2 (Ben Carter, PSO) are T1's; PDU P1 holds both teams.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests import html
from tests.web.sessions import PASSWORD, form_token, read_page, signed_in
from tests.web.test_access import (  # noqa: F401 (fixtures)
    ALLOCATES,
    ALLOCATOR_ROUTES,
    TEAMS,
    USERS,
    VISIBLE,
    people,
    reductions,
)
from wmt.domain.access import Role, Viewer
from wmt.services.accounts import add_user
from wmt.services.allocating import AllocationRequest, proposal
from wmt.services.allocation_decisions import DECISION_COLUMNS
from wmt.store.transactions import Store

HEAD = Viewer("head", Role.HEAD_OF_PDU, "P1")
WAITING = "/allocation/cases/X000006/allocate"


@pytest.fixture
def head(app: FastAPI, store: Store) -> TestClient:
    add_user(store, "head", PASSWORD, Role.HEAD_OF_PDU, "P1")
    return signed_in(TestClient(app, base_url="https://testserver"), "head")


def _post(client: TestClient, url: str, **fields: str) -> Any:
    form = {"csrf_token": form_token(client, "/"), **fields}
    return client.post(url, data=form, follow_redirects=False)


def test_the_confirmation_page_says_what_the_allocation_will_do(
    head: TestClient, store: Store
) -> None:
    expected = proposal(store, HEAD, AllocationRequest("X000006", "S3"))
    with head:
        page = head.get(f"{WAITING}?staff_code=S3")
        assert page.status_code == 200
        shown = read_page(page)
        root = html.parse(page)
    assert shown.heading == (f"You're allocating X000006 ({expected.tier}) to Cara Davies (PQiP)")
    assert root.by_id("workload-change").text == (
        f"This will change their workload from {expected.capacity_before} % to "
        f"{expected.capacity_after} %."
    )
    assert shown.summary["Held by"] == "Nobody: waiting for allocation in team T2"
    assert (shown.inputs["staff_code"], shown.inputs["team_code"]) == ("S3", "T2")
    assert (shown.inputs["holder_staff_code"], shown.inputs["holder_team_code"]) == ("", "")
    assert "override_justification" not in shown.inputs  # S3 may take it


def test_recording_goes_to_the_team_page_with_a_success_banner(head: TestClient) -> None:
    with head:
        done = _post(head, WAITING, staff_code="S3", team_code="T2", notes="Seen at court")
        assert done.status_code == 303
        assert done.headers["location"] == "/team/T2/overview"
        team = read_page(head.get(done.headers["location"]))
        listed = head.get("/team/T2/allocation/decisions")
    assert team.banner.startswith("X000006 allocated to Cara Davies. Their capacity is now")
    rows = html.table_rows(listed)
    assert [row[1:5] for row in rows] == [
        ["X000006", "S3 (T2)", "Waiting", "Allocate to a responsible officer"]
    ]
    assert rows[0][6:] == ["Pending", "Seen at court"]


def test_a_refused_allocation_shows_the_form_again_with_everything_typed(
    head: TestClient,
) -> None:
    typed = {
        "staff_code": "S2",
        "team_code": "T1",
        "holder_staff_code": "S1",
        "holder_team_code": "T1",
        "reason": "Caseload adjustment",
        "notes": "Moving to balance the team",
        "sensitive": "yes",
    }
    with head:
        refused = _post(head, "/allocation/cases/X000001/reallocate", **typed)
    assert refused.status_code == 400
    page = read_page(refused)
    assert page.errors == [
        "Ben Carter may not be given this case under the rules (grade): explain why they "
        "should have it to override them"
    ]
    assert html.error_links(refused)[0][1] == "#override_justification"
    kept = {name: page.inputs[name] for name in typed}
    assert kept == typed
    assert page.inputs["override_justification"] == ""  # offered: the rules say not
    assert page.heading == "You're reallocating X000001 (A3) to Ben Carter (PSO)"


def test_the_second_of_two_managers_is_told_who_allocated_it_and_keeps_their_typing(
    head: TestClient, app: FastAPI, store: Store
) -> None:
    add_user(store, "tina", PASSWORD, Role.TEAM_MANAGER, "T2")
    with head, signed_in(TestClient(app, base_url="https://testserver"), "tina") as tina:
        first = _post(tina, WAITING, staff_code="S3", team_code="T2")
        second = _post(head, WAITING, staff_code="S3", team_code="T2", notes="Mine")
    assert first.status_code == 303
    assert second.status_code == 409
    page = read_page(second)
    assert page.errors[0].startswith("X000006 was allocated to S3 (T2) by tina at ")
    assert page.errors[0].endswith("; nothing was saved.")
    assert page.inputs["notes"] == "Mine"
    assert (page.inputs["holder_staff_code"], page.inputs["holder_team_code"]) == ("S3", "T2")


def test_decisions_download_as_csv_and_json(head: TestClient) -> None:
    with head:
        _post(head, WAITING, staff_code="S3", team_code="T2")
        as_csv = head.get("/pdu/P1/allocation/decisions?format=csv")
        as_json = head.get("/pdu/P1/allocation/decisions?format=json&status=pending")
        confirmed = head.get("/pdu/P1/allocation/decisions?status=confirmed")
        of_s1 = head.get("/pdu/P1/allocation/decisions?staff_code=S1")
        of_s3 = head.get("/pdu/P1/allocation/decisions?staff_code=S3")
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert list(rows[0]) == list(DECISION_COLUMNS)
    assert [(r["crn"], r["to_staff_code"], r["username"], r["status"]) for r in rows] == [
        ("X000006", "S3", "head", "pending")
    ]
    assert [d["crn"] for d in json.loads(as_json.content)] == ["X000006"]
    assert html.page_text(confirmed).endswith("No allocation decisions match.")
    assert html.page_text(of_s1).endswith("No allocation decisions match.")
    assert [row[1] for row in html.table_rows(of_s3)] == ["X000006"]


def test_the_api_allocates_and_lists_decisions(head: TestClient) -> None:
    with head:
        done = head.post("/api/allocation/cases/X000006/allocation", json={"staff_code": "S3"})
        again = head.post("/api/allocation/cases/X000006/allocation", json={"staff_code": "S3"})
        listed = head.get("/api/allocation/team/T2/decisions").json()
    assert done.status_code == 201
    body = done.json()
    assert (body["crn"], body["staff_code"], body["kind"]) == ("X000006", "S3", "allocation")
    assert isinstance(body["capacity_after"], str)
    assert again.status_code == 409
    assert again.json()["detail"].startswith("X000006 was allocated to S3 (T2) by head")
    assert [(d["crn"], d["status"]) for d in listed] == [("X000006", "pending")]


def _expected(username: str, team: str) -> int:
    """200 for an allocator of both teams, 404 for someone who cannot see the case's team
    (T2), 403 for anyone else."""
    if team in ALLOCATES.get(username, set()):
        return 200
    return 404 if ("team", "T2") not in VISIBLE[username] else 403


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("username", list(USERS))
def test_only_a_manager_or_head_of_pdu_over_both_teams_may_allocate(
    app: FastAPI, username: str
) -> None:
    with TestClient(app, base_url="https://testserver") as client:
        signed_in(client, username)
        token = form_token(client)
        for code in ("S1", "S3"):
            team = TEAMS[code]
            expected = _expected(username, team)
            for (method, _), url in ALLOCATOR_ROUTES.items():
                filled = url.format(code=code, team=team)
                if method == "GET":
                    response = client.get(filled, follow_redirects=False)
                elif filled.startswith("/api/"):
                    body = {"staff_code": code, "team_code": team, "holder_staff_code": None}
                    response = client.post(filled, json=body)
                else:
                    form = {"csrf_token": token, "staff_code": code, "team_code": team}
                    response = client.post(filled, data=form, follow_redirects=False)
                if expected == 200 and method == "POST":
                    # The first recorded; the rest refused: the case is no longer waiting.
                    assert response.status_code in (201, 303, 409), (username, url)
                else:
                    assert response.status_code == expected, (username, method, filled)
