"""A practitioner's cases, reallocating one of them, and locking one so a rebalance leaves
it: the pages and the JSON API.

Whoever may see the practitioner reads their cases; the manager of their team or the head of
its PDU also sees, for each case, who else could take it (the reallocation candidates, each
linking to the confirmation page that records a reallocation) and a button to lock or unlock
it. The services decide who may do what; these pages only show it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from wmt.domain.hierarchy import PRACTITIONER
from wmt.services.allocation_candidates import Candidate, Candidates, candidates_for_reallocation
from wmt.services.case_locks import NOTE_MOST, CaseLock, lock_case, unlock_case
from wmt.services.practitioner_cases import HeldCase, PractitionerCases, practitioner_cases
from wmt.services.saving import EditConflict
from wmt.web.allocation_pages import ORDERS, ROSH_RANK, TIER_RANK, WHY_NOT
from wmt.web.allocation_pages import _choice as address_choice
from wmt.web.allocation_pages import _sort_href as sort_href
from wmt.web.api import StaffCode, api_router, signed_in
from wmt.web.api_allocation import Crn
from wmt.web.api_inputs import CHANGE_RESPONSES
from wmt.web.api_models import Exact, Moment, code_entry, text_entry
from wmt.web.common import as_of_of, check_csrf, csrf_token, page, reader, viewer_of
from wmt.web.consistency import store_of
from wmt.web.forms import address_code, read_form
from wmt.web.pages import query_string

router = APIRouter()
api = api_router()

HEADINGS = {
    "crn": "CRN",
    "case_type": "Type",
    "tier": "Tier",
    "rosh": "ROSH",
    "allocated_date": "Allocated",
    "points": "Points",
    "locked": "Locked",
}
DEFAULT_SORT = "tier"  # the highest tier first


def _rank(column: str) -> Callable[[HeldCase], Any]:
    """How a column sorts: tiers and risk by their rank, the rest by value."""
    if column == "tier":
        return lambda case: TIER_RANK.get(case.tier, len(TIER_RANK))
    if column == "rosh":
        return lambda case: ROSH_RANK.get(case.rosh or "", -1)
    return lambda case: getattr(case, column)


def sorted_cases(cases: Sequence[HeldCase], key: str, order: str) -> list[HeldCase]:
    """The cases in that order, those without a value in the column last, ties by CRN."""
    present = [case for case in cases if getattr(case, key) is not None]
    missing = [case for case in cases if getattr(case, key) is None]
    present.sort(key=_rank(key), reverse=order == "descending")
    return present + missing


def _sort_asked(params: Mapping[str, str]) -> tuple[str, str]:
    key = address_choice(params, "sort", tuple(HEADINGS)) or DEFAULT_SORT
    return key, address_choice(params, "order", ORDERS) or "ascending"


def _cases_page(
    request: Request,
    found: PractitionerCases,
    *,
    conflict: str | None = None,
    status_code: int = 200,
) -> Response:
    params = {"team": found.team_code, **request.query_params}
    key, order = _sort_asked(params)
    return page(
        request,
        "practitioner_cases.html",
        {
            "found": found,
            "rows": sorted_cases(found.cases, key, order),
            "sort": key,
            "order": order,
            "headings": HEADINGS,
            "sort_href": lambda column: sort_href(params, column, key, order),
            "csrf": csrf_token(request),
            "conflict": conflict,
            "banner": request.session.pop("banner", None),
        },
        found.as_of,
        status_code=status_code,
    )


@router.get("/practitioner/{staff_code}/allocation", response_class=HTMLResponse)
def cases_page(request: Request, staff_code: str, team: str = "") -> Response:
    staff_code = address_code(staff_code, "practitioner")
    viewer = reader(request, PRACTITIONER, staff_code)
    found = practitioner_cases(store_of(request), viewer, staff_code, team or None)
    return _cases_page(request, found)


def _cases_address(lock: CaseLock) -> str:
    return f"/practitioner/{lock.staff_code}/allocation" + query_string({}, team=lock.team_code)


async def _change_lock(request: Request, crn: str, locking: bool) -> Response:
    typed = await read_form(request)
    check_csrf(request, typed.get("csrf_token", ""))
    viewer = viewer_of(request)
    crn = address_code(crn, "case")
    store = store_of(request)
    try:
        if locking:
            done = lock_case(store, viewer, crn)
            message = f"{crn} is locked: a rebalance will not move it."
        else:
            done = unlock_case(store, viewer, crn)
            message = f"{crn} is unlocked: a rebalance may move it again."
    except EditConflict as conflict:
        staff_code = address_code(typed.get("staff_code", ""), "practitioner")
        found = practitioner_cases(store, viewer, staff_code, typed.get("team_code") or None)
        return _cases_page(request, found, conflict=str(conflict), status_code=409)
    request.session["banner"] = message
    return RedirectResponse(_cases_address(done), status_code=303)


@router.post("/allocation/cases/{crn}/lock", response_class=HTMLResponse)
async def lock_page(request: Request, crn: str) -> Response:
    return await _change_lock(request, crn, locking=True)


@router.post("/allocation/cases/{crn}/unlock", response_class=HTMLResponse)
async def unlock_page(request: Request, crn: str) -> Response:
    return await _change_lock(request, crn, locking=False)


@router.get("/allocation/cases/{crn}/reallocation", response_class=HTMLResponse)
def reallocation_page(request: Request, crn: str) -> Response:
    viewer = viewer_of(request)
    crn = address_code(crn, "case")
    found = candidates_for_reallocation(store_of(request), viewer, crn, as_of_of(request))
    return page(
        request,
        "allocation_reallocation.html",
        {
            "found": found,
            "eligible": [candidate for candidate in found.candidates if candidate.eligible],
            "others": [candidate for candidate in found.candidates if not candidate.eligible],
            "why_not": WHY_NOT,
            "reallocate_href": lambda candidate: _reallocate_href(found, candidate),
        },
        found.as_of,
    )


def _reallocate_href(found: Candidates, candidate: Candidate) -> str | None:
    """Where the person confirms moving the case to the candidate, if they may."""
    if not found.may_allocate or found.case.crn is None:
        return None
    return f"/allocation/cases/{found.case.crn}/reallocate" + query_string(
        {}, staff_code=candidate.staff_code, team_code=candidate.team_code
    )


# --- API -----------------------------------------------------------------------------------


class HeldCaseOut(BaseModel):
    crn: str = Field(description="The case reference number (CRN)")
    case_type: str = Field(description="community, custody or licence")
    tier: str = Field(description="The case's tier, e.g. B2 or C1S")
    rosh: str | None = Field(description="Risk of serious harm: low, medium, high or very_high")
    allocated_date: date | None = Field(description="When the practitioner was given it")
    points: Exact = Field(description="What the case adds to the practitioner's workload")
    locked: bool = Field(description="Whether a manager has locked it: a rebalance leaves it")
    locked_by: str | None = Field(description="Who locked it; null when it is not locked")
    pending_decision: bool = Field(
        description="Whether the practitioner holds it by a decision no import has confirmed yet"
    )


class PractitionerCasesOut(BaseModel):
    as_of: date = Field(description="The snapshot's date (the newest)")
    staff_code: str = Field(description="The practitioner's nDelius staff code")
    team_code: str = Field(description="The team whose cases these are")
    forename: str | None = Field(description="Forename")
    surname: str | None = Field(description="Surname")
    grade: str = Field(description="Grade: PO, PQiP, PSO or SPO")
    cases: list[HeldCaseOut] = Field(description="Their cases in the team, in CRN order")
    may_act: bool = Field(description="Whether you may reallocate and lock these cases")


class LockIn(BaseModel):
    note: Annotated[str, text_entry("The note", NOTE_MOST, line_breaks=True)] = Field(
        default="", description="Why the case stays where it is (optional)"
    )


class LockOut(BaseModel):
    crn: str = Field(description="The case")
    staff_code: str = Field(description="Who holds it")
    team_code: str = Field(description="Their team, the case's")
    locked_by: str = Field(description="Who locked it")
    locked_at: Moment = Field(description="When it was locked")
    note: str | None = Field(description="Why it stays where it is; null when not given")


@api.get(
    "/practitioner/{staff_code}/cases",
    response_model=PractitionerCasesOut,
    summary="A practitioner's cases in a team on the newest snapshot",
)
def cases(
    request: Request,
    staff_code: StaffCode,
    team: Annotated[
        str | None, code_entry("The team code", optional=True), Query(description="Their team")
    ] = None,
) -> PractitionerCasesOut:
    viewer = signed_in(request, None)
    found = practitioner_cases(store_of(request), viewer, staff_code, team or None)
    return PractitionerCasesOut.model_validate(found, from_attributes=True)


@api.put(
    "/allocation/cases/{crn}/lock",
    response_model=LockOut,
    summary="Lock a case so that a rebalance never moves it",
    responses=CHANGE_RESPONSES,
)
def lock(request: Request, crn: Crn, body: LockIn) -> LockOut:
    done = lock_case(store_of(request), signed_in(request, None), crn, body.note)
    return LockOut.model_validate(done, from_attributes=True)


@api.delete(
    "/allocation/cases/{crn}/lock",
    response_model=LockOut,
    summary="Unlock a case: a rebalance may move it again",
    responses=CHANGE_RESPONSES,
)
def unlock(request: Request, crn: Crn) -> LockOut:
    done = unlock_case(store_of(request), signed_in(request, None), crn)
    return LockOut.model_validate(done, from_attributes=True)
