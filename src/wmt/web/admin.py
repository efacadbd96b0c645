"""The administrators' pages: points configuration, reduction reasons, accounts, the audit log.

Every form posts with the session's CSRF token and works without JavaScript. Bad input shows
the GOV.UK error summary and changes nothing; a change redirects to a page with a banner.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from wmt.domain.access import Role, Viewer
from wmt.domain.reductions import ReductionCategory
from wmt.errors import InputRejected, NotFound
from wmt.services import accounts, points, reasons
from wmt.services.audit import audit_events
from wmt.web.common import (
    TEMPLATES,
    OutsideScope,
    check_csrf,
    csrf_token,
    download,
    viewer_of,
)
from wmt.web.consistency import store_of
from wmt.web.forms import DateField, Problems, read_date

ROLE_NAMES = {
    Role.PRACTITIONER: "Practitioner",
    Role.TEAM_MANAGER: "Team manager",
    Role.HEAD_OF_PDU: "Head of PDU",
    Role.REGIONAL_LEAD: "Regional lead",
    Role.NATIONAL: "National",
    Role.ADMIN: "Administrator",
}
SCOPE_HINTS = {
    Role.PRACTITIONER: "their staff code",
    Role.TEAM_MANAGER: "a team code",
    Role.HEAD_OF_PDU: "a PDU code",
    Role.REGIONAL_LEAD: "a region code",
    Role.NATIONAL: "national",
    Role.ADMIN: "national",
}
TEMPLATES.env.globals["role_names"] = ROLE_NAMES


def admin_viewer(request: Request) -> Viewer:
    """The signed-in administrator; everyone else is refused."""
    viewer = viewer_of(request)
    if viewer.role is not Role.ADMIN:
        raise OutsideScope("These pages are for administrators only.")
    return viewer


Admin = Annotated[Viewer, Depends(admin_viewer)]
Token = Annotated[str, Form(alias="csrf_token")]
Text = Annotated[str, Form()]

router = APIRouter(prefix="/admin")


def _page(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    """A page, with the banner a change left for it (shown once)."""
    banner = request.session.pop("banner", None)
    problems = context.get("problems") or Problems()
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {**context, "banner": banner, "csrf": csrf_token(request), "problems": problems},
        status_code=status_code,
    )


def _done(request: Request, message: str, target: str) -> RedirectResponse:
    request.session["banner"] = message
    return RedirectResponse(target, status_code=303)


@router.get("", response_class=HTMLResponse)
def index(request: Request, viewer: Admin) -> Response:
    return _page(request, "admin_index.html", {})


# Points configuration ---------------------------------------------------------------------


@router.get("/points", response_class=HTMLResponse)
def points_versions(request: Request, viewer: Admin) -> Response:
    return _page(
        request, "admin_points.html", {"versions": points.version_summaries(store_of(request))}
    )


EFFECTIVE_FROM = "In force from"


def _points_form(
    request: Request, document: str, effective: DateField, problems: Problems | None = None
) -> Response:
    context = {"document": document, "effective": effective, "problems": problems}
    return _page(request, "admin_points_new.html", context, 400 if problems else 200)


@router.get("/points/new", response_class=HTMLResponse)
def new_points_version(request: Request, viewer: Admin) -> Response:
    document = points.newest_document(store_of(request))
    return _points_form(request, document, DateField("effective_from", EFFECTIVE_FROM))


@router.post("/points/new", response_class=HTMLResponse)
async def add_points_version(request: Request, viewer: Admin) -> Response:
    form = {key: str(value) for key, value in (await request.form()).items()}
    check_csrf(request, form.get("csrf_token", ""))
    document = form.get("document", "")
    problems = Problems()
    effective = read_date(form, "effective_from", EFFECTIVE_FROM)
    if effective.error:
        problems.add("effective_from", effective.error)
    elif effective.value is None:
        problems.add("effective_from", "Enter the date this configuration comes into force")
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
    return _done(
        request,
        f"Points configuration version {version_id} is in force from "
        f"{effective.value.isoformat()}. "
        f"{recalculated} {snapshots} recalculated with it.",
        f"/admin/points/{version_id}",
    )


def _version_number(text: str | None) -> int | None:
    if text is None or text == "":
        return None
    if not text.isdigit():
        raise NotFound(f"{text!r} is not a version number.")
    return int(text)


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
    return _page(request, "admin_points_compare.html", context)


@router.get("/points/{version_id}", response_class=HTMLResponse)
def points_version(request: Request, viewer: Admin, version_id: int) -> Response:
    version = points.points_version(store_of(request), version_id)
    return _page(
        request,
        "admin_points_version.html",
        {"version": version, "tables": points.settings_tables(version.configuration)},
    )


# Reduction reasons ------------------------------------------------------------------------


@router.get("/reasons", response_class=HTMLResponse)
def reason_list(request: Request, viewer: Admin) -> Response:
    with store_of(request).reading() as connection:
        found = reasons.list_reasons(connection, include_retired=True)
    return _page(request, "admin_reasons.html", {"reasons": found})


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
    return _page(request, "admin_reason_form.html", context, status_code)


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
        return reasons.read_reason_form(
            name=name,
            category=self.category,
            allowance=self.allowance_percent,
            maximum=self.maximum_percent,
            months=self.months_to_expiry,
            active=self.active != "no",
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
    return _done(request, f"The reduction reason {values.name!r} was added.", "/admin/reasons")


def _reason(request: Request, reason_id: int) -> reasons.ReasonRecord:
    with store_of(request).reading() as connection:
        return reasons.reason_by_id(connection, reason_id)


@router.get("/reasons/{reason_id}", response_class=HTMLResponse)
def reason(request: Request, viewer: Admin, reason_id: int) -> Response:
    record = _reason(request, reason_id)
    return _reason_form(request, _reason_values(record), reason=record)


@router.post("/reasons/{reason_id}", response_class=HTMLResponse)
def change_reason(
    request: Request, viewer: Admin, reason_id: int, form: Annotated[ReasonForm, Form()]
) -> Response:
    check_csrf(request, form.csrf_token)
    record = _reason(request, reason_id)
    problems = Problems()
    try:
        expected = int(form.version) if form.version.isdigit() else -1
        values = form.values(record.name)
        reasons.change_reason(store_of(request), reason_id, expected, values, viewer.username)
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
    return _done(request, f"The reduction reason {record.name!r} was changed.", "/admin/reasons")


# Accounts ---------------------------------------------------------------------------------


@router.get("/users", response_class=HTMLResponse)
def user_list(request: Request, viewer: Admin) -> Response:
    return _page(request, "admin_users.html", {"users": accounts.list_accounts(store_of(request))})


def _user_form(
    request: Request,
    values: dict[str, str],
    *,
    account: accounts.AccountRecord | None = None,
    problems: Problems | None = None,
) -> Response:
    context = {"values": values, "account": account, "problems": problems, "hints": SCOPE_HINTS}
    return _page(request, "admin_user_form.html", context, 400 if problems else 200)


@router.get("/users/new", response_class=HTMLResponse)
def new_user(request: Request, viewer: Admin) -> Response:
    return _user_form(request, {})


@router.post("/users/new", response_class=HTMLResponse)
def add_user(
    request: Request,
    viewer: Admin,
    csrf: Token = "",
    username: Text = "",
    role: Text = "",
    scope: Text = "",
    password: Text = "",
) -> Response:
    check_csrf(request, csrf)
    try:
        accounts.add_account(store_of(request), username, password, role, scope, viewer.username)
    except accounts.AccountRefused as refused:
        problems = Problems()
        for field_id in ("username", "role", "scope", "password"):
            if field_id in refused.problems:
                problems.add(field_id, refused.problems[field_id])
        # A password is never sent back to the browser.
        values = {"username": username, "role": role, "scope": scope}
        return _user_form(request, values, problems=problems)
    return _done(request, f"{username.strip()} can now sign in.", "/admin/users")


@router.get("/users/{account_id}", response_class=HTMLResponse)
def user(request: Request, viewer: Admin, account_id: int) -> Response:
    account = accounts.account_by_id(store_of(request), account_id)
    values = {"username": account.username, "role": account.role.value, "scope": account.scope}
    return _user_form(request, values, account=account)


@router.post("/users/{account_id}", response_class=HTMLResponse)
def change_user(
    request: Request,
    viewer: Admin,
    account_id: int,
    csrf: Token = "",
    role: Text = "",
    scope: Text = "",
) -> Response:
    check_csrf(request, csrf)
    store = store_of(request)
    account = accounts.account_by_id(store, account_id)
    try:
        accounts.change_access(store, account_id, role, scope, viewer.username)
    except accounts.AccountRefused as refused:
        problems = Problems()
        problems.update(refused.problems)
        values = {"username": account.username, "role": role, "scope": scope}
        return _user_form(request, values, account=account, problems=problems)
    return _done(request, f"{account.username}'s role and scope were changed.", "/admin/users")


@router.post("/users/{account_id}/unlock", response_class=HTMLResponse)
def unlock_user(request: Request, viewer: Admin, account_id: int, csrf: Token = "") -> Response:
    check_csrf(request, csrf)
    username = accounts.unlock_account(store_of(request), account_id, viewer.username)
    return _done(request, f"{username} is unlocked and can sign in again.", "/admin/users")


# The audit log of configuration -----------------------------------------------------------


@router.get("/audit", response_class=HTMLResponse)
def audit(request: Request, viewer: Admin) -> Response:
    found = audit_events(store_of(request), configuration=True)
    file = download(request, f"audit-configuration-{date.today()}", found.columns, found.rows)
    if file is not None:
        return file
    return _page(request, "admin_audit.html", {"columns": found.columns, "rows": found.rows})
