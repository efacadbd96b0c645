"""Allocating a case on the pages and through the API: the confirmation page in the public
service's words, recording the decision, and the list of decisions with its downloads.

Only a team manager (within their team) or a head of PDU (across its teams) may allocate;
the services decide. A refused form is shown again with everything typed kept.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from wmt import exports
from wmt.domain import entries
from wmt.domain.allocation_rules import AllocationReason, DecisionStatus
from wmt.domain.hierarchy import ALL_LEVELS
from wmt.errors import NotFound, WmtError
from wmt.services import allocating, allocation_decisions
from wmt.services.allocating import NOTES_MOST, AllocationRequest, Holder, Proposal
from wmt.services.allocation_decisions import DEFAULT_DAYS, DecisionRecord
from wmt.services.listing import Table
from wmt.services.saving import EditConflict, InvalidInput
from wmt.web.api import AnyLevel, Code, api_router, signed_in
from wmt.web.api_inputs import CHANGE_RESPONSES
from wmt.web.api_models import Exact, Moment, code_entry, text_entry
from wmt.web.common import TEMPLATES, check_csrf, csrf_token, level_label, viewer_of
from wmt.web.consistency import store_of
from wmt.web.forms import Problems, address_code, read_form

router = APIRouter()
api = api_router()

STATUSES = tuple(status.value for status in DecisionStatus)
DOWNLOADS = ("csv", "json")


def _request(crn: str, fields: dict[str, str], *, with_seen: bool) -> AllocationRequest:
    """What a manager asked for, from the address and the form."""
    seen = None
    if with_seen:
        seen = Holder(
            fields.get("holder_staff_code") or None, fields.get("holder_team_code") or None
        )
    return AllocationRequest(
        crn=address_code(crn, "case"),
        staff_code=address_code(fields.get("staff_code", ""), "practitioner"),
        team_code=fields.get("team_code") or None,
        reason=fields.get("reason") or None,
        notes=fields.get("notes", ""),
        sensitive=fields.get("sensitive") == "yes",
        override_justification=fields.get("override_justification", ""),
        seen=seen,
    )


def _seen(found: Proposal) -> dict[str, str]:
    """Who holds the case now, for the form to carry: what the manager is shown."""
    return {
        "holder_staff_code": found.holder.staff_code or "",
        "holder_team_code": found.holder.team_code or "",
    }


def _confirm_page(
    request: Request,
    found: Proposal,
    typed: dict[str, str],
    *,
    problems: Problems | None = None,
    conflict: str | None = None,
    status_code: int = 200,
) -> Response:
    seen = (
        _seen(found)
        if conflict or not problems
        else {
            "holder_staff_code": typed.get("holder_staff_code", ""),
            "holder_team_code": typed.get("holder_team_code", ""),
        }
    )
    context = {
        "found": found,
        "typed": typed,
        "seen": seen,
        "reasons": [reason.value for reason in AllocationReason],
        "problems": problems or Problems(),
        "conflict": conflict,
        "notes_most": NOTES_MOST,
        "csrf": csrf_token(request),
    }
    return TEMPLATES.TemplateResponse(
        request, "allocation_confirm.html", context, status_code=status_code
    )


@router.get("/allocation/cases/{crn}/allocate", response_class=HTMLResponse)
@router.get("/allocation/cases/{crn}/reallocate", response_class=HTMLResponse)
def confirm_allocation(
    request: Request, crn: str, staff_code: str = "", team_code: str = ""
) -> Response:
    viewer = viewer_of(request)
    wanted = _request(crn, {"staff_code": staff_code, "team_code": team_code}, with_seen=False)
    found = allocating.proposal(store_of(request), viewer, wanted)
    typed = {"staff_code": found.staff_code, "team_code": found.team_code}
    return _confirm_page(request, found, typed)


@router.post("/allocation/cases/{crn}/allocate", response_class=HTMLResponse)
@router.post("/allocation/cases/{crn}/reallocate", response_class=HTMLResponse)
async def record_allocation(request: Request, crn: str) -> Response:
    typed = await read_form(request)
    check_csrf(request, typed.get("csrf_token", ""))
    viewer = viewer_of(request)
    wanted = _request(crn, typed, with_seen=True)
    store = store_of(request)
    try:
        done = allocating.allocate(store, viewer, wanted)
    except InvalidInput as refused:
        problems = Problems()
        problems.update(refused.errors)
        found = allocating.proposal(store, viewer, wanted)
        return _confirm_page(request, found, typed, problems=problems, status_code=400)
    except EditConflict as conflict:
        found = allocating.proposal(store, viewer, wanted)
        return _confirm_page(request, found, typed, conflict=str(conflict), status_code=409)
    request.session["banner"] = (
        f"{done.crn} allocated to {done.name}. Their capacity is now {done.capacity_after} % "
        f"(it was {done.capacity_before} %)."
    )
    return RedirectResponse(f"/team/{done.team_code}/overview", status_code=303)


def _decisions_download(kind: str, name: str, found: Table[DecisionRecord]) -> Response:
    if kind == "csv":
        return Response(
            exports.csv_bytes(found.columns, found.rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return Response(
        exports.to_json(found.columns, found.rows),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}.json"'},
    )


def _choice(value: str | None, allowed: tuple[str, ...], what: str) -> str | None:
    if value and value not in allowed:
        raise WmtError(f"{what} must be one of {', '.join(allowed)}.")
    return value or None


@router.get("/{level}/{code}/allocation/decisions", response_class=HTMLResponse)
def decisions_page(
    request: Request,
    level: str,
    code: str,
    status: str = "",
    staff_code: str = "",
    format: str = "",
) -> Response:
    if level not in ALL_LEVELS:
        raise NotFound(f"There is no level {level!r}.")
    viewer = viewer_of(request)
    code = address_code(code, level)
    chosen = _choice(status, STATUSES, "The status")
    kind = _choice(format, DOWNLOADS, "The download")
    practitioner = entries.code(staff_code, "The staff code") if staff_code.strip() else None
    found = allocation_decisions.decisions(
        store_of(request), viewer, level, code, status=chosen, staff_code=practitioner
    )
    if kind is not None:
        return _decisions_download(kind, f"{level}-{code}-allocation-decisions", found)
    context = {
        "title": f"Allocation decisions: {level_label(level)} {code}",
        "found": found,
        "status": chosen or "",
        "staff_code": practitioner or "",
        "statuses": STATUSES,
        "days": DEFAULT_DAYS,
        "query": request.url.query,
    }
    return TEMPLATES.TemplateResponse(request, "allocation_decisions.html", context)


# --- API -----------------------------------------------------------------------------------


class AllocationIn(BaseModel):
    staff_code: Annotated[str, code_entry("The staff code")] = Field(
        description="The practitioner to give the case to"
    )
    team_code: Annotated[str | None, code_entry("The team code", optional=True)] = Field(
        default=None, description="The practitioner's team, if they are in several"
    )
    reason: str | None = Field(
        default=None,
        description="One of the nine reasons; needed to reallocate "
        "(a first allocation defaults to 'Allocate to a responsible officer')",
    )
    notes: Annotated[str, text_entry("Notes", NOTES_MOST, line_breaks=True)] = Field(
        default="", description="Allocation notes"
    )
    sensitive: bool = Field(default=False, description="Whether the notes are sensitive")
    override_justification: Annotated[
        str, text_entry("The justification", NOTES_MOST, line_breaks=True)
    ] = Field(default="", description="Why, if the rules say the practitioner may not have it")
    holder_staff_code: str | None = Field(
        default=None,
        description="Who held the case when you looked (null: it was waiting); refused (409) if "
        "someone has allocated it since",
    )
    holder_team_code: str | None = Field(default=None, description="Their team")


class AllocatedOut(BaseModel):
    decision_id: int = Field(description="The decision's id")
    kind: str = Field(description="allocation or reallocation")
    crn: str = Field(description="The case")
    staff_code: str = Field(description="Who holds it now")
    team_code: str = Field(description="Their team")
    from_staff_code: str | None = Field(description="Who held it before (null: nobody)")
    from_team_code: str | None = Field(description="Their team")
    as_of: date = Field(description="The snapshot the decision was made on")
    capacity_before: Exact = Field(description="The practitioner's capacity % before")
    capacity_after: Exact = Field(description="Their capacity % now")


class DecisionOut(BaseModel):
    decided_at: Moment = Field(description="When the decision was made")
    crn: str = Field(description="The case")
    kind: str = Field(description="allocation or reallocation")
    to_staff_code: str = Field(description="Who the case was given to")
    to_team_code: str = Field(description="Their team")
    from_staff_code: str | None = Field(description="Who held it before (null: nobody)")
    from_team_code: str | None = Field(description="Their team")
    reason: str = Field(description="One of the nine reasons")
    notes: str | None = Field(description="Allocation notes; null when withheld or not given")
    sensitive: bool = Field(description="Whether the notes are sensitive")
    override_justification: str | None = Field(
        description="Why the rules were overridden; null when they were not"
    )
    username: str = Field(description="Who decided")
    as_of: date = Field(description="The snapshot it was decided on")
    status: str = Field(description="pending, confirmed or contradicted")
    settled_on: date | None = Field(description="The import that confirmed or contradicted it")


@api.post(
    "/allocation/cases/{crn}/allocation",
    response_model=AllocatedOut,
    status_code=201,
    summary="Allocate or reallocate a case",
    responses=CHANGE_RESPONSES,
)
def allocate_case(request: Request, crn: Code, body: AllocationIn) -> AllocatedOut:
    viewer = signed_in(request, None)
    wanted = AllocationRequest(
        crn=crn,
        staff_code=body.staff_code,
        team_code=body.team_code,
        reason=body.reason,
        notes=body.notes,
        sensitive=body.sensitive,
        override_justification=body.override_justification,
        seen=Holder(body.holder_staff_code, body.holder_team_code),
    )
    done = allocating.allocate(store_of(request), viewer, wanted)
    return AllocatedOut.model_validate(done, from_attributes=True)


@api.get(
    "/allocation/{level}/{code}/decisions",
    response_model=list[DecisionOut],
    summary="Allocation decisions about a unit's cases in the last 30 days",
)
def list_decisions(
    request: Request,
    level: AnyLevel,
    code: Code,
    status: Annotated[str | None, Query(description="pending, confirmed or contradicted")] = None,
) -> list[DecisionOut]:
    viewer = signed_in(request, None)
    chosen = _choice(status, STATUSES, "The status")
    found = allocation_decisions.decisions(store_of(request), viewer, level, code, status=chosen)
    return [DecisionOut.model_validate(row, from_attributes=True) for row in found.rows]
