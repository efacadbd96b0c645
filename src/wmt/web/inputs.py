"""Managing a practitioner's inputs: reductions and contracted hours.

Only the team's manager may change them. Every form works without JavaScript: choosing a
reason first lets the next page pre-fill hours from its allowance and the end date from its
expiry. A save that would overwrite someone else's change is refused and the typed values kept.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from wmt.domain.access import Viewer
from wmt.errors import NotFound
from wmt.services import inputs
from wmt.services.inputs import (
    EditConflict,
    InvalidInput,
    OwnerInputs,
    ReductionEntry,
    Saved,
)
from wmt.services.saving import require_may_edit
from wmt.web.common import TEMPLATES, check_csrf, csrf_token, viewer_of
from wmt.web.consistency import store_of
from wmt.web.forms import (
    END,
    PARTS,
    START,
    DateField,
    Problems,
    address_code,
    address_number,
    date_field,
    read_contracted_hours,
    read_date,
    read_form,
    read_reduction,
    read_version,
)

router = APIRouter()


def _manager(request: Request, staff_code: str, team_code: str) -> tuple[Viewer, OwnerInputs]:
    """The team's manager and the owner's inputs; refused for anyone else."""
    viewer = viewer_of(request)
    require_may_edit(viewer, team_code)  # before the address is read, as every page does
    staff_code = address_code(staff_code, "practitioner")
    return viewer, inputs.inputs_to_change(store_of(request), viewer, staff_code, team_code)


def _reduction_for_manager(
    request: Request, staff_code: str, number: str
) -> tuple[Viewer, OwnerInputs, inputs.ReductionView]:
    """A reduction kept in wmt for the practitioner, the owner's inputs and the team's
    manager; NotFound if there is no such reduction, OutsideScope for anyone else."""
    viewer = viewer_of(request)  # signed in first: the number is checked only for someone who is
    reduction_id = address_number(number, "reduction")
    found = inputs.reduction_to_change(store_of(request), viewer, reduction_id)
    _, owner = _manager(request, staff_code, found.team_code or "")
    if found.staff_code != staff_code:
        raise NotFound(f"There is no reduction {reduction_id} for {staff_code}.")
    return viewer, owner, found


async def _posted(request: Request) -> dict[str, str]:
    """A posted form's fields, once its token is checked."""
    typed = await read_form(request)
    check_csrf(request, typed.get("csrf_token", ""))
    return typed


def _form_page(request: Request, template: str, status_code: int, **context: Any) -> Response:
    """A form, with the session's token for posting it."""
    context["csrf"] = csrf_token(request)
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)


def _form_values(typed: dict[str, str]) -> dict[str, Any]:
    """What was typed, to put back in the form."""
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
    return _form_page(
        request,
        "reduction_form.html",
        status_code,
        owner=owner,
        values=values,
        reason=reason,
        action=action,
        problems=problems or Problems(),
        conflict=conflict,
        current=current,
    )


# A form whose version is missing or not a number (it was damaged on the way, or made by
# hand) is treated as opened on an unknown version: nothing is saved, the typing is kept.
UNKNOWN_VERSION = (
    "The form did not say which version of the {what} it was opened with, so {not_done}."
)
CHANGE_UNKNOWN = (
    UNKNOWN_VERSION.format(what="reduction", not_done="your change was not saved")
    + " What you typed is still in the form: check the reduction as it is now and save again."
)
DELETE_UNKNOWN = (
    UNKNOWN_VERSION.format(what="reduction", not_done="it was not deleted")
    + " Check the reduction below and delete it again if you still want to."
)
HOURS_UNKNOWN = (
    UNKNOWN_VERSION.format(what="contracted hours", not_done="your change was not saved")
    + " What you typed is still in the form: save again to set it."
)


def _saved(request: Request, staff_code: str, message: str) -> RedirectResponse:
    request.session["banner"] = message
    return RedirectResponse(f"/practitioner/{staff_code}/overview", status_code=303)


def _capacity_now(saved: Saved, entry: ReductionEntry | None = None) -> str:
    """The figure after a change, and when a reduction will count if not yet."""
    owner = saved.inputs
    said = f"{owner.name}'s capacity is now {saved.figures.capacity_percent} %."
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
        "hours": "" if suggested.hours is None else str(suggested.hours),
        "start_date": date_field("start_date", START, start),
        "end_date": date_field("end_date", END, suggested.end_date),
        "notes": "",
    }
    return _reduction_page(request, owner, values, action="add")


@router.post("/practitioner/{staff_code}/reductions/new", response_class=HTMLResponse)
async def add_reduction(request: Request, staff_code: str) -> Response:
    typed = await _posted(request)
    team = typed.get("team", "")
    viewer, owner = _manager(request, staff_code, team)
    problems = Problems()
    entry = read_reduction(typed, problems)
    if entry is not None:
        try:
            saved = inputs.add_reduction(store_of(request), viewer, owner.staff_code, team, entry)
        except InvalidInput as refused:
            problems.update(refused.errors)
        else:
            return _saved(
                request,
                owner.staff_code,
                f"Reduction added: {entry.reason}, {entry.hours} hours. "
                + _capacity_now(saved, entry),
            )
    return _reduction_page(
        request, owner, _form_values(typed), action="add", problems=problems, status_code=400
    )


