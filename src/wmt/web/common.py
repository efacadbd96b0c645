"""What every page shares: templates and their filters, who is signed in, forms, downloads."""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from wmt import exports
from wmt.domain.access import Place, Viewer
from wmt.domain.hierarchy import PRACTITIONER
from wmt.errors import NotFound, WmtError
from wmt.services.accounts import viewer_for
from wmt.services.places import places_of
from wmt.web.consistency import store_of

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
LEVEL_NAMES = {
    "national": "National",
    "region": "Region",
    "pdu": "PDU",
    "team": "Team",
    PRACTITIONER: "Practitioner",
}
HEADINGS = {
    "t2a": "T2A",
    "crn": "CRN",
    "as_of": "Date",
    "capacity_percent": "Capacity",
    "unit_code": "Code",
    "parent_code": "Within",
    "staff_code": "Staff",
    "team_code": "Team",
}


def capacity_band(percent: Decimal | float | None) -> str:
    """The band a capacity falls in, as managers read it."""
    if percent is None:
        return "none"
    value = float(percent)
    if value > 120:
        return "over-120"
    if value > 110:
        return "over-110"
    if value >= 90:
        return "comfortable"
    return "under-90"


def thousands(value: object) -> object:
    """Numbers as a person reads them: 2,880 and 2,880.00."""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return f"{value:,}"
    return value


def heading(column: str) -> str:
    return HEADINGS.get(column, column.replace("_", " ").capitalize())


def level_label(level: str) -> str:
    return LEVEL_NAMES.get(level, level)


TEMPLATES.env.filters["band"] = capacity_band
TEMPLATES.env.filters["thousands"] = thousands
TEMPLATES.env.filters["heading"] = heading
TEMPLATES.env.globals["level_names"] = LEVEL_NAMES


class SignInNeeded(Exception):
    """Nobody is signed in: send them to the sign-in page, then back."""


class OutsideScope(WmtError):
    """The page is outside what this person may see."""


def viewer_of(request: Request) -> Viewer:
    """The person signed in to this session; SignInNeeded if nobody is."""
    stored = request.session.get("viewer")
    if not stored:
        raise SignInNeeded
    # Read the account again on every request, so a changed role or scope, or a removed
    # account, takes effect at once rather than at the next sign-in.
    viewer = viewer_for(store_of(request), stored["username"])
    if viewer is None:
        request.session.clear()
        raise SignInNeeded
    return viewer


def start_session(request: Request, viewer: Viewer) -> None:
    """A fresh session for the person who has just signed in."""
    request.session.clear()
    request.session["viewer"] = {
        "username": viewer.username,
        "role": viewer.role.value,
        "scope": viewer.scope,
    }


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def check_csrf(request: Request, submitted: str) -> None:
    expected = request.session.get("csrf")
    if not expected or not secrets.compare_digest(str(expected), submitted):
        raise OutsideScope("This form has expired. Go back, reload the page and try again.")


def signed_in_viewer(request: Request) -> Viewer | None:
    """For templates: the person signed in, or None on the sign-in and error pages."""
    try:
        return viewer_of(request)
    except SignInNeeded:
        return None


TEMPLATES.env.globals["csrf_token"] = csrf_token
TEMPLATES.env.globals["signed_in_viewer"] = signed_in_viewer


def safe_next(target: str | None) -> str:
    """Only ever return to a page of this site."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def date_parameter(request: Request, name: str) -> date | None:
    text = request.query_params.get(name)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise NotFound(f"{text!r} is not a date; use YYYY-MM-DD.") from None


def as_of_of(request: Request) -> date | None:
    return date_parameter(request, "as_of")


def allowed(request: Request, level: str, code: str) -> tuple[Viewer, Place]:
    """The signed-in person and the unit's place, if they may see it; OutsideScope if not.

    A practitioner in several teams may be seen by whoever may see any one of those teams.
    """
    viewer = viewer_of(request)
    places = places_of(store_of(request), level, code, as_of_of(request))
    inside = [place for place in places if viewer.may_view(place)]
    if not inside:
        raise OutsideScope("This page is outside the teams and people you can see.")
    return viewer, inside[0]


def check_may_edit_inputs(viewer: Viewer, team_code: str) -> None:
    """OutsideScope unless the person may change hours and reductions in the team."""
    if not viewer.may_edit_inputs(team_code):
        raise OutsideScope(
            "Only the manager of the practitioner's team can change their hours and reductions."
        )


def child_visible(viewer: Viewer, parent: Place, level: str, row: dict[str, Any]) -> bool:
    """A unit's children lie inside it; checked again so no row can slip out of scope."""
    if level == PRACTITIONER:
        return viewer.may_view(parent.child(level, row["staff_code"], team=row["team_code"]))
    return viewer.may_view(parent.child(level, row["unit_code"]))


def download(
    request: Request, name: str, columns: tuple[str, ...], rows: list[dict[str, Any]]
) -> Response | None:
    """The table as a file, if `?download=csv|xlsx` asks for one."""
    kind = request.query_params.get("download")
    if kind == "csv":
        return Response(
            exports.csv_bytes(columns, rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if kind == "xlsx":
        return Response(
            exports.xlsx_bytes(name, columns, rows),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    return None
