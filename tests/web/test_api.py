"""The JSON API: its shapes, its figures against the pages' downloads, its errors and document."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from tests.web.sessions import PASSWORD, signed_in
from wmt.domain.access import Role
from wmt.services.accounts import add_user
from wmt.store.transactions import Store
from wmt.web import api
from wmt.web.common import PAGE_NOT_FOUND, OutsideScope

# The test snapshot: region R1 > PDU P1 > teams T1 (S1, S2) and T2 (S3), on 2026-11-20.
AS_OF = "2026-11-20"


def download(client: TestClient, url: str) -> list[dict[str, str]]:
    """A page's table as its CSV download has it."""
    response = client.get(f"{url}{'&' if '?' in url else '?'}download=csv")
    assert response.status_code == 200, url
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def as_text(value: Any) -> str:
    """A JSON value as the CSV download writes it."""
    return "" if value is None else str(value)


def same_as_download(rows: list[dict[str, Any]], downloaded: list[dict[str, str]]) -> None:
    """Every column the download has, with the same values in the same order."""
    assert len(rows) == len(downloaded) > 0
    for row, line in zip(rows, downloaded, strict=True):
        assert {column: as_text(row[column]) for column in line} == line


@pytest.fixture
def person(app: FastAPI, store: Store) -> Iterator[TestClient]:
    """A client for someone to sign in as: people are added for each role."""
    for username, role, scope in (
        ("ada", Role.PRACTITIONER, "S1"),
        ("manager", Role.TEAM_MANAGER, "T1"),
        ("head", Role.HEAD_OF_PDU, "P1"),
    ):
        add_user(store, username, PASSWORD, role, scope)
    with TestClient(app, base_url="https://testserver") as client:
        yield client


def test_a_unit_overview_has_the_pages_figures(client: TestClient) -> None:
    national = client.get("/api/national/national/overview").json()
    assert national["summary"]["capacity_percent"] == "14.1"
    assert national["child_level"] == "region"
    assert [child["unit_code"] for child in national["children"]] == ["R1"]
    team = client.get(f"/api/team/T1/overview?as_of={AS_OF}")
    assert team.status_code == 200
    assert team.headers["content-type"] == "application/json"
    found = team.json()
    assert (found["as_of"], found["level"], found["code"]) == (AS_OF, "team", "T1")
    assert found["name"] == "Tyneside Team 1"
    assert [(u["level"], u["code"]) for u in found["within"]] == [
        ("national", "national"),
        ("region", "R1"),
        ("pdu", "P1"),
    ]
    summary = found["summary"]
    assert summary["capacity_percent"] == "17.8"  # an exact decimal, as text
    assert (summary["total_points"], summary["available_points"]) == (582, 3264)
    assert (summary["contracted_hours"], summary["case_points"]) == ("55.50", "379.00")
    assert found["child_level"] == "practitioner"
    same_as_download(
        found["children"], download(client, "/team/T1/overview?sort=staff_code&order=ascending")
    )
    pdu = client.get("/api/pdu/P1/overview").json()
    same_as_download(
        pdu["children"], download(client, "/pdu/P1/overview?sort=unit_code&order=ascending")
    )
    pdu_history = download(client, "/pdu/P1/history")[-1]
    assert pdu["summary"]["capacity_percent"] == pdu_history["capacity_percent"]


def test_children_are_those_the_page_shows_each_person(person: TestClient) -> None:
    signed_in(person, "head")
    for url in ("/pdu/P1/overview", "/team/T2/overview"):
        page = {line.get("unit_code") or line["staff_code"] for line in download(person, url)}
        children = person.get(f"/api/{url.lstrip('/')}").json()["children"]
        assert {child.get("unit_code") or child["staff_code"] for child in children} == page
    # Outside their scope is answered as if there were no such unit.
    assert person.get("/api/region/R1/overview").status_code == 404


