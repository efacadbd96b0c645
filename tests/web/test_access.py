"""Sign-in, and who sees what: every route x every role x inside and outside their scope.

Every route of the application is classified below: public, open to anyone signed in,
checked against the person's scope, or for administrators only. A route in none of these
fails test_every_route_is_classified, so a new page, download, API endpoint or admin form
must be added here, with what each role may do with it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from tests import html
from tests.managers import add_kept_reduction
from tests.web.sessions import PASSWORD, form_token, read_page, signed_in
from wmt.domain.access import Role
from wmt.services.accounts import add_user
from wmt.services.inputs import ReductionEntry
from wmt.store.transactions import Store
from wmt.web.allocation_plan_pages import ShownPlan, ShownRebalance
from wmt.web.common import PAGE_NOT_FOUND

Route = tuple[str, str]  # (method, path as the application declares it)

# The test snapshot: region R1 > PDU P1 > teams T1 (S1, S2) and T2 (S3).
USERS = {
    "practitioner": (Role.PRACTITIONER, "S1"),
    "manager": (Role.TEAM_MANAGER, "T1"),
    "head": (Role.HEAD_OF_PDU, "P1"),
    "lead": (Role.REGIONAL_LEAD, "R1"),
    "national": (Role.NATIONAL, "national"),
    "admin": (Role.ADMIN, "national"),
}
# What each person may see; everything else is refused.
VISIBLE = {
    "practitioner": {("practitioner", "S1")},
    "manager": {("team", "T1"), ("practitioner", "S1"), ("practitioner", "S2")},
    "head": {
        ("pdu", "P1"),
        ("team", "T1"),
        ("team", "T2"),
        ("practitioner", "S1"),
        ("practitioner", "S2"),
        ("practitioner", "S3"),
    },
}
VISIBLE["lead"] = VISIBLE["head"] | {("region", "R1")}
EVERYTHING = VISIBLE["lead"] | {("national", "national")}
VISIBLE["national"] = VISIBLE["admin"] = EVERYTHING
HOMES = {
    "practitioner": "/practitioner/S1/overview",
    "manager": "/team/T1/overview",
    "head": "/pdu/P1/overview",
    "lead": "/region/R1/overview",
    "national": "/national/national/overview",
    "admin": "/national/national/overview",
}
# A code that names no unit: asking for it must look exactly like asking for one out of scope.
UNKNOWN = "NOWHERE"


def _downloads(*urls: str) -> tuple[str, ...]:
    """Each page, and it downloaded as CSV and as a workbook."""
    kinds = ("", "download=csv", "download=xlsx")
    joined = (
        f"{url}{('&' if '?' in url else '?') if kind else ''}{kind}"
        for url in urls
        for kind in kinds
    )
    return tuple(joined)


# Anyone may use these, signed in or not. Static assets are served by mounts, not routes.
PUBLIC_ROUTES: set[Route] = {
    ("GET", "/sign-in"),
    ("POST", "/sign-in"),
    ("POST", "/sign-out"),  # clears the session; needs the form's token
    ("GET", "/sign-in/oidc"),
    ("GET", "/sign-in/oidc/callback"),
    ("GET", "/api/openapi.json"),
}
PUBLIC_MOUNTS = {"/assets", "/govuk", "/moj", "/static"}
# For operators and their monitoring, not people: no session; /metrics answers only this
# machine or a bearer token (tests/web/test_operations.py).
OPERATOR_ROUTES: set[Route] = {("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/metrics")}

# Anyone signed in may use these, whatever their scope: (method, path) -> the URL to try.
# Forms are posted with a valid token and no fields, so the person is told what to fill in.
SIGNED_IN_ROUTES: dict[Route, str] = {
    ("GET", "/"): "/",
    ("GET", "/api/me"): "/api/me",
    ("GET", "/api/snapshots"): "/api/snapshots",
    ("GET", "/api/reduction-reasons"): "/api/reduction-reasons",
    ("GET", "/api/allocation/eligibility"): "/api/allocation/eligibility",
    ("GET", "/account/password"): "/account/password",
    ("POST", "/account/password"): "/account/password",
    # Scoped by the case's team, checked in tests/web/test_allocation_pages.py; a held case
    # waits for nobody, so everyone is told so.
    ("GET", "/allocation/cases/{crn}"): "/allocation/cases/X000001",
    ("GET", "/api/allocation/cases/{crn}/candidates"): "/api/allocation/cases/X000001/candidates",
    # Scoped by the case's team, checked in tests/web/test_practitioner_cases.py; a waiting
    # case is held by nobody, so everyone is told so.
    ("GET", "/allocation/cases/{crn}/reallocation"): "/allocation/cases/X000006/reallocation",
}

UNIT_VIEWS = ("caseload", "signals", "quality")  # history has a route of its own
PRACTITIONER_VIEWS = ("caseload",)
# Checked against the person's scope: (method, path) -> (the URLs to try for each unit, the
# URLs to try for each practitioner), with {level} and {code} filled in.
SCOPED_ROUTES: dict[Route, tuple[tuple[str, ...], tuple[str, ...]]] = {
    ("GET", "/{level}/{code}/overview"): (_downloads("/{level}/{code}/overview"), ()),
    ("GET", "/practitioner/{staff_code}/overview"): ((), ("/practitioner/{code}/overview",)),
    ("GET", "/{level}/{code}/history"): (
        _downloads("/{level}/{code}/history"),
        _downloads("/{level}/{code}/history?from=2026-01-01&to=2026-12-31"),
    ),
    # Signals and data quality are for units only.
    ("GET", "/{level}/{code}/{view}"): (
        _downloads(*(f"/{{level}}/{{code}}/{view}" for view in UNIT_VIEWS)),
        _downloads(*(f"/{{level}}/{{code}}/{view}" for view in PRACTITIONER_VIEWS)),
    ),
    ("GET", "/{level}/{code}/audit"): (
        ("/{level}/{code}/audit", "/{level}/{code}/audit?download=csv"),
        ("/{level}/{code}/audit", "/{level}/{code}/audit?download=csv"),
    ),
    ("GET", "/api/{level}/{code}/overview"): (("/api/{level}/{code}/overview",), ()),
    ("GET", "/api/practitioner/{staff_code}/overview"): (
        (),
        ("/api/practitioner/{code}/overview",),
    ),
    ("GET", "/api/{level}/{code}/history"): (
        ("/api/{level}/{code}/history",),
        ("/api/{level}/{code}/history?from=2026-01-01",),
    ),
    ("GET", "/api/{level}/{code}/caseload"): (
        ("/api/{level}/{code}/caseload?as_of=2026-11-20",),
        ("/api/{level}/{code}/caseload",),
    ),
    ("GET", "/api/{level}/{code}/signals"): (("/api/{level}/{code}/signals",), ()),
    ("GET", "/api/{level}/{code}/quality"): (("/api/{level}/{code}/quality",), ()),
    ("GET", "/api/{level}/{code}/audit"): (
        ("/api/{level}/{code}/audit",),
        ("/api/{level}/{code}/audit",),
    ),
    ("GET", "/api/practitioner/{staff_code}/inputs"): (
        (),
        ("/api/practitioner/{code}/inputs?team={team}",),
    ),
    ("GET", "/{level}/{code}/allocation"): (_downloads("/{level}/{code}/allocation"), ()),
    ("GET", "/{level}/{code}/allocation/candidates"): (
        ("/{level}/{code}/allocation/candidates?tier=B2&case_type=community",),
        (),
    ),
    ("GET", "/api/allocation/{level}/{code}/queue"): (
        ("/api/allocation/{level}/{code}/queue",),
        (),
    ),
    ("GET", "/{level}/{code}/allocation/decisions"): (
        (
            "/{level}/{code}/allocation/decisions",
            "/{level}/{code}/allocation/decisions?format=csv",
            "/{level}/{code}/allocation/decisions?format=json&status=pending",
        ),
        ("/{level}/{code}/allocation/decisions",),
    ),
    ("GET", "/api/allocation/{level}/{code}/decisions"): (
        ("/api/allocation/{level}/{code}/decisions",),
        ("/api/allocation/{level}/{code}/decisions",),
    ),
    ("GET", "/practitioner/{staff_code}/allocation"): (
        (),
        ("/practitioner/{code}/allocation?team={team}",),
    ),
    ("GET", "/api/practitioner/{staff_code}/cases"): (
        (),
        ("/api/practitioner/{code}/cases?team={team}",),
    ),
}

# Plans over a team's or PDU's stored figures, read by whoever may see the unit (a region or
# the country has none: 400); what if a practitioner leaves, by whoever may see their team.
# (method, path) -> the URL to try, with {level} and {code}, or {code} and {team}, filled in.
PLAN_ROUTES: dict[Route, str] = {
    ("GET", "/api/allocation/{level}/{code}/plan"): (
        "/api/allocation/{level}/{code}/plan?time_limit=1"
    ),
    ("GET", "/api/allocation/{level}/{code}/rebalance"): (
        "/api/allocation/{level}/{code}/rebalance?time_limit=1"
    ),
    ("GET", "/api/allocation/practitioner/{staff_code}/what-if-leave"): (
        "/api/allocation/practitioner/{code}/what-if-leave?team_code={team}&from=2026-12-01"
        "&time_limit=1"
    ),
    ("GET", "/{level}/{code}/allocation/plan"): "/{level}/{code}/allocation/plan",
    ("GET", "/{level}/{code}/allocation/rebalance"): "/{level}/{code}/allocation/rebalance",
    ("GET", "/practitioner/{staff_code}/allocation/what-if-leave"): (
        "/practitioner/{code}/allocation/what-if-leave?team={team}&from=2026-12-01"
    ),
}
PLAN_LEVELS = {"team", "pdu"}
# Accepting a team's or PDU's plan or rebalance: its manager (the team) or the head of its PDU
# (the PDU and its teams); anyone else who may see the unit gets 403, anyone who may not 404:
# (method, path) -> the URL to try for each unit. Nothing is sent to accept, so an allocator
# is told to choose a case.
ACCEPTANCE_ROUTES: dict[Route, str] = {
    ("POST", "/{level}/{code}/allocation/plan"): "/{level}/{code}/allocation/plan",
    ("POST", "/{level}/{code}/allocation/rebalance"): "/{level}/{code}/allocation/rebalance",
    ("POST", "/api/allocation/{level}/{code}/plan/acceptance"): (
        "/api/allocation/{level}/{code}/plan/acceptance"
    ),
    ("POST", "/api/allocation/{level}/{code}/rebalance/acceptance"): (
        "/api/allocation/{level}/{code}/rebalance/acceptance"
    ),
}
ACCEPTS = {"manager": {("team", "T1")}, "head": {("pdu", "P1"), ("team", "T1"), ("team", "T2")}}

# Only the manager of the practitioner's team may change their hours and reductions; everyone
# else gets 403: (method, path) -> the URL to try for each practitioner, with {code}, {team}
# and {reduction} (a reduction kept in wmt) filled in. Forms are posted with a valid token,
# the team and a reason and nothing else, so the manager is told what to fill in.
TEAM_MANAGER_ROUTES: dict[Route, str] = {
    ("GET", "/practitioner/{staff_code}/reductions/new"): (
        "/practitioner/{code}/reductions/new?team={team}"
    ),
    ("POST", "/practitioner/{staff_code}/reductions/new"): "/practitioner/{code}/reductions/new",
    ("GET", "/practitioner/{staff_code}/reductions/{reduction_id}/change"): (
        "/practitioner/{code}/reductions/{reduction}/change"
    ),
    ("POST", "/practitioner/{staff_code}/reductions/{reduction_id}/change"): (
        "/practitioner/{code}/reductions/{reduction}/change"
    ),
    ("GET", "/practitioner/{staff_code}/reductions/{reduction_id}/delete"): (
        "/practitioner/{code}/reductions/{reduction}/delete"
    ),
    ("POST", "/practitioner/{staff_code}/reductions/{reduction_id}/delete"): (
        "/practitioner/{code}/reductions/{reduction}/delete"
    ),
    ("GET", "/practitioner/{staff_code}/hours"): "/practitioner/{code}/hours?team={team}",
    ("POST", "/practitioner/{staff_code}/hours"): "/practitioner/{code}/hours",
    ("POST", "/api/practitioner/{staff_code}/reductions"): "/api/practitioner/{code}/reductions",
    ("PUT", "/api/practitioner/{staff_code}/reductions/{reduction_id}"): (
        "/api/practitioner/{code}/reductions/{reduction}"
    ),
    ("DELETE", "/api/practitioner/{staff_code}/reductions/{reduction_id}"): (
        "/api/practitioner/{code}/reductions/{reduction}"
    ),
    ("PUT", "/api/practitioner/{staff_code}/contracted-hours"): (
        "/api/practitioner/{code}/contracted-hours"
    ),
}
TEAMS = {"S1": "T1", "S2": "T1", "S3": "T2"}
# A team manager allocates within their team, a head of PDU across its teams; everyone else
# may not (403), or cannot see the case's team at all (404): (method, path) -> the URL to try
# for giving the waiting case X000006 (team T2) to S3 (T2) or S1 (T1). Forms are posted with
# a valid token and the practitioner, so an allocator's allocation is recorded.
ALLOCATOR_ROUTES: dict[Route, str] = {
    ("GET", "/allocation/cases/{crn}/allocate"): (
        "/allocation/cases/X000006/allocate?staff_code={code}&team_code={team}"
    ),
    ("POST", "/allocation/cases/{crn}/allocate"): "/allocation/cases/X000006/allocate",
    ("GET", "/allocation/cases/{crn}/reallocate"): (
        "/allocation/cases/X000006/reallocate?staff_code={code}&team_code={team}"
    ),
    ("POST", "/allocation/cases/{crn}/reallocate"): "/allocation/cases/X000006/reallocate",
    ("POST", "/api/allocation/cases/{crn}/allocation"): "/api/allocation/cases/X000006/allocation",
}
ALLOCATES = {"head": {"T1", "T2"}}  # T1's manager cannot see X000006's team, T2
# The manager of a case's team or the head of its PDU locks and unlocks it; everyone else may
# not (403), or cannot see the case's team at all (404): (method, path) -> the URL to try for
# X000001, held by S1 in team T1. Checked in tests/web/test_practitioner_cases.py.
LOCKER_ROUTES: dict[Route, str] = {
    ("POST", "/allocation/cases/{crn}/lock"): "/allocation/cases/X000001/lock",
    ("POST", "/allocation/cases/{crn}/unlock"): "/allocation/cases/X000001/unlock",
    ("PUT", "/api/allocation/cases/{crn}/lock"): "/api/allocation/cases/X000001/lock",
    ("DELETE", "/api/allocation/cases/{crn}/lock"): "/api/allocation/cases/X000001/lock",
}
LOCKERS = {"manager", "head"}
MANAGES = {"manager": {"S1", "S2"}}  # whose hours and reductions each person may change

# Administrators only; everyone else gets 403: (method, path) -> the URL to try. Forms are
# posted with a valid token and no fields, so an administrator is told what to fill in (or,
# with no version, that the form is out of date). Account 1 is "nat", nobody under test.
ADMIN_ONLY_ROUTES: dict[Route, str] = {
    ("GET", "/admin"): "/admin",
    ("GET", "/admin/points"): "/admin/points",
    ("GET", "/admin/points/new"): "/admin/points/new",
    ("POST", "/admin/points/new"): "/admin/points/new",
    ("GET", "/admin/points/compare"): "/admin/points/compare",
    ("GET", "/admin/points/{version_id}"): "/admin/points/1",
    ("GET", "/admin/eligibility"): "/admin/eligibility",
    ("GET", "/admin/eligibility/new"): "/admin/eligibility/new",
    ("POST", "/admin/eligibility/new"): "/admin/eligibility/new",
    ("GET", "/admin/eligibility/{version_id}"): "/admin/eligibility/1",
    ("GET", "/admin/reasons"): "/admin/reasons",
    ("GET", "/admin/reasons/new"): "/admin/reasons/new",
    ("POST", "/admin/reasons/new"): "/admin/reasons/new",
    ("GET", "/admin/reasons/{reason_id}"): "/admin/reasons/1",
    ("POST", "/admin/reasons/{reason_id}"): "/admin/reasons/1",
    ("GET", "/admin/users"): "/admin/users",
    ("GET", "/admin/users/new"): "/admin/users/new",
    ("POST", "/admin/users/new"): "/admin/users/new",
    ("GET", "/admin/users/{account_id}"): "/admin/users/1",
    ("POST", "/admin/users/{account_id}"): "/admin/users/1",
    ("POST", "/admin/users/{account_id}/unlock"): "/admin/users/1/unlock",
    ("POST", "/admin/users/{account_id}/disable"): "/admin/users/1/disable",
    ("POST", "/admin/users/{account_id}/enable"): "/admin/users/1/enable",
    ("POST", "/admin/users/{account_id}/end-sessions"): "/admin/users/1/end-sessions",
    ("GET", "/admin/users/{account_id}/password"): "/admin/users/1/password",
    ("POST", "/admin/users/{account_id}/password"): "/admin/users/1/password",
    ("GET", "/admin/users/{account_id}/delete"): "/admin/users/1/delete",
    ("POST", "/admin/users/{account_id}/delete"): "/admin/users/1/delete",
    ("GET", "/admin/audit"): "/admin/audit",
}


Check = Callable[[Any], bool]  # what must be true of the answer, besides its status


def _errors(*messages: str) -> Check:
    """The form is shown again with exactly these messages in its error summary."""
    return lambda response: html.error_messages(response) == list(messages)


def _first_error(start: str) -> Check:
    return lambda response: html.error_messages(response)[0].startswith(start)


def _says(words: str) -> Check:
    """The page's <main> says this (a refusal with no error summary)."""
    return lambda response: words in html.page_text(response)


