"""The reading pages: one URL pattern for every level, /{level}/{code}/{view}.

The address's parameters are checked before anything is read: a code no unit could have is
not found; a date, page, sort, order, download or signal that is not one the page offers is
refused with a page saying what to use instead (400). A page number past the last page shows
the last page, so a link kept from when a table was longer still leads somewhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from operator import attrgetter
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from wmt.domain import entries
from wmt.domain.access import Viewer
from wmt.domain.hierarchy import ALL_LEVELS, LEVELS, PRACTITIONER, check_level
from wmt.domain.signals import SIGNALS
from wmt.errors import NotFound, WmtError
from wmt.services import inputs, overview
from wmt.services.audit import unit_audit
from wmt.services.history import CapacityOn, history
from wmt.services.listing import Listing, Record
from wmt.services.overview import PractitionerOverview
from wmt.services.signals import quality, signal_counts, signals
from wmt.store.transactions import Store
from wmt.web.chart import Reading, capacity_chart
from wmt.web.common import (
    TEMPLATES,
    allowed,
    download,
    level_label,
    page,
    reader,
    viewer_of,
)
from wmt.web.consistency import store_of
from wmt.web.forms import PARTS, DateField, address_code, read_date

SORTABLE = {
    "unit_name",
    "unit_code",
    "staff_code",
    "surname",
    "practitioners",
    "caseload",
    "total_points",
    "available_points",
    "remaining_points",
    "capacity_percent",
}
VIEW_TITLES = {
    "overview": "Overview",
    "history": "Capacity over time",
    "caseload": "Caseload by tier",
    "signals": "Signals",
    "quality": "Data quality",
}
PAGE_SIZE = 100
SIGNAL_SUBJECTS = {definition.code: definition.applies_to for definition in SIGNALS}
ORDERS = ("ascending", "descending")
DOWNLOADS = ("csv", "xlsx")

router = APIRouter()


def inputs_context(request: Request, viewer: Viewer, page: PractitionerOverview) -> dict[str, Any]:
    """For the practitioner's page on the newest snapshot: every reduction of each of their
    teams, and the teams whose inputs this person may change. Earlier snapshots show only
    the reductions that counted on their date."""
    store = store_of(request)
    if not page.on_newest_snapshot:
        return {"inputs": {}, "editable": set()}
    teams = [workload.team_code for workload in page.workloads]
    return {
        "inputs": {team: inputs.owner_inputs(store, page.staff_code, team) for team in teams},
        "editable": {team for team in teams if viewer.may_edit_inputs(team)},
    }


class WrongParameter(WmtError):
    """A parameter in the address is not one the page offers; the message says what is."""


def _choice(
    params: Mapping[str, str], name: str, choices: Mapping[str, object] | tuple[str, ...]
) -> str | None:
    """The parameter if it is one of the choices; None if absent or blank."""
    value = params.get(name, "")
    if not value:
        return None
    if value not in choices:
        shown = ", ".join(sorted(choices))
        raise WrongParameter(
            f"{name} must be one of: {shown}. Change the web address and try again."
        )
    return value


def checked_address(request: Request, level: str, code: str) -> tuple[str, date | None]:
    """The unit's code and the snapshot date asked for, once the person is signed in and
    every parameter the pages read is one they offer (WrongParameter, NotFound if not)."""
    viewer_of(request)  # sign-in comes first: nobody learns the rules before signing in
    code = address_code(code, level_label(level).lower())
    params = request.query_params
    as_of = None
    if params.get("as_of"):
        try:
            as_of = entries.iso_date(params["as_of"], "The snapshot date")
        except entries.EntryRefused as refused:
            raise WrongParameter(f"{refused}. Change the web address and try again.") from None
    if params.get("page"):
        try:
            entries.whole_number(params["page"], "the page number", least=1)
        except entries.EntryRefused as refused:
            raise WrongParameter(f"{refused}. Change the web address and try again.") from None
    _choice(params, "sort", tuple(SORTABLE))
    _choice(params, "order", ORDERS)
    _choice(params, "download", DOWNLOADS)
    _choice(params, "signal", SIGNAL_SUBJECTS)
    return code, as_of


def views(level: str) -> dict[str, str]:
    """The pages each level has, in the order they are offered."""
    if level == PRACTITIONER:
        return {view: VIEW_TITLES[view] for view in ("overview", "history", "caseload")}
    return VIEW_TITLES


def query_string(params: Mapping[str, str], **changes: object) -> str:
    """The page's own query with some parameters changed (None drops one)."""
    merged = {key: value for key, value in params.items() if key not in changes}
    merged |= {key: str(value) for key, value in changes.items() if value is not None}
    return "?" + urlencode(merged)


