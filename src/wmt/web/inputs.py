"""Managing a practitioner's inputs: reductions and contracted hours, and the audit pages.

Only the team's manager may change them. Every form works without JavaScript: choosing a
reason first lets the next page pre-fill hours from its allowance and the end date from its
expiry. A save that would overwrite someone else's change is refused and the typed values kept.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from wmt.domain.access import Viewer
from wmt.domain.hierarchy import LEVELS, NATIONAL_CODE, PRACTITIONER, check_level
from wmt.errors import NotFound
from wmt.services import inputs
from wmt.services.audit import AuditListing, audit_events
from wmt.services.inputs import EditConflict, InvalidInput, OwnerInputs, ReductionEntry
from wmt.services.overview import PractitionerOverview
from wmt.store.snapshots import require_snapshot
from wmt.store.units import teams_within
from wmt.web.common import (
    TEMPLATES,
    allowed,
    check_csrf,
    check_may_edit_inputs,
    csrf_token,
    download,
    level_label,
    viewer_of,
)
from wmt.web.consistency import store_of
from wmt.web.forms import PARTS, DateField, Problems, read_date

router = APIRouter()
REDUCTION = "/practitioner/{staff_code}/reductions/{reduction_id}"


def inputs_context(request: Request, viewer: Viewer, page: PractitionerOverview) -> dict[str, Any]:
    """For the practitioner's page on the newest snapshot: every reduction of each of their
    teams, and the teams whose inputs this person may change. Earlier snapshots show only
    the reductions that counted on their date."""
    store = store_of(request)
    with store.reading() as connection:
        if require_snapshot(connection, None).as_of != page.as_of:
            return {"inputs": {}, "editable": set()}
    teams = [workload["team_code"] for workload in page.workloads]
    return {
        "inputs": {team: inputs.owner_inputs(store, page.staff_code, team) for team in teams},
        "editable": {team for team in teams if viewer.may_edit_inputs(team)},
    }


def _manager(request: Request, staff_code: str, team_code: str) -> tuple[Viewer, OwnerInputs]:
    """The team's manager and the owner's inputs; refused for anyone else."""
    viewer = viewer_of(request)
    check_may_edit_inputs(viewer, team_code)
    return viewer, inputs.owner_inputs(store_of(request), staff_code, team_code)


def _reduction_for_manager(
    request: Request, staff_code: str, reduction_id: int
) -> tuple[Viewer, OwnerInputs, inputs.ReductionView]:
    """A reduction kept in wmt for the practitioner, the owner's inputs and the team's
    manager; NotFound if there is no such reduction, OutsideScope for anyone else."""
    found = inputs.find_reduction(store_of(request), reduction_id)
    if found is None:
        raise NotFound(f"There is no reduction {reduction_id}: it may have been deleted.")
    viewer, owner = _manager(request, staff_code, found.team_code or "")
    if found.staff_code != staff_code:
        raise NotFound(f"There is no reduction {reduction_id} for {staff_code}.")
    return viewer, owner, found


START, END = "Start date", "End date"


def _date_field(name: str, label: str, value: date | None) -> DateField:
    """A date input filled in with a date (or left blank)."""
    if value is None:
        return DateField(name, label)
    return DateField(name, label, str(value.day), str(value.month), str(value.year), value)


def _form_values(form: FormData) -> dict[str, Any]:
    """What was typed, to put back in the form."""
    typed = {key: str(value) for key, value in form.items()}
    return typed | {
        "start_date": read_date(typed, "start_date", START),
        "end_date": read_date(typed, "end_date", END),
    }


def _reduction_page(
    request: Request,
    owner: OwnerInputs,
    values: dict[str, Any],
    *,
    action: str,
    problems: Problems | None = None,
    conflict: str | None = None,
    current: inputs.ReductionView | None = None,
    status_code: int = 200,
) -> Response:
    for name in ("start_date", "end_date"):  # a rule broken by the dates, shown beside them
        field = values.get(name)
        message = (problems or Problems()).inline.get(name)
        if isinstance(field, DateField) and message and not field.error:
            values = values | {name: replace(field, error=message, wrong=PARTS)}
    reason = next(
        (r for r in inputs.reasons(store_of(request)) if r.name == values.get("reason")), None
    )
    return TEMPLATES.TemplateResponse(
        request,
        "reduction_form.html",
        {
            "owner": owner,
            "values": values,
            "reason": reason,
            "action": action,
            "problems": problems or Problems(),
            "conflict": conflict,
            "current": current,
            "csrf": csrf_token(request),
        },
        status_code=status_code,
    )


def _entry(form: FormData, problems: Problems) -> ReductionEntry | None:
    """The reduction typed into the form, or None with the problems noted."""
    typed = {key: str(value) for key, value in form.items()}
    start = read_date(typed, "start_date", START)
    end = read_date(typed, "end_date", END)
    if start.error or end.error:
        problems.update({f.name: f.error for f in (start, end) if f.error})
    elif start.value is None:
        problems.add("start_date", "Enter the start date")
    hours = Decimal(0)
    try:
        hours = inputs.parse_hours(typed.get("hours", ""), "hours", "the hours")
    except InvalidInput as refused:
        problems.update(refused.errors)
    if problems.items or start.value is None:
        return None
    notes = typed.get("notes", "").strip() or None
    return ReductionEntry(typed.get("reason", ""), hours, start.value, end.value, notes)


def _saved(request: Request, staff_code: str, message: str) -> RedirectResponse:
    request.session["banner"] = message
    return RedirectResponse(f"/practitioner/{staff_code}/overview", status_code=303)


def _capacity_now(request: Request, owner: OwnerInputs, entry: ReductionEntry | None = None) -> str:
    """The figure after a change, and when a reduction will count if not yet."""
    capacity = inputs.capacity_now(store_of(request), owner.staff_code, owner.team_code)
    said = f"{owner.name}'s capacity is now {capacity} %." if capacity is not None else ""
    if entry is not None and entry.start_date > owner.as_of:
        said += (
            f" The reduction starts on {entry.start_date:%d %B %Y}, after the date of the newest"
            f" figures ({owner.as_of:%d %B %Y}), so it counts from the first import on or after"
            " its start."
        )
    return said


@router.get("/practitioner/{staff_code}/reductions/new", response_class=HTMLResponse)
def new_reduction(
    request: Request, staff_code: str, team: str = "", reason: str | None = None
) -> Response:
    _, owner = _manager(request, staff_code, team)
    store = store_of(request)
    chosen = next((r for r in inputs.reasons(store) if r.name == reason), None)
    if chosen is None:
        return TEMPLATES.TemplateResponse(
            request,
            "reduction_reason.html",
            {
                "owner": owner,
                "reasons": inputs.reasons(store),
                "error": "Select a reason" if reason is not None else None,
            },
            status_code=400 if reason is not None else 200,
        )
    start = date.today()
    suggested = inputs.suggested_entry(chosen, owner.contracted_hours, start)
    values = {
        "reason": chosen.name,
        "hours": "" if suggested["hours"] is None else str(suggested["hours"]),
        "start_date": _date_field("start_date", START, start),
        "end_date": _date_field("end_date", END, suggested["end_date"]),
        "notes": "",
    }
    return _reduction_page(request, owner, values, action="add")


@router.post("/practitioner/{staff_code}/reductions/new", response_class=HTMLResponse)
async def add_reduction(request: Request, staff_code: str) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    team = str(form.get("team", ""))
    viewer, owner = _manager(request, staff_code, team)
    problems = Problems()
    entry = _entry(form, problems)
    if entry is not None:
        try:
            inputs.add_reduction(store_of(request), viewer.username, staff_code, team, entry)
        except InvalidInput as refused:
            problems.update(refused.errors)
        else:
            return _saved(
                request,
                staff_code,
                f"Reduction added: {entry.reason}, {entry.hours} hours. "
                + _capacity_now(request, owner, entry),
            )
    return _reduction_page(
        request, owner, _form_values(form), action="add", problems=problems, status_code=400
    )


@router.get(
    "/practitioner/{staff_code}/reductions/{reduction_id}/change", response_class=HTMLResponse
)
def change_reduction_form(request: Request, staff_code: str, reduction_id: int) -> Response:
    _, owner, reduction = _reduction_for_manager(request, staff_code, reduction_id)
    values = {
        "reason": reduction.reason,
        "hours": str(reduction.hours),
        "start_date": _date_field("start_date", START, reduction.start_date),
        "end_date": _date_field("end_date", END, reduction.end_date),
        "notes": reduction.notes or "",
        "version": str(reduction.version),
        "id": str(reduction.id),
    }
    return _reduction_page(request, owner, values, action="change")


@router.post(
    "/practitioner/{staff_code}/reductions/{reduction_id}/change", response_class=HTMLResponse
)
async def change_reduction(request: Request, staff_code: str, reduction_id: int) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    viewer, owner, _ = _reduction_for_manager(request, staff_code, reduction_id)
    problems = Problems()
    entry = _entry(form, problems)
    values = _form_values(form)
    if entry is not None:
        try:
            inputs.change_reduction(
                store_of(request),
                viewer.username,
                reduction_id,
                int(str(form.get("version", "0")) or 0),
                entry,
            )
        except InvalidInput as refused:
            problems.update(refused.errors)
        except EditConflict as conflict:
            current = inputs.find_reduction(store_of(request), reduction_id)
            if current is not None:
                values["version"] = str(current.version)
            return _reduction_page(
                request,
                owner,
                values,
                action="change",
                conflict=str(conflict),
                current=current,
                status_code=409,
            )
        else:
            return _saved(
                request,
                staff_code,
                f"Reduction changed: {entry.reason}, {entry.hours} hours. "
                + _capacity_now(request, owner, entry),
            )
    return _reduction_page(
        request, owner, values, action="change", problems=problems, status_code=400
    )


@router.get(
    "/practitioner/{staff_code}/reductions/{reduction_id}/delete", response_class=HTMLResponse
)
def delete_reduction_form(request: Request, staff_code: str, reduction_id: int) -> Response:
    _, owner, reduction = _reduction_for_manager(request, staff_code, reduction_id)
    return TEMPLATES.TemplateResponse(
        request,
        "reduction_delete.html",
        {"owner": owner, "reduction": reduction, "csrf": csrf_token(request)},
    )


@router.post(
    "/practitioner/{staff_code}/reductions/{reduction_id}/delete", response_class=HTMLResponse
)
async def delete_reduction(request: Request, staff_code: str, reduction_id: int) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    viewer, owner, reduction = _reduction_for_manager(request, staff_code, reduction_id)
    try:
        inputs.delete_reduction(
            store_of(request),
            viewer.username,
            reduction_id,
            int(str(form.get("version", "0")) or 0),
        )
    except EditConflict as conflict:
        current = inputs.find_reduction(store_of(request), reduction_id) or reduction
        return TEMPLATES.TemplateResponse(
            request,
            "reduction_delete.html",
            {
                "owner": owner,
                "reduction": current,
                "conflict": str(conflict),
                "csrf": csrf_token(request),
            },
            status_code=409,
        )
    return _saved(
        request,
        staff_code,
        f"Reduction deleted: {reduction.reason}. " + _capacity_now(request, owner),
    )


def _hours_page(
    request: Request,
    owner: OwnerInputs,
    value: str,
    version: int,
    *,
    error: str | None = None,
    conflict: str | None = None,
    status_code: int = 200,
) -> Response:
    return TEMPLATES.TemplateResponse(
        request,
        "hours_form.html",
        {
            "owner": owner,
            "value": value,
            "version": version,
            "error": error,
            "conflict": conflict,
            "csrf": csrf_token(request),
        },
        status_code=status_code,
    )


@router.get("/practitioner/{staff_code}/hours", response_class=HTMLResponse)
def hours_form(request: Request, staff_code: str, team: str = "") -> Response:
    _, owner = _manager(request, staff_code, team)
    return _hours_page(request, owner, str(owner.contracted_hours), owner.hours_version)


@router.post("/practitioner/{staff_code}/hours", response_class=HTMLResponse)
async def change_hours(request: Request, staff_code: str) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    team = str(form.get("team", ""))
    viewer, owner = _manager(request, staff_code, team)
    typed = str(form.get("contracted_hours", ""))
    version = int(str(form.get("version", "0")) or 0)
    try:
        hours = inputs.parse_hours(typed, "contracted_hours", "contracted hours")
        inputs.set_contracted_hours(
            store_of(request), viewer.username, staff_code, team, hours, version
        )
    except InvalidInput as refused:
        return _hours_page(
            request,
            owner,
            typed,
            version,
            error=refused.errors["contracted_hours"],
            status_code=400,
        )
    except EditConflict as conflict:
        now = inputs.owner_inputs(store_of(request), staff_code, team)
        return _hours_page(
            request, now, typed, now.hours_version, conflict=str(conflict), status_code=409
        )
    return _saved(
        request,
        staff_code,
        f"Contracted hours changed to {hours}. " + _capacity_now(request, owner),
    )


def audit_listing(request: Request, level: str, code: str) -> AuditListing:
    """The changes within a unit, or to one practitioner's inputs, newest first."""
    store = store_of(request)
    if level == PRACTITIONER:
        return audit_events(store, staff_code=code)
    if level == "national" and code == NATIONAL_CODE:
        return audit_events(store, practitioners_only=True)
    with store.reading() as connection:
        record = require_snapshot(connection, None)
        teams = teams_within(connection, record.id, code, level)
    return audit_events(store, teams=teams)


@router.get("/{level}/{code}/audit", response_class=HTMLResponse)
def audit_page(request: Request, level: str, code: str) -> Response:
    if level != PRACTITIONER:
        check_level(level, LEVELS)
    allowed(request, level, code)
    listing = audit_listing(request, level, code)
    file = download(request, f"{level}-{code}-changes", listing.columns, listing.rows)
    if file is not None:
        return file
    return TEMPLATES.TemplateResponse(
        request,
        "audit.html",
        {
            "title": f"Changes: {level_label(level)} {code}",
            "level": level,
            "code": code,
            "listing": listing,
        },
    )
