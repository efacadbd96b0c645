"""The administrators' pages: points configuration, reduction reasons, the audit log, and
(from `admin_eligibility` and `admin_users`) the eligibility rules and accounts.

Every form posts with the session's CSRF token and works without JavaScript. Bad input of any
kind shows the GOV.UK error summary and changes nothing; a change redirects to a page with a
banner.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from wmt.domain.reductions import ReductionCategory
from wmt.errors import InputRejected, NotFound
from wmt.services import points, reason_catalogue, reasons
from wmt.services.audit import audit_events
from wmt.web.admin_eligibility import router as eligibility_router
from wmt.web.admin_pages import (
    EFFECTIVE_FROM,
    Admin,
    Text,
    Token,
    done,
    number_in_address,
    page,
    read_effective_from,
    whole_number,
)
from wmt.web.admin_users import router as users_router
from wmt.web.common import check_csrf, download
from wmt.web.consistency import store_of
from wmt.web.forms import DateField, Problems

router = APIRouter(prefix="/admin")


@router.get("", response_class=HTMLResponse)
def index(request: Request, viewer: Admin) -> Response:
    return page(request, "admin_index.html", {})


# Points configuration ---------------------------------------------------------------------


@router.get("/points", response_class=HTMLResponse)
def points_versions(request: Request, viewer: Admin) -> Response:
    return page(
        request, "admin_points.html", {"versions": points.version_summaries(store_of(request))}
    )


def _points_form(
    request: Request, document: str, effective: DateField, problems: Problems | None = None
) -> Response:
    context = {"document": document, "effective": effective, "problems": problems}
    return page(request, "admin_points_new.html", context, 400 if problems else 200)


@router.get("/points/new", response_class=HTMLResponse)
def new_points_version(request: Request, viewer: Admin) -> Response:
    document = points.newest_document(store_of(request))
    return _points_form(request, document, DateField("effective_from", EFFECTIVE_FROM))


@router.post("/points/new", response_class=HTMLResponse)
def add_points_version(
    request: Request,
    viewer: Admin,
    csrf: Token = "",
    document: Text = "",
    day: Annotated[str, Form(alias="effective_from-day")] = "",
    month: Annotated[str, Form(alias="effective_from-month")] = "",
    year: Annotated[str, Form(alias="effective_from-year")] = "",
) -> Response:
    check_csrf(request, csrf)
    typed = {"effective_from-day": day, "effective_from-month": month, "effective_from-year": year}
    problems = Problems()
    effective = read_effective_from(
        typed, problems, "Enter the date this configuration comes into force"
    )
    try:
        if effective.value is not None and not problems.items:
            version_id, recalculated = points.add_points_version(
                store_of(request), document, effective.value, viewer.username
            )
        else:
            points.check_points_document(document)
    except InputRejected as rejected:
        for problem in rejected.problems:
            problems.add("document", problem)
    if problems.items:
        return _points_form(request, document, effective, problems)
    assert effective.value is not None
    snapshots = "snapshot was" if recalculated == 1 else "snapshots were"
    return done(
        request,
        f"Points configuration version {version_id} is in force from "
        f"{effective.value.isoformat()}. "
        f"{recalculated} {snapshots} recalculated with it.",
        f"/admin/points/{version_id}",
    )


def _version_number(text: str | None) -> int | None:
    if text is None or text == "":
        return None
    number = whole_number(text)
    if number is None:
        raise NotFound("A version number is a whole number, like 2: check the address.")
    return number


@router.get("/points/compare", response_class=HTMLResponse)
def compare_points_versions(
    request: Request, viewer: Admin, a: str | None = None, b: str | None = None
) -> Response:
    store = store_of(request)
    versions = points.version_summaries(store)
    first, second = _version_number(a), _version_number(b)
    if (first is None or second is None) and len(versions) >= 2:
        first, second = versions[1].id, versions[0].id
    context: dict[str, Any] = {"versions": versions, "a": first, "b": second, "rows": None}
    if first is not None and second is not None:
        context["first"], context["second"], rows = points.compare_versions(store, first, second)
        context["rows"] = rows
        context["differing"] = sum(1 for row in rows if row.differs)
    return page(request, "admin_points_compare.html", context)


@router.get("/points/{version_id}", response_class=HTMLResponse)
def points_version(request: Request, viewer: Admin, version_id: str) -> Response:
    number = number_in_address(version_id, "points configuration version")
    version = points.points_version(store_of(request), number)
    return page(
        request,
        "admin_points_version.html",
        {"version": version, "tables": points.settings_tables(version.configuration)},
    )


# Reduction reasons ------------------------------------------------------------------------


@router.get("/reasons", response_class=HTMLResponse)
def reason_list(request: Request, viewer: Admin) -> Response:
    found = reason_catalogue.every_reason(store_of(request))
    return page(request, "admin_reasons.html", {"reasons": found})


def _reason_form(
    request: Request,
    values: dict[str, Any],
    *,
    reason: reasons.ReasonRecord | None = None,
    problems: Problems | None = None,
    current: reasons.ReasonRecord | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "values": values,
        "reason": reason,
        "problems": problems,
        "current": current,
        "categories": [
            (category.value, category.value.capitalize()) for category in ReductionCategory
        ],
    }
    return page(request, "admin_reason_form.html", context, status_code)


def _reason_values(record: reasons.ReasonRecord) -> dict[str, Any]:
    def shown(number: int | None) -> str:
        return "" if number is None else str(number)

    return {
        "name": record.name,
        "category": record.category,
        "allowance_percent": shown(record.allowance_percent),
        "maximum_percent": shown(record.maximum_percent),
        "months_to_expiry": shown(record.months_to_expiry),
        "active": "yes" if record.active else "no",
        "version": str(record.version),
    }


@router.get("/reasons/new", response_class=HTMLResponse)
def new_reason(request: Request, viewer: Admin) -> Response:
    return _reason_form(request, {"active": "yes"})


class ReasonForm(BaseModel):
    """A reduction reason as typed into its form."""

    csrf_token: str = ""
    version: str = ""
    name: str = ""
    category: str = ""
    allowance_percent: str = ""
    maximum_percent: str = ""
    months_to_expiry: str = ""
    active: str = "yes"

    def values(self, name: str) -> reasons.ReasonValues:
        """The values, checked; ReasonRefused says what is wrong with them."""
        if self.active not in ("yes", "no"):
            raise reasons.ReasonRefused({"active": "Choose whether the reason is in use"})
        return reasons.read_reason_form(
            name=name,
            category=self.category,
            allowance=self.allowance_percent,
            maximum=self.maximum_percent,
            months=self.months_to_expiry,
            active=self.active == "yes",
        )

    def typed(self, **changes: str) -> dict[str, str]:
        return {**self.model_dump(exclude={"csrf_token"}), **changes}


@router.post("/reasons/new", response_class=HTMLResponse)
def add_reason(request: Request, viewer: Admin, form: Annotated[ReasonForm, Form()]) -> Response:
    check_csrf(request, form.csrf_token)
    try:
        values = form.values(form.name)
        reasons.add_reason(store_of(request), values, viewer.username)
    except reasons.ReasonRefused as refused:
        problems = Problems()
        problems.update(refused.problems)
        return _reason_form(request, form.typed(), problems=problems, status_code=400)
    return done(request, f"The reduction reason {values.name!r} was added.", "/admin/reasons")


def _reason(request: Request, reason_id: str) -> reasons.ReasonRecord:
    number = number_in_address(reason_id, "reduction reason")
    return reason_catalogue.reason_numbered(store_of(request), number)


@router.get("/reasons/{reason_id}", response_class=HTMLResponse)
def reason(request: Request, viewer: Admin, reason_id: str) -> Response:
    record = _reason(request, reason_id)
    return _reason_form(request, _reason_values(record), reason=record)


@router.post("/reasons/{reason_id}", response_class=HTMLResponse)
def change_reason(
    request: Request, viewer: Admin, reason_id: str, form: Annotated[ReasonForm, Form()]
) -> Response:
    check_csrf(request, form.csrf_token)
    record = _reason(request, reason_id)
    problems = Problems()
    try:
        expected = whole_number(form.version)
        if expected is None:
            raise reasons.ReasonRefused(
                {"current": "This form is out of date: open the reason again from the list"}
            )
        values = form.values(record.name)
        reasons.change_reason(store_of(request), record.id, expected, values, viewer.username)
    except reasons.ReasonRefused as refused:
        problems.update(refused.problems)
        typed = form.typed(name=record.name)
        return _reason_form(request, typed, reason=record, problems=problems, status_code=400)
    except reasons.ReasonChangedMeanwhile as conflict:
        # Keep what they typed; the newer version lets them save over the other change on purpose.
        problems.add("current", str(conflict))
        current = conflict.current
        typed = form.typed(name=record.name, version=str(current.version))
        return _reason_form(
            request, typed, reason=current, problems=problems, current=current, status_code=409
        )
    return done(request, f"The reduction reason {record.name!r} was changed.", "/admin/reasons")


# The audit log of configuration -----------------------------------------------------------


@router.get("/audit", response_class=HTMLResponse)
def audit(request: Request, viewer: Admin) -> Response:
    found = audit_events(store_of(request), configuration=True)
    file = download(request, f"audit-configuration-{date.today()}", found.columns, found.rows)
    if file is not None:
        return file
    return page(request, "admin_audit.html", {"columns": found.columns, "rows": found.rows})


router.include_router(eligibility_router)
router.include_router(users_router)