def _either(first: Check, second: Check) -> Check:
    return lambda response: first(response) or second(response)


def _sent_to(location: str) -> Check:
    return lambda response: response.headers["location"] == location


def _detail(words: str) -> Check:
    return lambda response: words in response.json()["detail"]


def _json(check: Callable[[Any], bool]) -> Check:
    return lambda response: check(response.json())


# What each route answers someone allowed to use it, asked as the tests below ask: GETs plain,
# forms with a valid token and no fields, API changes with API_BODY. {home} is their own scope.
SIGNED_IN_ANSWERS: dict[Route, tuple[int, Check]] = {
    ("GET", "/"): (303, lambda response: response.headers["location"].startswith("/")),
    ("GET", "/api/me"): (200, _json(lambda body: body["home"].startswith("/api/"))),
    ("GET", "/api/snapshots"): (
        200,
        _json(lambda body: [s["as_of"] for s in body["snapshots"]] == ["2026-11-20"]),
    ),
    ("GET", "/api/reduction-reasons"): (
        200,
        _json(lambda body: "Other" in [reason["name"] for reason in body]),
    ),
    ("GET", "/api/allocation/eligibility"): (
        200,
        _json(lambda body: body["grades"]["PO"]["highest_rosh"] == "very_high"),
    ),
    ("GET", "/account/password"): (
        200,
        lambda response: "current_password" in html.fields(response),
    ),
    ("POST", "/account/password"): (
        400,
        _errors("Enter your current password", "Choose a password of at least 12 characters"),
    ),
    # Someone who sees everything is told there is no such case waiting (or held); anyone
    # else gets the answer for a case outside their scope, so a CRN does not say it exists.
    ("GET", "/allocation/cases/{crn}"): (
        404,
        _either(_says("No case 'X000001' waits for allocation"), _says(PAGE_NOT_FOUND)),
    ),
    ("GET", "/api/allocation/cases/{crn}/candidates"): (
        404,
        _either(_detail("No case 'X000001' waits for allocation"), _detail(PAGE_NOT_FOUND)),
    ),
    ("GET", "/allocation/cases/{crn}/reallocation"): (
        404,
        _either(_says("No case 'X000006' is held by a practitioner"), _says(PAGE_NOT_FOUND)),
    ),
}
ADMIN_ANSWERS: dict[Route, tuple[int, Check]] = {
    ("POST", "/admin/points/new"): (
        400,
        _first_error("Enter the date this configuration comes into force"),
    ),
    ("POST", "/admin/eligibility/new"): (
        400,
        _errors("Enter the date these rules come into force"),
    ),
    ("POST", "/admin/reasons/new"): (
        400,
        _errors("Enter the reason's name", "Choose the reason's category"),
    ),
    ("POST", "/admin/reasons/{reason_id}"): (
        400,
        _errors("This form is out of date: open the reason again from the list"),
    ),
    ("POST", "/admin/users/new"): (
        400,
        _errors(
            "Enter a username of 1 to 120 characters, using only letters a to z, digits and "
            ". _ - @ +",
            "Choose a role",
            "Choose a password of at least 12 characters",
        ),
    ),
    ("POST", "/admin/users/{account_id}"): (400, _errors("Choose a role")),
    ("POST", "/admin/users/{account_id}/unlock"): (303, _sent_to("/admin/users")),
    # No version: the form cannot show it was opened on the account as it is.
    ("POST", "/admin/users/{account_id}/disable"): (
        409,
        _first_error("Someone else changed nat's account after you opened this page"),
    ),
    ("POST", "/admin/users/{account_id}/enable"): (
        409,
        _first_error("Someone else changed nat's account after you opened this page"),
    ),
    ("POST", "/admin/users/{account_id}/end-sessions"): (303, _sent_to("/admin/users/1")),
    ("POST", "/admin/users/{account_id}/password"): (
        400,
        _errors("Choose a password of at least 12 characters"),
    ),
    ("POST", "/admin/users/{account_id}/delete"): (
        400,
        _errors("Select whether to delete nat's account"),
    ),
}
MANAGER_ANSWERS: dict[Route, tuple[int, Check]] = {
    ("POST", "/practitioner/{staff_code}/reductions/new"): (
        400,
        _errors("Enter the hours as a number, like 7.5", "Enter the start date"),
    ),
    ("POST", "/practitioner/{staff_code}/reductions/{reduction_id}/change"): (
        400,
        _says("did not say which version of the reduction"),
    ),
    ("POST", "/practitioner/{staff_code}/reductions/{reduction_id}/delete"): (
        400,
        _says("it was not deleted"),
    ),
    ("POST", "/practitioner/{staff_code}/hours"): (
        400,
        _first_error("The form did not say which version of the contracted hours"),
    ),
    ("POST", "/api/practitioner/{staff_code}/reductions"): (
        201,
        _json(lambda body: isinstance(body["id"], int) and body["capacity_percent"]),
    ),
    ("PUT", "/api/practitioner/{staff_code}/reductions/{reduction_id}"): (
        200,
        _json(lambda body: bool(body["capacity_percent"])),
    ),
    # The change just before moved the reduction on from the version API_BODY names.
    ("DELETE", "/api/practitioner/{staff_code}/reductions/{reduction_id}"): (
        409,
        _detail("after you opened it"),
    ),
    ("PUT", "/api/practitioner/{staff_code}/contracted-hours"): (
        409,
        _detail("have never been set in wmt"),
    ),
}


