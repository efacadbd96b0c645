"""What every administrators' page shares: who may use it, how it is drawn, and reading
numbers from the address or a form without ever failing on what someone typed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from wmt.domain.access import Role, Viewer
from wmt.errors import NotFound
from wmt.services.points import effective_from_problem
from wmt.web.common import TEMPLATES, OutsideScope, csrf_token, viewer_of
from wmt.web.forms import PARTS, DateField, Problems, read_date

ROLE_NAMES = {
    Role.PRACTITIONER: "Practitioner",
    Role.TEAM_MANAGER: "Team manager",
    Role.HEAD_OF_PDU: "Head of PDU",
    Role.REGIONAL_LEAD: "Regional lead",
    Role.NATIONAL: "National",
    Role.ADMIN: "Administrator",
}
TEMPLATES.env.globals["role_names"] = ROLE_NAMES
# The largest number an address or a form may name: every id and version fits a 32-bit column.
LARGEST_NUMBER = 2**31 - 1
EFFECTIVE_FROM = "In force from"


def admin_viewer(request: Request) -> Viewer:
    """The signed-in administrator; everyone else is refused."""
    viewer = viewer_of(request)
    if viewer.role is not Role.ADMIN:
        raise OutsideScope("These pages are for administrators only.")
    return viewer


Admin = Annotated[Viewer, Depends(admin_viewer)]
Token = Annotated[str, Form(alias="csrf_token")]
Text = Annotated[str, Form()]


def page(
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


def done(request: Request, message: str, target: str) -> RedirectResponse:
    """After a change: the next page, with a banner saying what happened."""
    request.session["banner"] = message
    return RedirectResponse(target, status_code=303)


def whole_number(text: str | None) -> int | None:
    """A whole number of ASCII digits that fits the store; None for anything else."""
    if text is None or not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if number <= LARGEST_NUMBER else None


def number_in_address(text: str, what: str) -> int:
    """An id from the address; NotFound, saying what was looked for, if it cannot be one."""
    number = whole_number(text)
    if number is None:
        raise NotFound(f"There is no {what} at this address: check the address is correct.")
    return number


def date_from_form(form: dict[str, str], name: str, label: str) -> DateField:
    """A GOV.UK date input's value, refusing digits other than 0 to 9 and overlong parts
    (Python would read "２０２６" as 2026, and a 20-digit day cannot be any date)."""
    typed = [form.get(f"{name}-{part}", "").strip() for part in PARTS]
    if any(part and not (part.isascii() and part.isdigit() and len(part) <= 4) for part in typed):
        day, month, year = typed
        return DateField(
            name, label, day, month, year, error=f"{label} must be a real date", wrong=PARTS
        )
    return read_date(form, name, label)


def read_effective_from(typed: Mapping[str, str], problems: Problems, blank: str) -> DateField:
    """The date a new version of some configuration comes into force, from the date input
    `effective_from`, noting what is wrong with it (`blank` if nothing was entered)."""
    effective = date_from_form(dict(typed), "effective_from", EFFECTIVE_FROM)
    if effective.error:
        problems.add("effective_from", effective.error)
    elif effective.value is None:
        problems.add("effective_from", blank)
    elif (problem := effective_from_problem(effective.value)) is not None:
        problems.add("effective_from", f"{EFFECTIVE_FROM}: {problem}")
    return effective
