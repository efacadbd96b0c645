"""The queue and candidates pages and their API: sorting, filtering, the cases past their
first-appointment standard, who sees an Allocate link, and who sees which queue.

The snapshot is the queue's (tests/services/test_allocation_queue.py) on the test snapshot's
date: team T1 waits for Q1 (community, B2, medium risk, past its standard, 8 days) and Q5
(licence, D2, low, last held by S1; no sentence date and first seen today, so 0 days); team T2
for Q2 (licence, C1, high, 1 day) and Q3 (custody, A3, very high, 50 days).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from tests import html
from tests.services.test_allocation_queue import EARLIER, ON, allocation_folder
from tests.web.sessions import PASSWORD, signed_in
from wmt.domain.access import Role
from wmt.services.accounts import add_user
from wmt.services.allocation_queue import QUEUE_COLUMNS
from wmt.services.importing import import_case_folder
from wmt.store.transactions import Store

QUEUE = "Cases waiting for allocation"
ELIGIBLE = "Who could take the case"
NOT_ELIGIBLE = "Who may not take the case"
USERS = {
    "manager": (Role.TEAM_MANAGER, "T1"),
    "head": (Role.HEAD_OF_PDU, "P1"),
    "lead": (Role.REGIONAL_LEAD, "R1"),
    "practitioner": (Role.PRACTITIONER, "S1"),
}


@pytest.fixture
def queued(app: FastAPI, store: Store, tmp_path: Path) -> FastAPI:
    import_case_folder(store, allocation_folder(tmp_path / "queued", ON))
    for username, (role, scope) in USERS.items():
        add_user(store, username, PASSWORD, role, scope)
    return app


@pytest.fixture
def browse(queued: FastAPI) -> Iterator[TestClient]:
    """Signed in as national: sees everything, allocates nothing."""
    with TestClient(queued, base_url="https://testserver") as client:
        yield signed_in(client, "nat")


def _as(app: FastAPI, username: str) -> TestClient:
    return signed_in(TestClient(app, base_url="https://testserver"), username)


def _queue_rows(response: Response) -> list[list[str]]:
    return html.table_rows(response, QUEUE)


def test_the_queue_lists_the_units_cases_longest_waiting_first(browse: TestClient) -> None:
    response = browse.get("/pdu/P1/allocation")
    assert response.status_code == 200
    rows = _queue_rows(response)
    assert [row[0] for row in rows] == ["Q3", "Q1", "Q2", "Q5"]
    header = html.table_header(response, QUEUE)
    assert header == [
        "CRN",
        "Team",
        "Type",
        "Tier",
        "ROSH",
        "Sentence date",
        "Days waiting",
        "Points",
        "Previous practitioner",
    ]
    q2 = rows[2]
    assert q2[1:6] == ["T2", "Licence", "C1", "high", "2026-11-19"]
    assert (q2[6], q2[8]) == ("1", "S3")


def test_tiers_sort_from_a3_down_and_the_sort_is_kept_in_the_address(browse: TestClient) -> None:
    response = browse.get("/pdu/P1/allocation?sort=tier&order=ascending")
    assert [row[0] for row in _queue_rows(response)] == ["Q3", "Q1", "Q2", "Q5"]
    descending = browse.get("/pdu/P1/allocation?sort=tier&order=descending")
    assert [row[0] for row in _queue_rows(descending)] == ["Q5", "Q2", "Q1", "Q3"]
    table = html.table(response, QUEUE)
    tier = next(th for th in table.find_all("th") if th.text == "Tier")
    assert tier.get("aria-sort") == "ascending"
    assert tier.one("a").get("href") == "?sort=tier&order=descending"
    filtered = browse.get("/pdu/P1/allocation?sort=tier&order=ascending&case_type=licence")
    form = html.fields(filtered)
    assert (form["sort"], form["order"], form["case_type"]) == ("tier", "ascending", "licence")


def test_risk_sorts_from_low_to_very_high(browse: TestClient) -> None:
    response = browse.get("/pdu/P1/allocation?sort=rosh&order=ascending")
    assert [row[0] for row in _queue_rows(response)] == ["Q5", "Q1", "Q2", "Q3"]


@pytest.mark.parametrize(
    ("query", "crns"),
    [
        ("tier=B2", ["Q1"]),
        ("case_type=licence", ["Q2", "Q5"]),
        ("rosh=high", ["Q2"]),
        ("least_days=8", ["Q3", "Q1"]),
        ("case_type=licence&least_days=1", ["Q2"]),
    ],
)
def test_filters_narrow_the_queue(browse: TestClient, query: str, crns: list[str]) -> None:
    response = browse.get(f"/pdu/P1/allocation?{query}")
    assert [row[0] for row in _queue_rows(response)] == crns


@pytest.mark.parametrize("query", ["tier=Z9", "sort=surname", "least_days=soon", "rosh=extreme"])
def test_a_filter_or_sort_the_page_does_not_offer_is_refused(
    browse: TestClient, query: str
) -> None:
    assert browse.get(f"/pdu/P1/allocation?{query}").status_code == 400


def test_cases_past_the_first_appointment_standard_are_tagged(browse: TestClient) -> None:
    table = html.table(browse.get("/pdu/P1/allocation"), QUEUE)
    tagged = {
        row.find_all("td")[0].text
        for row in table.one("tbody").find_all("tr")
        if any("govuk-tag" in tag.classes for tag in row.find_all("strong"))
    }
    assert tagged == {"Q1"}


def test_each_case_links_to_who_could_take_it(browse: TestClient) -> None:
    table = html.table(browse.get("/team/T1/allocation"), QUEUE)
    assert [link.get("href") for link in table.find_all("a") if "/cases/" in link.get("href")] == [
        "/allocation/cases/Q1",
        "/allocation/cases/Q5",
    ]


def test_the_queue_downloads_as_the_command_lines_columns(browse: TestClient) -> None:
    response = browse.get("/team/T1/allocation?download=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == list(QUEUE_COLUMNS)
    assert [row[0] for row in rows[1:]] == ["Q1", "Q5"]


def test_a_region_shows_counts_by_tier_and_type_linking_to_candidates(
    browse: TestClient,
) -> None:
    response = browse.get("/region/R1/allocation")
    assert html.main(response).find(css_class="govuk-select") is None  # no list to filter
    rows = html.table_rows(response, "Cases waiting by tier and type")
    assert [row[:3] for row in rows] == [
        ["Community", "B2", "1"],
        ["Custody", "A3", "1"],
        ["Licence", "C1", "1"],
        ["Licence", "D2", "1"],
    ]
    first = html.table(response, "Cases waiting by tier and type").one("tbody").find_all("a")[0]
    href = first.get("href")
    assert href == f"/region/R1/allocation/candidates?tier=B2&case_type=community&as_of={ON}"
    kind = browse.get(href)
    assert kind.status_code == 200
    # Across the region's teams, the lowest capacity after first; S2, a PSO, may not take B2.
    assert [row[0] for row in html.table_rows(kind, ELIGIBLE)] == ["Cara Davies", "Ada Brown"]
    assert [row[0] for row in html.table_rows(kind, NOT_ELIGIBLE)] == ["Ben Carter"]


def test_a_team_manager_cannot_open_another_teams_queue(queued: FastAPI) -> None:
    with _as(queued, "manager") as client:
        assert client.get("/team/T1/allocation").status_code == 200
        other = client.get("/team/T2/allocation")
        unknown = client.get("/team/NOWHERE/allocation")
        assert other.status_code == unknown.status_code == 404
        assert html.page_text(other) == html.page_text(unknown)
        assert client.get("/allocation/cases/Q2").status_code == 404  # T2's case
        assert client.get("/api/allocation/team/T2/queue").status_code == 404


def test_candidates_come_eligible_first_with_their_figures(browse: TestClient) -> None:
    response = browse.get("/allocation/cases/Q1")
    main = html.main(response)
    case = html.summary_list(main)
    assert (case["CRN"], case["Team"], case["Tier"], case["ROSH"]) == ("Q1", "T1", "B2", "medium")
    eligible = html.table_rows(main, ELIGIBLE)
    assert [row[0] for row in eligible] == ["Ada Brown"]
    assert eligible[0][3].startswith("from ") and " to " in eligible[0][3]
    others = html.table_rows(main, NOT_ELIGIBLE)
    assert [(row[0], row[-1]) for row in others] == [
        ("Ben Carter", "Their grade is not given cases of this tier")
    ]
    assert "default" in main.one(css_class="govuk-inset-text").text


# S1 held the person before; S2, a PSO, may take a D2 case of low risk; the head of the PDU
# also sees T2's practitioners, as they allocate across the PDU's teams.
TEAM_LINKS = [
    "/allocation/cases/Q5/allocate?staff_code=S1&team_code=T1",
    "/allocation/cases/Q5/allocate?staff_code=S2&team_code=T1",
]


@pytest.mark.parametrize(("username", "links"), [("manager", 2), ("head", 3), ("lead", 0)])
def test_only_those_who_may_allocate_see_an_allocate_link(
    queued: FastAPI, username: str, links: int
) -> None:
    with _as(queued, username) as client:
        main = html.main(client.get("/allocation/cases/Q5"))
    allocate = [link.get("href") for link in main.find_all("a") if link.text.startswith("Allocate")]
    assert len(allocate) == links
    if username == "manager":
        assert allocate == TEAM_LINKS
    if username == "head":
        assert allocate[0] == TEAM_LINKS[0]  # continuity first
        assert set(allocate) == {
            *TEAM_LINKS,
            "/allocation/cases/Q5/allocate?staff_code=S3&team_code=T2",
        }


def test_a_team_manager_is_offered_their_team_and_the_head_of_pdu_the_pdu(
    queued: FastAPI,
) -> None:
    teams = {}
    for username in ("manager", "head"):
        with _as(queued, username) as client:
            found = client.get("/api/allocation/cases/Q1/candidates").json()
        teams[username] = {candidate["team_code"] for candidate in found["candidates"]}
    assert teams == {"manager": {"T1"}, "head": {"T1", "T2"}}


def test_national_sees_no_allocate_link(browse: TestClient) -> None:
    main = html.main(browse.get("/allocation/cases/Q5"))
    assert not [link for link in main.find_all("a") if link.text.startswith("Allocate")]


def test_the_api_gives_the_queue_and_the_candidates(browse: TestClient) -> None:
    found = browse.get("/api/allocation/team/T1/queue").json()
    assert [case["crn"] for case in found["cases"]] == ["Q1", "Q5"]
    assert found["cases"][0]["past_first_appointment_standard"] is True
    assert isinstance(found["cases"][0]["points"], str)
    candidates = browse.get("/api/allocation/cases/Q1/candidates").json()
    first = candidates["candidates"][0]
    assert (first["staff_code"], first["eligible"]) == ("S1", True)
    for name in ("capacity_before", "capacity_after"):
        whole, tenths = first[name].split(".")
        assert whole.isdigit() and len(tenths) == 1
    assert candidates["may_allocate"] is False
    assert browse.get("/api/allocation/cases/NOPE/candidates").status_code == 404


def test_the_unit_page_links_to_its_queue(browse: TestClient) -> None:
    assert "/team/T1/allocation" in html.hrefs(html.main(browse.get("/team/T1/overview")))


def test_every_overview_shows_each_units_cases_waiting_and_the_longest_wait(
    browse: TestClient,
) -> None:
    pdu = browse.get("/pdu/P1/overview")
    header = html.table_header(pdu)
    waiting, longest = header.index("Waiting for allocation"), header.index("Longest wait (days)")
    rows = {row[0]: (row[waiting], row[longest]) for row in html.table_rows(pdu)}
    assert rows == {"Tyneside Team 1": ("2", "8"), "Tyneside Team 2": ("2", "50")}
    (region,) = html.table_rows(browse.get("/region/R1/overview"))
    assert (region[waiting], region[longest]) == ("4", "50")
    assert "Waiting for allocation" not in html.table_header(browse.get("/team/T1/overview"))


def test_the_history_shows_the_queues_size_at_each_snapshot(
    browse: TestClient, store: Store, tmp_path: Path
) -> None:
    earlier = "Q5,,T1,licence,D2,true,priority,,,S1,low,\n"
    import_case_folder(store, allocation_folder(tmp_path / "earlier", EARLIER, earlier))
    history = browse.get("/team/T1/history")
    rows = html.table_rows(history, "Cases waiting for allocation at each snapshot")
    assert rows == [[str(EARLIER), "1"], [str(ON), "2"]]
    pdu = browse.get("/pdu/P1/history")
    assert html.table_rows(pdu, "Cases waiting for allocation")[-1] == [str(ON), "4"]
    # Q5 now waits from the first snapshot it waited in.
    queue = {row[0]: row[6] for row in _queue_rows(browse.get("/team/T1/allocation"))}
    assert queue["Q5"] == str((ON - EARLIER).days)


def test_a_case_outside_someones_team_is_answered_as_one_that_does_not_exist(
    queued: FastAPI,
) -> None:
    with _as(queued, "manager") as client:  # Q2 waits in team T2; NOPE nowhere
        elsewhere = client.get("/api/allocation/cases/Q2/candidates")
        nowhere = client.get("/api/allocation/cases/NOPE/candidates")
    assert (elsewhere.status_code, nowhere.status_code) == (404, 404)
    assert elsewhere.json() == nowhere.json()