def _answers_as_expected(response: Any, expected: tuple[int, Check], *context: object) -> None:
    status, check = expected
    assert response.status_code == status, (*context, response.status_code)
    assert check(response), (*context, response.headers.get("location"), _answer(response))


def application_routes(app: FastAPI) -> set[Route]:
    """Every (method, path) the application answers; a mount as ("MOUNT", path)."""
    found: set[Route] = set()
    for route in iter_route_contexts(app.routes):
        assert route.path is not None, route
        if route.methods is None:
            found.add(("MOUNT", route.path))
        found |= {(method, route.path) for method in route.methods or () if method != "HEAD"}
    return found


def classified() -> set[Route]:
    mounts = {("MOUNT", path) for path in PUBLIC_MOUNTS}
    groups = (
        SIGNED_IN_ROUTES,
        SCOPED_ROUTES,
        PLAN_ROUTES,
        ACCEPTANCE_ROUTES,
        TEAM_MANAGER_ROUTES,
        ALLOCATOR_ROUTES,
        LOCKER_ROUTES,
        ADMIN_ONLY_ROUTES,
    )
    return PUBLIC_ROUTES | OPERATOR_ROUTES | mounts | set().union(*(set(g) for g in groups))


def test_every_change_has_an_expected_answer() -> None:
    changes = {route for route in TEAM_MANAGER_ROUTES if route[0] != "GET"}
    assert set(MANAGER_ANSWERS) == changes
    assert set(ADMIN_ANSWERS) == {route for route in ADMIN_ONLY_ROUTES if route[0] != "GET"}
    assert set(SIGNED_IN_ANSWERS) == set(SIGNED_IN_ROUTES)


