"""The JSON API for managing inputs: reductions and contracted hours, reasons, and the audit log.

The same rules as the pages: anyone who may see a practitioner may read their inputs; only the
manager of their team may change them; a change made against an old version is refused (409)
with the record as it is now, never applied over someone else's.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Path, Query, Request
from pydantic import BaseModel, Field

from wmt.domain import entries
from wmt.domain.access import Viewer
from wmt.domain.hierarchy import LEVELS, PRACTITIONER, check_level
from wmt.errors import NotFound
from wmt.services import inputs
from wmt.services.audit import unit_audit
from wmt.services.inputs import OwnerInputs, ReductionEntry
from wmt.services.saving import Saved as SavedChange
from wmt.web.api import AnyLevel, Code, StaffCode, api_router, signed_in
from wmt.web.api_models import (
    Exact,
    FieldProblems,
    Moment,
    Problem,
    code_entry,
    date_entry,
    hours_entry,
    number_entry,
    text_entry,
)
from wmt.web.common import OutsideScope
from wmt.web.consistency import store_of

router = api_router()


def _answer(model: type[BaseModel], description: str) -> dict[str, Any]:
    """An answer a route may give, as the API's description shows it."""
    return {"model": model, "description": description}


CHANGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _answer(Problem, "The body is not valid JSON."),
    409: _answer(Problem, "Someone else changed it since you read it."),
    415: _answer(Problem, "The body was not sent as JSON."),
    422: _answer(FieldProblems, "What was sent breaks a rule; `errors` names each field."),
}


class ReductionOut(BaseModel):
    id: int | None = Field(description="The reduction's id in wmt; null for one from the import")
    managed: bool = Field(description="Kept in wmt (true) or from the import (false)")
    reason: str = Field(description="Why the hours are reduced")
    hours: Exact = Field(description="Hours a week taken off")
    start_date: date = Field(description="First day in force")
    end_date: date | None = Field(description="Last day in force; null when open-ended")
    notes: str | None = Field(description="The manager's notes")
    status: str = Field(description="scheduled, active, archived or deleted, on the snapshot date")
    version: int = Field(description="Send this back when changing or deleting it")
    changed_by: str | None = Field(description="Who last changed it")
    changed_at: Moment | None = Field(description="When it was last changed")


class InputsOut(BaseModel):
    as_of: date = Field(description="The newest snapshot, which changes apply to")
    staff_code: str = Field(description="The practitioner's staff code")
    team_code: str = Field(description="The team these inputs belong to")
    grade: str = Field(description="The practitioner's grade")
    contracted_hours: Exact = Field(description="Contracted hours a week as used in the figures")
    imported_contracted_hours: Exact | None = Field(description="What the import said, if any")
    managed_contracted_hours: Exact | None = Field(description="What was set in wmt, if anything")
    hours_version: int = Field(description="Send this back when changing contracted hours")
    may_change: bool = Field(description="Whether you may change these inputs")
    reductions: list[ReductionOut] = Field(description="Every reduction, scheduled to archived")


Version = Annotated[int, number_entry("the version", least=0)]


class ReductionIn(BaseModel):
    team_code: Annotated[str, code_entry("The team code")] = Field(
        description="The team of the practitioner the reduction is for"
    )
    reason: Annotated[str, text_entry("The reason", entries.REASON_LENGTH)] = Field(
        description="One of the reduction reasons in use"
    )
    hours: Annotated[Decimal, hours_entry("the hours")] = Field(
        description='Hours a week, as text: more than 0, at most 2 decimal places, e.g. "7.5"'
    )
    start_date: Annotated[date, date_entry("Start date")] = Field(
        description="First day in force (YYYY-MM-DD, 2000 to 2099)"
    )
    end_date: Annotated[date | None, date_entry("End date", optional=True)] = Field(
        default=None, description="Last day in force (YYYY-MM-DD); null if open"
    )
    notes: Annotated[
        str | None,
        text_entry("Notes", entries.NOTES_LENGTH, line_breaks=True, optional=True),
    ] = Field(default=None, description="The manager's notes, at most 1,000 characters")


class ReductionChange(ReductionIn):
    version: Version = Field(description="The version you read; refused (409) if it has changed")


class VersionIn(BaseModel):
    version: Version = Field(description="The version you read; refused (409) if it has changed")


class HoursIn(BaseModel):
    team_code: Annotated[str, code_entry("The team code")] = Field(
        description="The team whose contracted hours to set"
    )
    contracted_hours: Annotated[Decimal, hours_entry("contracted hours")] = Field(
        description='Hours a week, as text: more than 0 and at most 48, e.g. "37.5"'
    )
    version: Version = Field(description="hours_version as you read it (0 if never set in wmt)")


class Saved(BaseModel):
    capacity_percent: Exact | None = Field(description="The practitioner's capacity % now")
    id: int | None = Field(
        default=None, description="The reduction's id, when one is added or changed"
    )


class ReasonOut(BaseModel):
    name: str = Field(description="The reason, as reductions name it")
    category: str = Field(description="Personal circumstances, learning or work circumstances")
    allowance_percent: int | None = Field(description="Suggested share of contracted hours")
    maximum_percent: int | None = Field(description="The most a reduction may take, if capped")
    months_to_expiry: int | None = Field(description="Usual length, setting the default end")


