"""The plan, rebalance and what-if pages and accepting them, on the pages and through the API:
accepting all or a selection makes exactly those decisions, read-only roles see no buttons
and are refused, a row someone else allocated since refuses the whole acceptance, and each
capacity after a plan shows is the engine's figure once the plan is accepted.

The snapshot is the queue's (tests/services/test_allocation_queue.py): in PDU P1, team T1
holds S1 (a PO) and S2 (a PSO), team T2 holds S3 (a PQiP); Q1 and Q5 wait in T1, Q2 and Q3
in T2.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests import html
from tests.services.test_allocation_plans import RECENT, capacity
from tests.services.test_allocation_queue import ON, QUEUED_CASES, allocation_folder
from tests.web.sessions import PASSWORD, form_token, read_page, signed_in
from wmt.domain.access import Role, Viewer
from wmt.services.accounts import add_user
from wmt.services.allocating import AllocationRequest, Holder, allocate
from wmt.services.allocation_decisions import decisions
from wmt.services.importing import import_case_folder
from wmt.services.scope import OPERATOR
from wmt.store.transactions import Store
from wmt.web import allocation_plan_pages

PLAN = "/pdu/P1/allocation/plan?allow_over=yes"


@pytest.fixture(autouse=True)
def quick_optimiser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(allocation_plan_pages, "TIME_LIMIT", 1.0)


@pytest.fixture
def queued(app: FastAPI, store: Store, tmp_path: Path) -> FastAPI:
    import_case_folder(store, allocation_folder(tmp_path / "now", ON, QUEUED_CASES + RECENT))
    add_user(store, "head", PASSWORD, Role.HEAD_OF_PDU, "P1")
    return app


def client_of(app: FastAPI, username: str) -> TestClient:
    return signed_in(TestClient(app, base_url="https://testserver"), username)


def rows_of(page: Any, table_id: str) -> list[list[str]]:
    body = html.parse(page).by_id(table_id).one("tbody")
    return [[cell.text for cell in row.find_all("td")] for row in body.find_all("tr")]


def percent(cell: str) -> Decimal:
    """The figure a capacity cell starts with ("95.3 % ...")."""
    return Decimal(cell.split(" %")[0])


def recorded(store: Store) -> list[tuple[str, str, str, str]]:
    found = decisions(store, OPERATOR, "national", "national").rows
    return sorted((d.crn, d.kind, d.to_staff_code, d.reason) for d in found)


def accept(client: TestClient, url: str, page: Any, how: str, *ticked: int) -> Any:
    form = html.fields(page) | {"accept": how} | {f"accept-{n}": "yes" for n in ticked}
    return client.post(url.split("?")[0], data=form, follow_redirects=False)


def test_each_capacity_after_the_plan_shows_is_the_engines_once_all_are_accepted(
    queued: FastAPI, store: Store
) -> None:
    with client_of(queued, "head") as head:
        page = head.get(PLAN)
        assert page.status_code == 200
        shown = rows_of(page, "placements")
        assert read_page(page).summary["Cases placed"] == "4 of 4"
        done = accept(head, PLAN, page, "all")
        assert done.status_code == 303 and done.headers["location"] == "/pdu/P1/allocation"
        queue = head.get(done.headers["location"])
    assert read_page(queue).banner == "4 cases allocated"
    assert sorted(row[1] for row in shown) == ["Q1", "Q2", "Q3", "Q5"]
    for _, crn, _, _, practitioner, _, after in shown:
        staff_code, team = practitioner.rstrip(")").split(" (")
        assert percent(after) == capacity(store, staff_code, team), crn
    assert recorded(store) == sorted(
        (row[1], "allocation", row[4].split(" ")[0], "Allocate to a responsible officer")
        for row in shown
    )


def test_accepting_a_selection_makes_exactly_those_decisions(queued: FastAPI, store: Store) -> None:
    with client_of(queued, "head") as head:
        page = head.get(PLAN)
        shown = rows_of(page, "placements")
        done = accept(head, PLAN, page, "selected", 1, 3)
        assert done.status_code == 303
        assert read_page(head.get(done.headers["location"])).banner == "2 cases allocated"
    chosen = [shown[1], shown[3]]
    assert [row[:2] for row in recorded(store)] == sorted((row[1], "allocation") for row in chosen)


def test_read_only_roles_see_no_buttons_and_are_refused(queued: FastAPI, store: Store) -> None:
    with client_of(queued, "head") as head:
        allowed = head.get(PLAN)
        form = html.fields(allowed)
    assert read_page(allowed).forms == ["/sign-out", *["/pdu/P1/allocation/plan"] * 2]
    with client_of(queued, "nat") as nat:
        page = nat.get(PLAN)
        assert page.status_code == 200 and rows_of(page, "placements")
        assert read_page(page).forms == ["/sign-out", "/pdu/P1/allocation/plan"]  # no accepting
        assert "shown" not in html.fields(page)
        forged = form | {"csrf_token": form_token(nat, PLAN), "accept": "all"}
        refused = nat.post("/pdu/P1/allocation/plan", data=forged, follow_redirects=False)
    assert refused.status_code == 403
    assert recorded(store) == []


def test_a_row_someone_else_allocated_since_refuses_the_whole_acceptance(
    queued: FastAPI, store: Store
) -> None:
    url = "/team/T1/allocation/plan?allow_over=yes"
    with client_of(queued, "head") as head:
        page = head.get(url)
        assert sorted(row[1] for row in rows_of(page, "placements")) == ["Q1", "Q5"]
        allocate(
            store,
            Viewer("tess", Role.TEAM_MANAGER, "T1"),
            AllocationRequest("Q5", "S1", seen=Holder()),
        )
        refused = accept(head, url, page, "selected", 0, 1)
    assert refused.status_code == 409
    again = read_page(refused)
    assert again.errors[0].startswith("Q5 was allocated to S1 (T1) by tess at ")
    assert again.inline_errors == {"accept-1": again.errors[0]}  # beside Q5's box
    assert [row[1:] for row in rows_of(refused, "placements")] == [
        row[1:] for row in rows_of(page, "placements")
    ]
    assert (again.inputs["accept-0"], again.inputs["accept-1"]) == ("yes", "yes")
    assert recorded(store) == [("Q5", "allocation", "S1", "Allocate to a responsible officer")]


def test_accepting_moves_reallocates_them_for_a_caseload_adjustment(
    queued: FastAPI, store: Store
) -> None:
    url = "/pdu/P1/allocation/rebalance?target=10"
    with client_of(queued, "head") as head:
        page = head.get(url)
        moves = rows_of(page, "moves")
        assert moves
        done = accept(head, url, page, "selected", 0)
        assert done.headers["location"] == "/pdu/P1/overview"
        assert read_page(head.get("/pdu/P1/overview")).banner == "1 case reallocated"
    crn, _, to = moves[0][1:4]
    assert recorded(store) == [(crn, "reallocation", to.split(" ")[0], "Caseload adjustment")]


def test_what_if_someone_leaves_shows_the_team_today_and_after(queued: FastAPI) -> None:
    with client_of(queued, "head") as head:
        practitioner = read_page(head.get("/practitioner/S2/overview"))
        url = practitioner.links["What if they leave team T1"]
        page = head.get(url)
    assert url == "/practitioner/S2/allocation/what-if-leave?team=T1&from=2026-11-20"
    assert page.status_code == 200
    team = rows_of(page, "team")
    assert [row[0] for row in team] == ["S1", "S2 Leaving"]
    assert team[1][3] == "0" and team[1][5] == "Left"
    assert [row[:2] for row in rows_of(page, "placements")] == [["X000004", "S1"]]


def test_the_queue_links_to_the_plan_and_the_rebalance(queued: FastAPI) -> None:
    with client_of(queued, "head") as head:
        links = read_page(head.get("/team/T1/allocation")).links
    assert links["Suggest a plan for these cases"] == "/team/T1/allocation/plan"
    assert links["Rebalance the caseloads"] == "/team/T1/allocation/rebalance"


def test_a_wrong_ceiling_is_named(queued: FastAPI) -> None:
    with client_of(queued, "head") as head:
        page = head.get("/team/T1/allocation/plan?ceiling=lots")
    assert page.status_code == 400
    assert read_page(page).errors == ["Enter the ceiling as a whole number, like 2"]


def test_the_api_accepts_a_plan_and_moves_all_or_nothing(queued: FastAPI, store: Store) -> None:
    rows = [
        {"crn": "Q1", "staff_code": "S1", "team_code": "T1"},
        {"crn": "Q5", "staff_code": "S2", "team_code": "T1"},
    ]
    with client_of(queued, "head") as head:
        done = head.post("/api/allocation/team/T1/plan/acceptance", json=rows)
        again = head.post("/api/allocation/team/T1/plan/acceptance", json=rows[1:])
        move = {"crn": "Q1", "from_staff_code": "S1", "from_team_code": "T1",
                "to_staff_code": "S2", "to_team_code": "T1"}  # fmt: skip
        refused = head.post("/api/allocation/team/T1/rebalance/acceptance", json=[move])
    assert done.status_code == 201, done.json()
    body = done.json()
    assert [(d["crn"], d["staff_code"], d["kind"]) for d in body["decisions"]] == [
        ("Q1", "S1", "allocation"),
        ("Q5", "S2", "allocation"),
    ]
    assert [(p["staff_code"], Decimal(p["capacity_after"])) for p in body["practitioners"]] == [
        ("S1", capacity(store, "S1", "T1")),
        ("S2", capacity(store, "S2", "T1")),
    ]
    assert again.status_code == 409
    assert again.json()["detail"].startswith("Q5 was allocated to S2 (T1) by head")
    assert refused.status_code == 422  # a PSO may not be given tier B2
    assert list(refused.json()["errors"]) == ["Q1"]
    assert len(recorded(store)) == 2
