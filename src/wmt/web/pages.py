"""The reading pages: one URL pattern for every level, /{level}/{code}/{view}."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Engine

from wmt.domain.hierarchy import LEVELS, PRACTITIONER, check_level
from wmt.errors import NotFound
from wmt.services import overview
from wmt.web.common import (
    TEMPLATES,
    allowed,
    as_of_of,
    child_visible,
    date_parameter,
    download,
    engine_of,
    level_label,
)

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

router = APIRouter()


def views(level: str) -> dict[str, str]:
    """The pages each level has, in the order they are offered."""
    if level == PRACTITIONER:
        return {view: VIEW_TITLES[view] for view in ("overview", "history", "caseload")}
    return VIEW_TITLES


def _sorted(
    rows: list[dict[str, Any]], request: Request, default: str
) -> tuple[list[dict[str, Any]], str, str]:
    key = request.query_params.get("sort", default)
    key = key if key in SORTABLE else default
    order = "ascending" if request.query_params.get("order") == "ascending" else "descending"
    present = [row for row in rows if row.get(key) is not None]
    missing = [row for row in rows if row.get(key) is None]
    present.sort(key=lambda row: row[key], reverse=order == "descending")
    return present + missing, key, order


def _table(
    engine: Engine, request: Request, level: str, code: str, view: str
) -> tuple[str, date | None, tuple[str, ...], list[dict[str, Any]]]:
    """A table page's title, date, columns and rows."""
    from wmt.services.history import history
    from wmt.services.signals import quality, signals

    as_of = as_of_of(request)
    if view == "history":
        since = date_parameter(request, "from")
        found = history(engine, level, code, since, date_parameter(request, "to"))
        return f"Capacity over time: {level_label(level)} {code}", None, found.columns, found.rows
    if view == "caseload":
        matrix = overview.caseload_matrix(engine, level, code, as_of)
        return (
            f"Caseload by tier: {level_label(level)} {code}",
            matrix.as_of,
            matrix.columns,
            matrix.rows,
        )
    listing = (signals if view == "signals" else quality)(engine, level, code, as_of)
    return (
        f"{VIEW_TITLES[view]}: {level_label(level)} {code}",
        listing.as_of,
        listing.columns,
        listing.rows,
    )


@router.get("/practitioner/{staff_code}/overview", response_class=HTMLResponse)
def practitioner(request: Request, staff_code: str) -> Response:
    allowed(request, PRACTITIONER, staff_code)
    found = overview.practitioner_overview(engine_of(request), staff_code, as_of_of(request))
    return TEMPLATES.TemplateResponse(
        request, "practitioner.html", {"page": found, "views": views(PRACTITIONER)}
    )


@router.get("/{level}/{code}/overview", response_class=HTMLResponse)
def unit(request: Request, level: str, code: str) -> Response:
    check_level(level, LEVELS)
    viewer, place = allowed(request, level, code)
    found = overview.unit_overview(engine_of(request), level, code, as_of_of(request))
    rows, key, order = _sorted(found.children, request, "capacity_percent")
    rows = [row for row in rows if child_visible(viewer, place, found.child_level, row)]
    name = f"{level}-{code}-{found.child_level}s-{found.as_of}"
    file = download(request, name, found.child_columns, rows)
    if file is not None:
        return file
    return TEMPLATES.TemplateResponse(
        request,
        "unit.html",
        {"page": found, "rows": rows, "sort": key, "order": order, "views": views(level)},
    )


@router.get("/{level}/{code}/{view}", response_class=HTMLResponse)
def table_view(request: Request, level: str, code: str, view: str) -> Response:
    if level not in (*LEVELS, PRACTITIONER) or view not in views(level):
        raise NotFound(f"There is no page {level}/{code}/{view}.")
    allowed(request, level, code)
    title, as_of, columns, rows = _table(engine_of(request), request, level, code, view)
    file = download(request, f"{level}-{code}-{view}-{as_of}", columns, rows)
    if file is not None:
        return file
    return TEMPLATES.TemplateResponse(
        request,
        "table.html",
        {
            "title": title,
            "as_of": as_of,
            "columns": columns,
            "rows": rows,
            "level": level,
            "code": code,
            "view": view,
            "views": views(level),
        },
    )