def test_every_route_is_classified(app: FastAPI) -> None:
    present = application_routes(app)
    assert present - classified() == set(), "add these routes to the matrix in test_access.py"
    stale = classified() - present - {("MOUNT", path) for path in PUBLIC_MOUNTS}
    assert stale == set(), "these routes are classified but no longer exist"
    groups = [
        PUBLIC_ROUTES,
        OPERATOR_ROUTES,
        set(SIGNED_IN_ROUTES),
        set(SCOPED_ROUTES),
        set(PLAN_ROUTES),
        set(ACCEPTANCE_ROUTES),
        set(TEAM_MANAGER_ROUTES),
        set(ALLOCATOR_ROUTES),
        set(LOCKER_ROUTES),
        set(ADMIN_ONLY_ROUTES),
    ]
    assert sum(len(group) for group in groups) == len(set().union(*groups)), "classified twice"


def test_a_new_route_is_caught_until_it_is_classified(app: FastAPI) -> None:
    def editing() -> dict[str, str]:
        return {}

    app.add_api_route("/api/reductions", editing, methods=["POST"])
    assert application_routes(app) - classified() == {("POST", "/api/reductions")}


def _scoped_urls() -> Iterator[tuple[str, str, str]]:
    """(level, code, URL) for every scoped route and every unit and practitioner."""
    for unit_urls, practitioner_urls in SCOPED_ROUTES.values():
        for level, code in sorted(EVERYTHING):
            for url in practitioner_urls if level == "practitioner" else unit_urls:
                yield level, code, url.format(level=level, code=code, team=TEAMS.get(code))