def test_a_practitioners_figure_explained(client: TestClient) -> None:
    found = client.get("/api/practitioner/S3/overview").json()
    assert (found["staff_code"], found["forename"], found["surname"]) == ("S3", "Cara", "Davies")
    assert [u["code"] for u in found["within"]] == ["national", "R1", "P1", "T2"]
    [team] = found["teams"]
    assert team["team_code"] == "T2" and team["grade"] == "PQiP"
    # As the page has it: 2,176 × 14.80 ÷ 37, rounded down, is 870 points.
    assert team["time"] == {
        "grade": "PQiP",
        "full_time_hours": "37",
        "nominal_target": 2176,
        "contracted_hours": "37.00",
        "reduction_hours": "22.20",
        "hours_available": "14.80",
        "available_points": 870,
    }
    assert [r["reason"] for r in found["reductions"]] == ["PQiP 6 to 12 months"]
    assert found["reductions"][0] == {
        "team_code": "T2",
        "reason": "PQiP 6 to 12 months",
        "start_date": "2026-09-01",
        "end_date": None,
        "hours": "22.20",
    }
    ada = client.get("/api/practitioner/S1/overview").json()["teams"][0]
    parts = {part["part"]: part for part in ada["points"]}
    assert list(parts) == ["cases", "t2a_cases", "court_reports", "case_management_support"]
    assert (parts["cases"]["cases"], parts["t2a_cases"]["cases"]) == (2, 1)
    assert parts["court_reports"]["points"] == "138"
    assert parts["case_management_support"]["points"] == "-18"
    assert round(sum(Decimal(part["points"]) for part in ada["points"])) == ada["total_points"]
    assert (ada["total_points"], ada["available_points"], ada["capacity_percent"]) == (
        458,
        2176,
        "21.0",
    )
    row = next(r for r in download(client, "/team/T1/overview") if r["staff_code"] == "S1")
    assert row["remaining_points"] == str(ada["remaining_points"])
    assert row["capacity_percent"] == ada["capacity_percent"]


def test_history_caseload_signals_and_quality_match_the_downloads(client: TestClient) -> None:
    for url in (
        "/team/T1/history",
        "/practitioner/S1/history",
        "/pdu/P1/caseload",
        "/practitioner/S3/caseload",
        "/pdu/P1/signals",
        "/team/T2/quality",
    ):
        found = client.get(f"/api{url}")
        assert found.status_code == 200, url
        same_as_download(found.json()["rows"], download(client, url))
    history = client.get("/api/team/T1/history?from=2026-11-01&to=2026-11-30").json()
    assert history["rows"][0]["as_of"] == AS_OF
    assert history["rows"][0]["capacity_percent"] == "17.8"
    caseload = client.get("/api/team/T1/caseload").json()
    assert caseload["as_of"] == AS_OF
    a3 = next(row for row in caseload["rows"] if row["tier"] == "A3")
    assert a3 == {"tier": "A3", "community": 1, "custody": 0, "licence": 0, "t2a": 0, "total": 1}
    gap = client.get("/api/pdu/P1/signals").json()["rows"][0]
    assert gap["signal"] == "snapshot gap" and gap["staff_code"] is None
    finding = client.get("/api/team/T2/quality").json()["rows"][0]
    assert finding["finding"] == "unallocated cases" and finding["team_code"] == "T2"


def test_snapshots_and_who_is_signed_in(person: TestClient) -> None:
    signed_in(person, "manager")
    assert person.get("/api/me").json() == {
        "username": "manager",
        "role": "team_manager",
        "scope_level": "team",
        "scope": "T1",
        "home": "/api/team/T1/overview",
    }
    [snapshot] = person.get("/api/snapshots").json()["snapshots"]
    assert snapshot["as_of"] == AS_OF
    assert set(snapshot) == {"as_of", "source_format", "imported_at", "points_configuration_id"}


