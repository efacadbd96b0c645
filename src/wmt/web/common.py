"""What every page shares: templates and their filters, who is signed in, forms, downloads."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from wmt import exports
from wmt.domain import entries
from wmt.domain import thresholds as bands
from wmt.domain.access import Place, Viewer
from wmt.domain.figures import FIGURES
from wmt.domain.hierarchy import Level
from wmt.domain.thresholds import Thresholds
from wmt.errors import WmtError
from wmt.services.points import thresholds_on
from wmt.services.scope import NOT_FOUND, visible_place
from wmt.services.sessions import SessionAccount
from wmt.web.consistency import store_of
from wmt.web.sessions import session_of

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
LEVEL_NAMES = {level.value: level.label for level in Level}
HEADINGS = {name: figure.label for name, figure in FIGURES.items()} | {
    "t2a": "T2A",
    "crn": "CRN",
    "as_of": "Date",
    "unit_code": "Code",
    "parent_code": "Within",
    "staff_code": "Staff",
    "team_code": "Team",
}

# The thresholds of the date the page being drawn shows; see `thresholds_shown`.
_SHOWN: ContextVar[Thresholds | None] = ContextVar("thresholds_shown", default=None)


@contextmanager
def thresholds_shown(thresholds: Thresholds) -> Iterator[Thresholds]:
    """While a page is drawn: the thresholds its capacity bands and their key use.

    Every template that names a band (the capacity macro, the key) reads them from here, so
    a page needs only to say which thresholds hold on its date, and a template that shows a
    capacity need not pass them along. Set for the one request, never shared between them.
    """
    token = _SHOWN.set(thresholds)
    try:
        yield thresholds
    finally:
        _SHOWN.reset(token)


def _shown() -> Thresholds:
    """The thresholds of the page being drawn; the reference ones outside a page."""
    return _SHOWN.get() or Thresholds()


def capacity_band(percent: Decimal | float | None, thresholds: Thresholds | None = None) -> str:
    """The band a capacity falls in, by the thresholds given or those of the page shown."""
    if percent is None:
        return "none"
    value = percent if isinstance(percent, Decimal) else Decimal(str(percent))
    return bands.capacity_band(value, thresholds or _shown())


def band_words(thresholds: Thresholds | None = None) -> dict[str, str]:
    """Each band in words, lowest first, by the thresholds given or those of the page shown."""
    return bands.band_words(thresholds or _shown())


def page(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    on: date | None,
    *,
    thresholds: Thresholds | None = None,
    status_code: int = 200,
) -> Response:
    """A page drawn with the thresholds in force on the date it shows (today if it shows no
    snapshot's date), unless the page has already read them."""
    if thresholds is None:
        thresholds = thresholds_on(store_of(request), on or date.today())
    with thresholds_shown(thresholds):
        return TEMPLATES.TemplateResponse(
            request, template, {**context, "thresholds": thresholds}, status_code=status_code
        )


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
TEMPLATES.env.globals["band_words"] = band_words
TEMPLATES.env.filters["thousands"] = thousands
TEMPLATES.env.filters["heading"] = heading
TEMPLATES.env.globals["level_names"] = LEVEL_NAMES


class SignInNeeded(Exception):
    """Nobody is signed in: send them to the sign-in page, then back."""


class OutsideScope(WmtError):
    """Refused: the person may see this, but not do this (or the form's token is wrong)."""


# One answer for a unit that does not exist and for one the person may not see, so nobody
# can learn which codes exist by trying them; the services give it.
PAGE_NOT_FOUND = NOT_FOUND


def viewer_of(request: Request) -> Viewer:
    """The person signed in to this session; SignInNeeded if nobody is.

    The account is read with the session on every request, so a disabled or deleted account
    is signed out at once, and a changed role or scope (which ends the person's sessions)
    holds from their next page.
    """
    account = session_of(request).account
    if account is None:
        raise SignInNeeded
    return account.viewer


def signed_in_account(request: Request) -> SessionAccount:
    """The account signed in to this session; SignInNeeded if nobody is."""
    account = session_of(request).account
    if account is None:
        raise SignInNeeded
    return account


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def csrf_matches(request: Request, submitted: str) -> bool:
    expected = request.session.get("csrf")
    return bool(expected) and secrets.compare_digest(
        str(expected).encode("utf-8"), submitted.encode("utf-8", "surrogatepass")
    )


def check_csrf(request: Request, submitted: str) -> None:
    if not csrf_matches(request, submitted):
        raise OutsideScope("This form has expired. Go back, reload the page and try again.")


def signed_in_viewer(request: Request) -> Viewer | None:
    """For templates: the person signed in, or None on the sign-in and error pages."""
    account = session_of(request).account
    return account.viewer if account is not None else None


def signed_in_with_password(request: Request) -> bool:
    """For templates: whether the person signed in has a wmt password they could change."""
    account = session_of(request).account
    return account is not None and account.has_password


TEMPLATES.env.globals["csrf_token"] = csrf_token
TEMPLATES.env.globals["signed_in_viewer"] = signed_in_viewer
TEMPLATES.env.globals["signed_in_with_password"] = signed_in_with_password


def safe_next(target: str | None) -> str:
    """Only ever return to a page of this site: a path, not `//host` or `/\\host` (which
    browsers read as another site), and nothing a header could not carry."""
    if (
        target
        and len(target) <= 2000
        and target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and target.isascii()
        and target.isprintable()
    ):
        return target
    return "/"


def date_parameter(request: Request, name: str) -> date | None:
    text = request.query_params.get(name)
    if not text:
        return None
    try:
        return entries.iso_date(text, "The snapshot date" if name == "as_of" else "The date")
    except entries.EntryRefused as refused:
        raise WmtError(str(refused)) from None


def as_of_of(request: Request) -> date | None:
    return date_parameter(request, "as_of")


def allowed(request: Request, level: str, code: str) -> tuple[Viewer, Place]:
    """The signed-in person and the unit's place, if the services say they may see it;
    NotFound (the same as for a unit that does not exist) if not.

    For a page whose service takes no viewer (the changes to a unit), or that answers
    before asking one (a form with mistakes): so that what is outside someone's scope is
    not found whatever else the address holds. Pages that read through a service that
    checks scope ask `reader` instead.
    """
    viewer = viewer_of(request)
    as_of = as_of_of(request)  # a date that is not one is said to be so, to anyone
    return viewer, visible_place(store_of(request), viewer, level, code, as_of)


def reader(request: Request, level: str, code: str) -> Viewer:
    """The signed-in person, for a page whose reading service checks their scope itself.

    The services answer a unit outside someone's scope as not found; someone who sees
    everything is told here, as by `allowed`, when the snapshot holds no such unit.
    """
    viewer = viewer_of(request)
    if viewer.sees_everything:
        allowed(request, level, code)
    return viewer


def download(
    request: Request, name: str, columns: tuple[str, ...], rows: Sequence[exports.Row]
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