def _answer(response: Any) -> tuple[int, object]:
    """What a refusal says: its status and, for a page, the text a person reads."""
    if response.headers["content-type"].startswith("application/json"):
        return response.status_code, response.json()
    page = read_page(response)
    return response.status_code, (page.title, page.heading, page.main)


# A body every API change accepts the shape of, so refusals come from access, not validation.
API_BODY = {
    "reason": "Other",
    "hours": "1",
    "start_date": "2026-11-01",
    "contracted_hours": "30",
    "version": 1,
}


def _request(client: TestClient, method: str, url: str, token: str, **fields: str) -> Any:
    if url.startswith("/api/") and method != "GET":
        body = API_BODY | {"team_code": fields.get("team", "")}
        return client.request(method, url, json=body, follow_redirects=False)
    if method == "POST":
        form = {"csrf_token": token, **fields}
        return client.post(url, data=form, follow_redirects=False)
    return client.get(url, follow_redirects=False)


def _input_requests(reductions: dict[str, int]) -> Iterator[tuple[str, str, Route, str]]:
    """(staff code, team, route, URL) for every input route and practitioner; deletions last."""
    routes = sorted(TEAM_MANAGER_ROUTES.items(), key=lambda item: "delete" in item[1])
    for staff_code, team in sorted(TEAMS.items()):
        for route, url in routes:
            if "{reduction}" in url and staff_code not in reductions:
                continue
            filled = url.format(code=staff_code, team=team, reduction=reductions.get(staff_code))
            yield staff_code, team, route, filled


