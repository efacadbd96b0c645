"""A practitioner's cases, reallocating from them and locking them, on the pages and through
the API: the list parsed as a person reads it, sorted; the actions only for whoever may move
the cases; a lock with its success banner, the second manager told it was done already; the
reallocation candidates linking to the confirmation page; and who may do each.

The test snapshot: S1 (Ada Brown, PO) holds X000001 (community A3), X000002 (licence B2) and
X000003 (custody C1, T2A) in team T1, with S2 (Ben Carter, PSO); S3 (Cara Davies, PQiP) holds
X000005 in team T2; X000006 waits in T2; PDU P1 holds both teams.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests import html
from tests.web.sessions import PASSWORD, form_token, read_page, signed_in
from tests.web.test_access import (  # noqa: F401 (fixtures)
    LOCKER_ROUTES,
    LOCKERS,
    USERS,
    VISIBLE,
    people,
    reductions,
)
from wmt.domain.access import Role, Viewer
from wmt.services.accounts import add_user
from wmt.services.allocating import AllocationRequest, allocate
from wmt.services.overview import practitioner_overview
from wmt.services.scope import OPERATOR
from wmt.store.transactions import Store
from wmt.web.common import PAGE_NOT_FOUND

S1_CASES = "/practitioner/S1/allocation?team=T1"


@pytest.fixture
def manager(app: FastAPI, store: Store) -> TestClient:
    add_user(store, "tom", PASSWORD, Role.TEAM_MANAGER, "T1")
    return signed_in(TestClient(app, base_url="https://testserver"), "tom")


def _post(client: TestClient, url: str) -> Any:
    form = {"csrf_token": form_token(client, "/"), "staff_code": "S1", "team_code": "T1"}
    return client.post(url, data=form, follow_redirects=False)


def test_the_list_shows_each_case_and_sorts_on_any_column(manager: TestClient) -> None:
    with manager:
        page = manager.get(S1_CASES)
        by_points = manager.get(f"{S1_CASES}&sort=points&order=descending")
    shown = read_page(page)
    assert shown.heading == "Ada Brown's cases"
    assert html.table_header(page)[:7] == [
        "CRN",
        "Type",
        "Tier",
        "ROSH",
        "Allocated",
        "Points",
        "Locked",
    ]
    rows = html.table_rows(page)
    assert [row[:3] for row in rows] == [  # the highest tier first
        ["X000001", "Community", "A3"],
        ["X000002", "Licence", "B2"],
        ["X000003", "Custody", "C1"],
    ]
    assert [row[4] for row in rows] == ["2025-01-02", "2025-06-01", ""]
    assert {row[6] for row in rows} == {"No"}
    points = [row[5] for row in html.table_rows(by_points)]
    assert points == sorted(points, key=float, reverse=True)
    sort_links = dict(html.links(html.table(page).one("thead")))
    assert sort_links["Points"] == "?team=T1&sort=points&order=ascending"


def test_the_points_are_those_the_practitioners_figures_count(
    client: TestClient, store: Store
) -> None:
    with client:
        found = client.get("/api/practitioner/S1/cases?team=T1").json()
    workload = practitioner_overview(store, OPERATOR, "S1").workloads[0]
    total = sum(float(case["points"]) for case in found["cases"])
    assert total == pytest.approx(float(workload.case_points + workload.t2a_points))
    assert [case["crn"] for case in found["cases"]] == ["X000001", "X000002", "X000003"]
    assert found["may_act"] is False  # national: reads only


def test_a_manager_locks_a_case_and_a_second_lock_is_refused(manager: TestClient) -> None:
    with manager:
        actions = html.table_rows(manager.get(S1_CASES))[0][7]
        locked = _post(manager, "/allocation/cases/X000001/lock")
        after = manager.get(locked.headers["location"])
        again = _post(manager, "/allocation/cases/X000001/lock")
        unlocked = _post(manager, "/allocation/cases/X000001/unlock")
        last = manager.get(unlocked.headers["location"])
    assert actions == "Reallocate X000001 Lock X000001"
    assert (locked.status_code, locked.headers["location"]) == (303, S1_CASES)
    assert read_page(after).banner == "X000001 is locked: a rebalance will not move it."
    assert html.table_rows(after)[0][6] == "Locked by tom"
    assert again.status_code == 409
    assert html.error_messages(again)[0].startswith("X000001 was locked by tom at ")
    assert html.error_links(again)[0][1] == "#cases"
    assert read_page(last).banner == "X000001 is unlocked: a rebalance may move it again."
    assert html.table_rows(last)[0][6] == "No"


def test_a_case_held_by_a_decision_not_yet_confirmed_says_so(
    client: TestClient, store: Store
) -> None:
    head = Viewer("pat", Role.HEAD_OF_PDU, "P1")
    allocate(store, head, AllocationRequest("X000006", "S3", team_code="T2"))
    with client:
        rows = html.table_rows(client.get("/practitioner/S3/allocation?team=T2"))
    assert [row[0] for row in rows] == [
        "X000005",
        "X000006 From a decision pending confirmation",
    ]


@pytest.mark.usefixtures("people")
def test_a_practitioner_reads_their_own_cases_without_actions(app: FastAPI) -> None:
    with signed_in(TestClient(app, base_url="https://testserver"), "practitioner") as client:
        page = client.get("/practitioner/S1/allocation")
        overview = client.get("/practitioner/S1/overview")
    assert len(html.table_header(page)) == 7  # no actions column
    assert read_page(page).forms == ["/sign-out"]
    assert read_page(overview).links["Cases held in team T1"] == S1_CASES


def test_the_reallocation_page_lists_who_else_could_take_the_case(manager: TestClient) -> None:
    with manager:
        page = manager.get("/allocation/cases/X000001/reallocation")
    shown = read_page(page)
    assert shown.heading == "Who else could take case X000001"
    assert html.summary_list(page, 1)["Practitioner"] == "Ada Brown (PO, team T1)"
    assert shown.links["Back to the cases of Ada Brown"] == S1_CASES
    others = html.table_rows(page, 0)  # Ben Carter, a PSO, may not be given an A3 case
    assert [row[0] for row in others] == ["Ben Carter"]
    assert others[0][-1] == "Their grade is not given cases of this tier"


def test_each_eligible_candidate_links_to_the_reallocation_confirmation(
    app: FastAPI, store: Store
) -> None:
    add_user(store, "tina", PASSWORD, Role.TEAM_MANAGER, "T1")
    with signed_in(TestClient(app, base_url="https://testserver"), "tina") as tina:
        page = tina.get("/allocation/cases/X000004/reallocation")  # S2's D2: S1 may take it
        confirm_href = read_page(page).links["Reallocate to S1"]
        confirm = tina.get(confirm_href)
    assert html.table_rows(page, "Who could take")[0][:3] == ["Ada Brown", "T1", "PO"]
    assert confirm_href == "/allocation/cases/X000004/reallocate?staff_code=S1&team_code=T1"
    assert read_page(confirm).heading.startswith("You're reallocating X000004 (D2) to Ada Brown")


def test_the_api_lists_locks_and_unlocks(manager: TestClient) -> None:
    with manager:
        locked = manager.put("/api/allocation/cases/X000001/lock", json={"note": "Trial"})
        again = manager.put("/api/allocation/cases/X000001/lock", json={})
        listed = manager.get("/api/practitioner/S1/cases?team=T1").json()
        unlocked = manager.request("DELETE", "/api/allocation/cases/X000001/lock", json={})
        outside = manager.get("/api/practitioner/S3/cases?team=T2")
    assert locked.status_code == 200
    body = locked.json()
    assert (body["crn"], body["staff_code"], body["locked_by"], body["note"]) == (
        "X000001",
        "S1",
        "tom",
        "Trial",
    )
    assert again.status_code == 409
    assert [(c["crn"], c["locked"], c["locked_by"]) for c in listed["cases"]] == [
        ("X000001", True, "tom"),
        ("X000002", False, None),
        ("X000003", False, None),
    ]
    assert listed["may_act"] is True
    assert (unlocked.status_code, unlocked.json()["locked_at"]) == (200, body["locked_at"])
    assert outside.status_code == 404


def _expected(username: str) -> int:
    """Success for the manager of X000001's team (T1) and the head of its PDU; not found for
    whoever cannot see T1; refused for anyone else."""
    if username in LOCKERS:
        return 200
    return 404 if ("team", "T1") not in VISIBLE[username] else 403


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("username", list(USERS))
def test_only_the_teams_manager_or_head_of_pdu_may_lock(app: FastAPI, username: str) -> None:
    with TestClient(app, base_url="https://testserver") as client:
        signed_in(client, username)
        token = form_token(client)
        answers = []
        for (method, _), url in LOCKER_ROUTES.items():
            if url.startswith("/api/"):
                response = client.request(method, url, json={})
            else:
                form = {"csrf_token": token, "staff_code": "S1", "team_code": "T1"}
                response = client.post(url, data=form, follow_redirects=False)
            answers.append(response.status_code)
    expected = _expected(username)
    if expected == 200:
        assert answers == [303, 303, 200, 200], username
    else:
        assert answers == [expected] * len(LOCKER_ROUTES), username


def test_nobody_signed_in_is_sent_to_sign_in_or_refused(app: FastAPI) -> None:
    with TestClient(app, base_url="https://testserver") as client:
        token = form_token(client)
        page = client.get(S1_CASES, follow_redirects=False)
        for (method, _), url in LOCKER_ROUTES.items():
            if url.startswith("/api/"):
                assert client.request(method, url, json={}).status_code == 401, url
            else:
                posted = client.post(url, data={"csrf_token": token}, follow_redirects=False)
                assert posted.headers["location"] == f"/sign-in?next={url}"
    assert page.headers["location"] == f"/sign-in?next={S1_CASES}"


@pytest.mark.usefixtures("people")
def test_the_reallocation_page_is_for_whoever_may_see_the_cases_team(app: FastAPI) -> None:
    with signed_in(TestClient(app, base_url="https://testserver"), "manager") as manager:
        outside = manager.get("/allocation/cases/X000005/reallocation")  # team T2
    with signed_in(TestClient(app, base_url="https://testserver"), "lead") as lead:
        read_only = lead.get("/allocation/cases/X000004/reallocation")
    assert outside.status_code == 404
    assert html.page_text(outside).startswith(f"Sorry, we cannot show that {PAGE_NOT_FOUND}")
    assert read_only.status_code == 200
    assert len(html.table_header(read_only, "Who could take")) == 9  # no action column
    assert not [text for text in read_page(read_only).links if text.startswith("Reallocate")]