def test_a_practitioner_sees_only_themself(person: TestClient) -> None:
    signed_in(person, "ada")
    me = person.get("/api/me").json()
    assert (me["role"], me["scope"], me["home"]) == (
        "practitioner",
        "S1",
        "/api/practitioner/S1/overview",
    )
    assert person.get(me["home"]).json()["staff_code"] == "S1"
    assert person.get("/api/practitioner/S1/history").status_code == 200
    assert person.get("/api/practitioner/S1/caseload").status_code == 200
    for url in (
        "/api/practitioner/S2/overview",
        "/api/practitioner/S3/history",
        "/api/practitioner/S2/caseload",
        "/api/team/T1/overview",
        "/api/team/T1/signals",
        "/api/national/national/overview",
    ):
        refused = person.get(url)
        assert refused.status_code == 404, url
        assert refused.json() == {"detail": PAGE_NOT_FOUND}, url  # nothing of who is there


def test_errors_are_json(client: TestClient, app: FastAPI) -> None:
    with TestClient(app, base_url="https://testserver") as anonymous:
        refused = anonymous.get("/api/team/T1/overview", follow_redirects=False)
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/json"
        assert refused.json() == {
            "detail": "Sign in first, at /sign-in, and send the session cookie."
        }
        assert anonymous.get("/api/county/X/overview").status_code == 401
    for url, status, detail in (
        ("/api/team/NOWHERE/overview", 404, "There is no team 'NOWHERE' in the snapshot."),
        ("/api/practitioner/NOBODY/overview", 404, "There is no practitioner 'NOBODY'"),
        ("/api/county/X/overview", 404, "There is no level called 'county'"),
        ("/api/practitioner/S1/signals", 404, "There is no level called 'practitioner'"),
        ("/api/team/T1/overview?as_of=2020-01-01", 404, "snapshot"),
        ("/api/team/T1/history?from=2030-01-01", 400, "No team 'T1' in any snapshot"),
    ):
        response = client.get(url)
        assert response.status_code == status, url
        assert response.headers["content-type"] == "application/json", url
        assert detail in response.json()["detail"], url
    invalid = client.get("/api/team/T1/overview?as_of=20-11-2026")
    assert invalid.status_code == 422
    assert invalid.json()["errors"] == {
        "as_of": "Enter the snapshot date as YYYY-MM-DD, like 2026-11-20"
    }


@pytest.mark.parametrize(
    ("url", "field", "message"),
    [
        ("/api/team/T1/overview?as_of=20261120", "as_of", "Enter the snapshot date as YYYY-MM-DD"),
        (
            "/api/team/T1/caseload?as_of=1999-12-31",
            "as_of",
            "The snapshot date must be between 1 January 2000",
        ),
        ("/api/team/T1/history?from=2026-02-30", "from", "The start date must be a real date"),
        ("/api/team/T1/history?to=2026-W47-5", "to", "Enter the end date as YYYY-MM-DD"),
        ("/api/team/" + "T" * 41 + "/overview", "code", "The code must be 40 characters or fewer"),
        ("/api/team/T%001/overview", "code", "The code cannot contain a line break or other"),
        ("/api/practitioner/S%1B1/overview", "staff_code", "The staff code cannot contain"),
        ("/api/practitioner/S1/inputs?team=%E2%80%AET1", "team", "The team code cannot contain"),
    ],
)
def test_every_parameter_is_checked_and_named_in_the_refusal(
    client: TestClient, url: str, field: str, message: str
) -> None:
    response = client.get(url)
    assert response.status_code == 422, url
    found = response.json()
    assert list(found["errors"]) == [field] and found["errors"][field].startswith(message)
    assert found["detail"] == found["errors"][field] + "."