class AuditEventOut(BaseModel):
    at: Moment = Field(description="When the change was made")
    username: str = Field(description="Who made the change")
    action: str = Field(description="What was done, e.g. reduction added")
    subject: str = Field(description="What it was done to")
    staff_code: str | None = Field(description="The practitioner it concerns, if any")
    team_code: str | None = Field(description="Their team, if any")
    changes: str = Field(description="Each changed value, before → after")


def _inputs_out(owner: OwnerInputs, viewer: Viewer) -> InputsOut:
    return InputsOut(
        as_of=owner.as_of,
        staff_code=owner.staff_code,
        team_code=owner.team_code,
        grade=owner.grade,
        contracted_hours=owner.contracted_hours,
        imported_contracted_hours=owner.imported_contracted_hours,
        managed_contracted_hours=owner.managed_contracted_hours,
        hours_version=owner.hours_version,
        may_change=viewer.may_edit_inputs(owner.team_code),
        reductions=[ReductionOut.model_validate(r, from_attributes=True) for r in owner.reductions],
    )


def _require_theirs(
    request: Request,
    viewer: Viewer,
    reduction_id: int,
    staff_code: str,
    team_code: str | None = None,
) -> None:
    """NotFound if there is no such reduction; refused unless the viewer manages its team and
    it is the practitioner's (in the team named, if one is)."""
    found = inputs.reduction_to_change(store_of(request), viewer, reduction_id)
    if found.staff_code is None or found.team_code is None:
        raise NotFound(f"There is no reduction {reduction_id}: it may have been deleted.")
    if found.staff_code != staff_code or team_code not in (None, found.team_code):
        raise OutsideScope("That reduction belongs to someone else.")


def _saved_out(saved: SavedChange) -> Saved:
    return Saved(
        capacity_percent=saved.figures.capacity_percent,
        id=None if saved.reduction is None else saved.reduction.id,
    )


def _entry(body: ReductionIn) -> ReductionEntry:
    notes = (body.notes or "").strip() or None
    return ReductionEntry(body.reason, body.hours, body.start_date, body.end_date, notes)


Team = Annotated[
    str, code_entry("The team code"), Query(description="The team whose inputs to read")
]
ReductionNumber = Annotated[
    int,
    number_entry("the reduction's id", least=1, sent_as_text=True),
    Path(description="The reduction's id in wmt"),
]


@router.get(
    "/practitioner/{staff_code}/inputs",
    response_model=InputsOut,
    summary="A practitioner's contracted hours and reductions",
)
def read_inputs(request: Request, staff_code: StaffCode, team: Team) -> InputsOut:
    viewer = signed_in(request, None)
    return _inputs_out(inputs.inputs_to_read(store_of(request), viewer, staff_code, team), viewer)


@router.post(
    "/practitioner/{staff_code}/reductions",
    response_model=Saved,
    status_code=201,
    summary="Add a reduction",
    responses=CHANGE_RESPONSES,
)
def add_reduction(request: Request, staff_code: StaffCode, body: ReductionIn) -> Saved:
    viewer = signed_in(request, None)
    saved = inputs.add_reduction(
        store_of(request), viewer, staff_code, body.team_code, _entry(body)
    )
    return _saved_out(saved)


@router.put(
    "/practitioner/{staff_code}/reductions/{reduction_id}",
    response_model=Saved,
    summary="Change a reduction",
    responses=CHANGE_RESPONSES,
)
def change_reduction(
    request: Request, staff_code: StaffCode, reduction_id: ReductionNumber, body: ReductionChange
) -> Saved:
    viewer = signed_in(request, None)
    _require_theirs(request, viewer, reduction_id, staff_code, body.team_code)
    saved = inputs.change_reduction(
        store_of(request), viewer, reduction_id, body.version, _entry(body)
    )
    return _saved_out(saved)


@router.delete(
    "/practitioner/{staff_code}/reductions/{reduction_id}",
    response_model=Saved,
    summary="Delete a reduction",
    responses=CHANGE_RESPONSES,
)
def delete_reduction(
    request: Request, staff_code: StaffCode, reduction_id: ReductionNumber, body: VersionIn
) -> Saved:
    viewer = signed_in(request, None)
    _require_theirs(request, viewer, reduction_id, staff_code)
    saved = inputs.delete_reduction(store_of(request), viewer, reduction_id, body.version)
    return _saved_out(saved)


@router.put(
    "/practitioner/{staff_code}/contracted-hours",
    response_model=Saved,
    summary="Set contracted hours",
    responses=CHANGE_RESPONSES,
)
def set_hours(request: Request, staff_code: StaffCode, body: HoursIn) -> Saved:
    viewer = signed_in(request, None)
    saved = inputs.set_contracted_hours(
        store_of(request), viewer, staff_code, body.team_code, body.contracted_hours, body.version
    )
    return _saved_out(saved)


@router.get(
    "/reduction-reasons", response_model=list[ReasonOut], summary="The reduction reasons in use"
)
def reasons(request: Request) -> list[ReasonOut]:
    return [
        ReasonOut.model_validate(r, from_attributes=True) for r in inputs.reasons(store_of(request))
    ]


@router.get(
    "/{level}/{code}/audit",
    response_model=list[AuditEventOut],
    summary="Changes to hours and reductions within a unit or for a practitioner",
)
def audit(request: Request, level: AnyLevel, code: Code) -> list[AuditEventOut]:
    if level != PRACTITIONER:
        check_level(level, LEVELS)
    events = unit_audit(store_of(request), signed_in(request, None), level, code).rows
    return [AuditEventOut.model_validate(row, from_attributes=True) for row in events]