@router.get(
    "/practitioner/{staff_code}/reductions/{reduction_id}/change", response_class=HTMLResponse
)
def change_reduction_form(request: Request, staff_code: str, reduction_id: str) -> Response:
    _, owner, reduction = _reduction_for_manager(request, staff_code, reduction_id)
    values = {
        "reason": reduction.reason,
        "hours": str(reduction.hours),
        "start_date": date_field("start_date", START, reduction.start_date),
        "end_date": date_field("end_date", END, reduction.end_date),
        "notes": reduction.notes or "",
        "version": str(reduction.version),
        "id": str(reduction.id),
    }
    return _reduction_page(request, owner, values, action="change")


def _not_saved(
    request: Request,
    owner: OwnerInputs,
    values: dict[str, Any],
    reduction_id: int,
    message: str,
    status_code: int,
) -> Response:
    """The form again, as typed, with the reduction as it is now and its version to save over."""
    current = inputs.find_reduction(store_of(request), reduction_id)
    if current is not None:
        values = values | {"version": str(current.version)}
    return _reduction_page(
        request,
        owner,
        values,
        action="change",
        conflict=message,
        current=current,
        status_code=status_code,
    )


@router.post(
    "/practitioner/{staff_code}/reductions/{reduction_id}/change", response_class=HTMLResponse
)
async def change_reduction(request: Request, staff_code: str, reduction_id: str) -> Response:
    typed = await _posted(request)
    viewer, owner, found = _reduction_for_manager(request, staff_code, reduction_id)
    number = found.id or 0
    problems = Problems()
    entry = read_reduction(typed, problems)
    values = _form_values(typed)
    version = read_version(typed)
    if version is None:
        return _not_saved(request, owner, values, number, CHANGE_UNKNOWN, 400)
    if entry is not None:
        try:
            saved = inputs.change_reduction(store_of(request), viewer, number, version, entry)
        except InvalidInput as refused:
            problems.update(refused.errors)
        except EditConflict as conflict:
            return _not_saved(request, owner, values, number, str(conflict), 409)
        else:
            return _saved(
                request,
                owner.staff_code,
                f"Reduction changed: {entry.reason}, {entry.hours} hours. "
                + _capacity_now(saved, entry),
            )
    return _reduction_page(
        request, owner, values, action="change", problems=problems, status_code=400
    )


def _delete_page(
    request: Request,
    owner: OwnerInputs,
    reduction: inputs.ReductionView,
    conflict: str | None = None,
    status_code: int = 200,
) -> Response:
    return _form_page(
        request,
        "reduction_delete.html",
        status_code,
        owner=owner,
        reduction=reduction,
        conflict=conflict,
    )


@router.get(
    "/practitioner/{staff_code}/reductions/{reduction_id}/delete", response_class=HTMLResponse
)
def delete_reduction_form(request: Request, staff_code: str, reduction_id: str) -> Response:
    _, owner, reduction = _reduction_for_manager(request, staff_code, reduction_id)
    return _delete_page(request, owner, reduction)


@router.post(
    "/practitioner/{staff_code}/reductions/{reduction_id}/delete", response_class=HTMLResponse
)
async def delete_reduction(request: Request, staff_code: str, reduction_id: str) -> Response:
    typed = await _posted(request)
    viewer, owner, reduction = _reduction_for_manager(request, staff_code, reduction_id)
    number = reduction.id or 0
    version = read_version(typed)
    try:
        if version is None:
            raise EditConflict(DELETE_UNKNOWN)
        saved = inputs.delete_reduction(store_of(request), viewer, number, version)
    except EditConflict as conflict:
        current = inputs.find_reduction(store_of(request), number) or reduction
        return _delete_page(request, owner, current, str(conflict), 400 if version is None else 409)
    return _saved(
        request,
        owner.staff_code,
        f"Reduction deleted: {reduction.reason}. " + _capacity_now(saved),
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
    return _form_page(
        request,
        "hours_form.html",
        status_code,
        owner=owner,
        value=value,
        version=version,
        error=error,
        conflict=conflict,
    )


@router.get("/practitioner/{staff_code}/hours", response_class=HTMLResponse)
def hours_form(request: Request, staff_code: str, team: str = "") -> Response:
    _, owner = _manager(request, staff_code, team)
    return _hours_page(request, owner, str(owner.contracted_hours), owner.hours_version)


@router.post("/practitioner/{staff_code}/hours", response_class=HTMLResponse)
async def change_hours(request: Request, staff_code: str) -> Response:
    typed = await _posted(request)
    team = typed.get("team", "")
    viewer, owner = _manager(request, staff_code, team)
    text = typed.get("contracted_hours", "")
    version = read_version(typed)
    hours = read_contracted_hours(typed)
    try:
        if version is None:
            raise EditConflict(HOURS_UNKNOWN)
        if isinstance(hours, str):
            raise InvalidInput({"contracted_hours": hours})
        saved = inputs.set_contracted_hours(
            store_of(request), viewer, owner.staff_code, team, hours, version
        )
    except InvalidInput as refused:
        return _hours_page(
            request,
            owner,
            text,
            version or 0,
            error=refused.errors["contracted_hours"],
            status_code=400,
        )
    except EditConflict as conflict:
        now = inputs.owner_inputs(store_of(request), owner.staff_code, team)
        status = 400 if version is None else 409
        return _hours_page(
            request, now, text, now.hours_version, conflict=str(conflict), status_code=status
        )
    return _saved(
        request,
        owner.staff_code,
        f"Contracted hours changed to {hours}. " + _capacity_now(saved),
    )