def test_the_openapi_document_describes_every_api_route(app: FastAPI) -> None:
    with TestClient(app, base_url="https://testserver") as anonymous:
        response = anonymous.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "wmt API"
    routes = {
        (route.path, method.lower())
        for route in iter_route_contexts(app.routes)
        if (route.path or "").startswith("/api/") and route.path != api.OPENAPI_URL
        for method in route.methods or ()
    }
    described = {(path, method) for path, item in document["paths"].items() for method in item}
    assert described == routes
    assert {path for path, _ in routes} >= {
        "/api/me",
        "/api/snapshots",
        "/api/practitioner/{staff_code}/overview",
        "/api/{level}/{code}/overview",
        "/api/{level}/{code}/history",
        "/api/{level}/{code}/caseload",
        "/api/{level}/{code}/signals",
        "/api/{level}/{code}/quality",
    }
    schemas = document["components"]["schemas"]
    for item in document["paths"].values():
        for operation in item.values():
            assert operation["security"] == [{"session": []}]
            success = "201" if "201" in operation["responses"] else "200"
            assert {success, "401", "403", "404"} <= set(operation["responses"])
            ok = operation["responses"][success]["content"]["application/json"]["schema"]
            reference = ok.get("$ref") or ok["items"]["$ref"]  # one object, or a list of them
            assert reference.removeprefix("#/components/schemas/") in schemas
    assert document["components"]["securitySchemes"]["session"] == {
        "type": "apiKey",
        "in": "cookie",
        "name": "wmt_session",
        "description": "The session cookie set by signing in at /sign-in, as for the pages.",
    }
    for reference in _references(document):
        assert reference.removeprefix("#/components/schemas/") in schemas, reference
    capacity = schemas["UnitRow"]["properties"]["capacity_percent"]
    assert capacity["type"] == "string" and capacity["description"]
    for name, schema in schemas.items():
        for field, spec in schema.get("properties", {}).items():
            if name not in ("HTTPValidationError", "ValidationError"):
                assert spec.get("description"), (name, field)
    refusals = {
        status: operation["responses"][status]["content"]["application/json"]["schema"]
        for item in document["paths"].values()
        for operation in item.values()
        for status in operation["responses"]
        if status.startswith(("4", "5"))
    }
    assert {status: ref["$ref"].rsplit("/", 1)[-1] for status, ref in refusals.items()} == {
        "400": "Problem",
        "401": "Problem",
        "403": "Problem",
        "404": "Problem",
        "409": "Problem",
        "415": "Problem",
        "422": "FieldProblems",
    }
    assert "HTTPValidationError" not in schemas
    history = document["paths"]["/api/{level}/{code}/history"]["get"]["parameters"]
    assert [p["name"] for p in history] == ["level", "code", "from", "to"]
    level = history[0]["schema"]
    assert level["enum"] == ["practitioner", "team", "pdu", "region", "national"]


def _references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def test_html_routes_stay_out_of_the_document(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert all(path.startswith("/api/") for path in paths)
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404


@pytest.fixture
def writing() -> TestClient:
    """A router like the API's, with routes that change things."""
    router = APIRouter(route_class=api.ApiRoute)

    @router.post("/things")
    def add(body: Annotated[Any, Depends(api.json_body)]) -> Any:
        return body

    @router.delete("/things/{number}")
    def remove(number: int) -> dict[str, int]:
        if number == 403:
            raise OutsideScope("Not yours.")
        return {"removed": number}

    application = FastAPI()
    application.include_router(router)
    return TestClient(application)


def test_changes_must_be_sent_as_json(writing: TestClient) -> None:
    assert writing.post("/things", json={"hours": "7.5"}).json() == {"hours": "7.5"}
    form = writing.post("/things", data={"hours": "7.5"})
    assert form.status_code == 415
    assert form.json() == {"detail": "Send the body as JSON, with Content-Type: application/json."}
    plain = writing.post("/things", content=b"{}", headers={"content-type": "text/plain"})
    assert plain.status_code == 415
    broken = writing.post(
        "/things", content=b"{", headers={"content-type": "application/json; charset=utf-8"}
    )
    assert broken.status_code == 400
    assert writing.request("DELETE", "/things/1").status_code == 415
    assert writing.request("DELETE", "/things/1", json={}).json() == {"removed": 1}
    refused = writing.request("DELETE", "/things/403", json={})
    assert (refused.status_code, refused.json()) == (403, {"detail": "Not yours."})