@pytest.fixture
def reductions(app: FastAPI, store: Store) -> dict[str, int]:
    """A reduction kept in wmt for a practitioner in each team."""
    entry = ReductionEntry("Other", Decimal("1.00"), date(2026, 11, 1), None)
    return {
        code: add_kept_reduction(store, code, TEAMS[code], entry, "nat") for code in ("S1", "S3")
    }


@pytest.fixture
def people(app: FastAPI, store: Store, reductions: dict[str, int]) -> FastAPI:
    for username, (role, scope) in USERS.items():
        add_user(store, username, PASSWORD, role, scope)
    return app


@pytest.mark.parametrize("username", list(USERS))
def test_every_scoped_page_download_and_api_endpoint(people: FastAPI, username: str) -> None:
    with TestClient(people, base_url="https://testserver") as client:
        signed_in(client, username)
        for level, code, url in _scoped_urls():
            response = client.get(url, follow_redirects=False)
            if (level, code) in VISIBLE[username]:
                assert response.status_code == 200, (username, url, response.status_code)
            else:
                assert response.status_code == 404, (username, url, response.status_code)
                unknown = url.replace(f"/{level}/{code}/", f"/{level}/{UNKNOWN}/", 1)
                same = client.get(unknown, follow_redirects=False)
                assert _answer(response) == _answer(same), (username, url, unknown)


def _plan_urls() -> Iterator[tuple[tuple[str, str], str, str]]:
    """(the unit the person must see, the URL, the same URL for a unit that is not there)
    for every plan route and every unit or practitioner."""
    for url in PLAN_ROUTES.values():
        if "{team}" in url:
            for code, team in sorted(TEAMS.items()):
                yield (
                    ("team", team),
                    url.format(code=code, team=team),
                    url.format(code=code, team=UNKNOWN),
                )
            continue
        for level, code in sorted(EVERYTHING):
            if level != "practitioner":
                filled = url.format(level=level, code=code)
                yield (level, code), filled, url.format(level=level, code=UNKNOWN)