def _sorted(
    rows: Sequence[Record], request: Request, default: str
) -> tuple[list[Record], str, str]:
    """The rows in the order asked for; those without a value in the column last."""
    key = request.query_params.get("sort") or default
    order = request.query_params.get("order") or "descending"
    present = [row for row in rows if getattr(row, key, None) is not None]
    missing = [row for row in rows if getattr(row, key, None) is None]
    present.sort(key=attrgetter(key), reverse=order == "descending")
    return present + missing, key, order


@dataclass(frozen=True)
class Paging:
    """Which rows of a long table this page shows (`?page=N`, counting from 1)."""

    number: int
    total: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def start(self) -> int:
        return (self.number - 1) * self.size

    @property
    def end(self) -> int:
        return min(self.number * self.size, self.total)

    def numbers(self) -> list[int | None]:
        """Page numbers to link: the first, the last and those either side of this one.

        None stands for pages left out; a single page is never left out.
        """
        shown = sorted(
            n
            for n in {1, self.number - 1, self.number, self.number + 1, self.pages}
            if 1 <= n <= self.pages
        )
        linked: list[int | None] = []
        for n in shown:
            if linked and n - (linked[-1] or 0) == 2:
                linked.append(n - 1)
            elif linked and n - (linked[-1] or 0) > 2:
                linked.append(None)
            linked.append(n)
        return linked


def paging_of(request: Request, total: int) -> Paging:
    """The page asked for (checked by checked_address), or the last page if it is past it."""
    text = request.query_params.get("page") or "1"
    last = Paging(1, total).pages
    number = int(text)  # digits only, and within range: checked_address saw to that
    return Paging(min(max(number, 1), last), total)


def date_range(params: Mapping[str, str]) -> tuple[DateField, DateField]:
    start = read_date(params, "from", "Start date")
    end = read_date(params, "to", "End date")
    if start.value and end.value and end.value < start.value:
        end = replace(
            end, error="End date must be the same as or after the start date", wrong=PARTS
        )
    return start, end


def _table(
    store: Store, viewer: Viewer, level: str, code: str, view: str, as_of: date | None
) -> Listing[Any]:
    """A table page's date, columns and rows."""
    if view == "caseload":
        return overview.caseload_matrix(store, viewer, level, code, as_of)
    return (signals if view == "signals" else quality)(store, viewer, level, code, as_of)


@router.get("/practitioner/{staff_code}/overview", response_class=HTMLResponse)
def practitioner(request: Request, staff_code: str) -> Response:
    staff_code, as_of = checked_address(request, PRACTITIONER, staff_code)
    viewer = reader(request, PRACTITIONER, staff_code)
    found = overview.practitioner_overview(store_of(request), viewer, staff_code, as_of)
    return page(
        request,
        "practitioner.html",
        {"page": found, "views": views(PRACTITIONER), **inputs_context(request, viewer, found)},
        found.as_of,
    )


@router.get("/{level}/{code}/overview", response_class=HTMLResponse)
def unit(request: Request, level: str, code: str) -> Response:
    check_level(level, LEVELS)
    code, as_of = checked_address(request, level, code)
    viewer = reader(request, level, code)
    store = store_of(request)
    found = overview.unit_overview(store, viewer, level, code, as_of)
    rows, key, order = _sorted(found.children, request, "capacity_percent")
    name = f"{level}-{code}-{found.child_level}s-{found.as_of}"
    file = download(request, name, found.child_columns, rows)
    if file is not None:
        return file
    return page(
        request,
        "unit.html",
        {
            "page": found,
            "rows": rows,
            "sort": key,
            "order": order,
            "views": views(level),
            "signals": signal_counts(store, viewer, level, code, found.as_of),
            "signal_subjects": SIGNAL_SUBJECTS,
        },
        found.as_of,
    )