@pytest.mark.parametrize("username", list(USERS))
def test_plans_are_read_by_whoever_may_see_the_team_or_pdu(people: FastAPI, username: str) -> None:
    with TestClient(people, base_url="https://testserver") as client:
        signed_in(client, username)
        for unit, url, unknown in _plan_urls():
            response = client.get(url)
            if unit not in VISIBLE[username]:
                assert response.status_code == 404, (username, url, response.status_code)
                assert _answer(response) == _answer(client.get(unknown)), (username, url)
            elif unit[0] in PLAN_LEVELS:
                assert response.status_code == 200, (username, url, _answer(response))
            else:
                assert response.status_code == 400, (username, url, response.status_code)


# What the plan pages' forms carry back: a plan and a rebalance of nothing.
NOTHING_SHOWN = {
    "plan": ShownPlan(date(2026, 11, 20), "optimal", 0.0, None, None, Decimal(0), (), ()),
    "rebalance": ShownRebalance(date(2026, 11, 20), "optimal", 0.0, None, None, ()),
}


def _accepting(client: TestClient, url: str, token: str) -> Any:
    """Accept nothing, as a form of the plan pages or through the API."""
    if url.startswith("/api/"):
        return client.post(url, json=[])
    shown = NOTHING_SHOWN[url.rsplit("/", 1)[1]]
    carried = TypeAdapter(type(shown)).dump_json(shown).decode()
    form = {"csrf_token": token, "accept": "all", "shown": carried}
    return client.post(url, data=form, follow_redirects=False)


@pytest.mark.parametrize("username", list(USERS))
def test_only_a_units_manager_or_head_of_pdu_accepts_its_plans(
    people: FastAPI, username: str
) -> None:
    with TestClient(people, base_url="https://testserver") as client:
        signed_in(client, username)
        token = form_token(client)
        for url in ACCEPTANCE_ROUTES.values():
            for level, code in sorted(EVERYTHING):
                if level == "practitioner":
                    continue
                response = _accepting(client, url.format(level=level, code=code), token)
                if (level, code) in ACCEPTS.get(username, set()):
                    expected = 422 if url.startswith("/api/") else 400
                    assert response.status_code == expected, (username, url, code)
                    assert "Select at least one case to accept" in str(_answer(response))
                elif (level, code) in VISIBLE[username]:
                    assert response.status_code == 403, (username, url, code)
                else:
                    assert response.status_code == 404, (username, url, code)


@pytest.mark.parametrize("username", list(USERS))
def test_routes_for_anyone_signed_in_and_for_administrators(people: FastAPI, username: str) -> None:
    with TestClient(people, base_url="https://testserver") as client:
        signed_in(client, username)
        token = form_token(client)
        for route, url in SIGNED_IN_ROUTES.items():
            response = _request(client, route[0], url, token)
            _answers_as_expected(response, SIGNED_IN_ANSWERS[route], username, url)
        assert client.get("/", follow_redirects=False).headers["location"] == HOMES[username]
        assert client.get("/api/me").json()["username"] == username
        # Administrators' changes last, so the pages before them see the store unchanged.
        for route, url in sorted(ADMIN_ONLY_ROUTES.items()):
            method = route[0]
            response = _request(client, method, url, token)
            if username != "admin":
                assert response.status_code == 403, (username, method, url)
            elif method == "GET":
                assert response.status_code == 200, (method, url, response.status_code)
            else:
                _answers_as_expected(response, ADMIN_ANSWERS[route], method, url)


@pytest.mark.parametrize("username", list(USERS))
def test_only_the_teams_manager_changes_hours_and_reductions(
    people: FastAPI, reductions: dict[str, int], username: str
) -> None:
    with TestClient(people, base_url="https://testserver") as client:
        signed_in(client, username)
        token = form_token(client)
        for staff_code, team, route, url in _input_requests(reductions):
            method = route[0]
            response = _request(client, method, url, token, team=team, reason="Other")
            if staff_code not in MANAGES.get(username, set()):
                assert response.status_code == 403, (username, method, url)
            elif method == "GET":
                assert response.status_code == 200, (username, url, response.status_code)
            else:
                _answers_as_expected(response, MANAGER_ANSWERS[route], method, url)


def test_nobody_signed_in_is_sent_to_sign_in_or_refused_by_the_api(
    app: FastAPI, reductions: dict[str, int]
) -> None:
    with TestClient(app, base_url="https://testserver") as client:
        token = form_token(client)
        urls = [url for _, _, url in _scoped_urls()]
        requests = [("GET", url) for url in urls]
        requests += [(method, url) for (method, _), url in SIGNED_IN_ROUTES.items()]
        requests += [(method, url) for (method, _), url in ADMIN_ONLY_ROUTES.items()]
        requests += [(route[0], url) for _, _, route, url in _input_requests(reductions)]
        for method, url in requests:
            response = _request(client, method, url, token, team="T1")
            if url.startswith("/api/"):
                assert response.status_code == 401, (method, url)
                assert "Sign in" in response.json()["detail"]
            else:
                assert response.status_code == 303, (method, url)
                assert response.headers["location"] == f"/sign-in?next={url}"
        for method, path in PUBLIC_ROUTES:
            if method == "GET" and "oidc" not in path:
                assert client.get(path, follow_redirects=False).status_code == 200, path


def test_a_manager_sees_only_their_own_team_in_roll_ups(people: FastAPI) -> None:
    with TestClient(people, base_url="https://testserver") as client:
        signed_in(client, "head")
        pdu = html.table(client.get("/pdu/P1/overview")).one("tbody")
        assert html.hrefs(pdu) == ["/team/T1/overview", "/team/T2/overview"]
    with TestClient(people, base_url="https://testserver") as client:
        signed_in(client, "manager")
        team = client.get("/team/T1/overview?download=csv").content.decode("utf-8-sig")
        assert {row["staff_code"] for row in csv.DictReader(io.StringIO(team))} == {"S1", "S2"}
        assert client.get("/team/T2/overview?download=xlsx").status_code == 404


def test_nobody_signed_in_is_sent_to_sign_in(app: FastAPI) -> None:
    with TestClient(app, base_url="https://testserver") as client:
        response = client.get("/team/T1/overview?as_of=2026-11-20", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/sign-in?next=/team/T1/overview?as_of=2026-11-20"
        assert (
            client.get("/team/T1/overview?download=csv", follow_redirects=False).status_code == 303
        )


def test_home_is_each_persons_own_scope(people: FastAPI) -> None:
    for username, home in (
        ("manager", "/team/T1/overview"),
        ("practitioner", "/practitioner/S1/overview"),
        ("national", "/national/national/overview"),
    ):
        with TestClient(people, base_url="https://testserver") as client:
            signed_in(client, username)
            assert client.get("/", follow_redirects=False).headers["location"] == home


def test_a_form_without_its_token_is_refused(app: FastAPI) -> None:
    with TestClient(app, base_url="https://testserver") as client:
        client.get("/sign-in")
        response = client.post(
            "/sign-in", data={"username": "nat", "password": PASSWORD, "csrf_token": "forged"}
        )
        assert response.status_code == 400
        page = read_page(response)
        assert page.errors == [
            "The sign-in page was open too long, so it has been reset. Enter your username "
            "and password again."
        ]
        assert page.inputs["username"] == "nat" and page.inputs["password"] == ""
        assert client.get("/national/national/overview", follow_redirects=False).status_code == 303
        signed_in(client, "nat")
        sign_out = client.post("/sign-out", data={"csrf_token": "forged"})
        assert sign_out.status_code == 403
        assert client.get("/national/national/overview").status_code == 200


def test_the_session_cookie_is_secure_http_only_and_ends_with_the_browser(app: FastAPI) -> None:
    with TestClient(app, base_url="https://testserver") as client:
        response = client.get("/sign-in")
        attributes = [part.strip().lower() for part in response.headers["set-cookie"].split(";")]
        assert {"httponly", "secure", "samesite=lax", "path=/"} <= set(attributes)
        assert not any(part.startswith(("max-age", "expires")) for part in attributes)


def test_unknown_and_out_of_scope_units_answer_alike(people: FastAPI) -> None:
    with TestClient(people, base_url="https://testserver") as client:
        signed_in(client, "manager")  # team T1: not T2, which exists, nor T9, which does not
        for outside, unknown in (
            ("/team/T2/overview", "/team/T9/overview"),
            ("/team/T2/overview?download=csv", "/team/T9/overview?download=csv"),
            ("/practitioner/S3/overview", "/practitioner/S9/overview"),
            ("/pdu/P1/signals", "/pdu/P9/signals"),
            ("/api/team/T2/overview", "/api/team/T9/overview"),
            ("/api/practitioner/S3/history", "/api/practitioner/S9/history"),
        ):
            refused, missing = client.get(outside), client.get(unknown)
            assert refused.status_code == missing.status_code == 404, outside
            assert _answer(refused) == _answer(missing), outside
        page = read_page(client.get("/team/T2/overview"))
        assert page.main.startswith("Sorry, we cannot show that Page not found.")
        assert client.get("/api/team/T2/overview").json() == {"detail": PAGE_NOT_FOUND}


@pytest.fixture
def anonymous(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver") as client:
        yield client


def test_sign_in_returns_only_to_this_site(anonymous: TestClient) -> None:
    page = anonymous.get("/sign-in?next=//evil.example/")
    assert html.fields(page)["next"] == "/"


def test_an_earlier_snapshot_is_checked_against_that_snapshot(people: FastAPI) -> None:
    with TestClient(people, base_url="https://testserver") as client:
        signed_in(client, "head")
        page = client.get("/pdu/P1/overview?as_of=2026-11-20")
        assert page.status_code == 200
        children = html.hrefs(html.table(page).one("tbody"))
        assert children == ["/team/T1/overview", "/team/T2/overview"]
        api = client.get("/api/pdu/P1/overview?as_of=2026-11-20")
        assert api.status_code == 200
        assert [child["unit_code"] for child in api.json()["children"]] == ["T1", "T2"]