def _chart_lines(level: str, code: str, rows: list[CapacityOn]) -> dict[str, list[Reading]]:
    """One line for a unit; one per team for a practitioner who works in more than one."""
    teams = {row.team_code for row in rows} if level == PRACTITIONER else set()
    lines: dict[str, list[Reading]] = {}
    for row in rows:
        label = f"{level_label(level)} {code}"
        if len(teams) > 1:
            label += f" in team {row.team_code}"
        lines.setdefault(label, []).append(Reading(row.as_of, row.capacity_percent))
    return lines


@router.get("/{level}/{code}/history", response_class=HTMLResponse)
def capacity_history(request: Request, level: str, code: str) -> Response:
    if level not in ALL_LEVELS:
        raise NotFound(f"There is no page {level}/{code}/history.")
    code, _ = checked_address(request, level, code)
    viewer = reader(request, level, code)
    start, end = date_range(request.query_params)
    errors = [field for field in (start, end) if field.error]
    title = f"Capacity over time: {level_label(level)} {code}"
    context: dict[str, Any] = {
        "title": title,
        "level": level,
        "code": code,
        "view": "history",
        "views": views(level),
        "start": start,
        "end": end,
        "errors": errors,
        "found": None,
        "missing": None,
    }
    if errors:
        if not viewer.sees_everything:  # no service reads the unit, so ask here
            allowed(request, level, code)
        return page(request, "history.html", context, None, status_code=400)
    try:
        found = history(store_of(request), viewer, level, code, start.value, end.value)
    except NotFound:  # outside the person's scope: answered as a unit that is not there
        raise
    except WmtError:  # none in the period
        context["missing"] = f"There are no figures for {level_label(level).lower()} {code}"
        return page(request, "history.html", context, None)
    span = f"{found.rows[0].as_of}-to-{found.rows[-1].as_of}"
    file = download(request, f"{level}-{code}-history-{span}", found.columns, found.rows)
    if file is not None:
        return file
    period = {"from": start.value, "to": end.value}
    # Each date's band is that of the thresholds in force on it; the key, and the chart's
    # labels, are those of the newest date shown.
    newest = max(row.as_of for row in found.rows)
    thresholds = found.thresholds[newest]
    lines = _chart_lines(level, code, found.rows)
    context |= {
        "found": found,
        "chart": capacity_chart(lines, thresholds=thresholds, held=found.thresholds),
        "downloads": {kind: query_string({}, **period, download=kind) for kind in ("csv", "xlsx")},
    }
    return page(request, "history.html", context, newest, thresholds=thresholds)


@router.get("/{level}/{code}/audit", response_class=HTMLResponse)
def audit_page(request: Request, level: str, code: str) -> Response:
    if level != PRACTITIONER:
        check_level(level, LEVELS)
    code, _ = checked_address(request, level, code)
    listing = unit_audit(store_of(request), viewer_of(request), level, code)
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


@router.get("/{level}/{code}/{view}", response_class=HTMLResponse)
def table_view(request: Request, level: str, code: str, view: str) -> Response:
    if level not in ALL_LEVELS or view not in views(level):
        raise NotFound(f"There is no page {level}/{code}/{view}.")
    code, asked = checked_address(request, level, code)
    viewer = reader(request, level, code)
    found = _table(store_of(request), viewer, level, code, view, asked)
    title = f"{VIEW_TITLES[view]}: {level_label(level)} {code}"
    as_of, columns, rows = found.as_of, found.columns, found.rows
    params = request.query_params
    only = params.get("signal") or None if view == "signals" else None
    if only is not None:
        rows = [row for row in rows if row.signal == only]
    file = download(request, f"{level}-{code}-{view}-{as_of}", columns, rows)
    if file is not None:
        return file
    paging = paging_of(request, len(rows))
    return page(
        request,
        "table.html",
        {
            "title": title,
            "as_of": as_of,
            "columns": columns,
            "rows": rows[paging.start : paging.end],
            "paging": paging,
            "page_href": lambda number: query_string(params, page=number),
            "downloads": {
                kind: query_string(params, page=None, download=kind) for kind in ("csv", "xlsx")
            },
            "signal_filter": only,
            "every_signal": query_string(params, page=None, signal=None),
            "level": level,
            "code": code,
            "view": view,
            "views": views(level),
        },
        as_of,
    )
