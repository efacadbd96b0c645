"""The JSON API: the figures the pages show, under /api, with the same sign-in and scope.

Every route here needs the session the pages use (sign in at /sign-in) and answers errors as
JSON: {"detail": "..."} with 401 when nobody is signed in, 403 when the person may not do
what they asked, 404 for an unknown level, unit or practitioner (or one outside their scope),
400 for anything else a person can put right, and 422 with {"detail": ..., "errors":
{field: message}} when a parameter or a body field breaks a rule of entry. Exact decimals
(points, hours, percentages) are strings such as "17.8", never floats. The models are in
api_models.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Query, Request, Security
from fastapi.dependencies.utils import get_flat_params
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security import APIKeyCookie
from pydantic import BaseModel

from wmt import __version__
from wmt.domain.access import SCOPE_LEVEL, Viewer
from wmt.domain.hierarchy import ALL_LEVELS, LEVELS, PRACTITIONER, check_level
from wmt.errors import NotFound, WmtError
from wmt.services import overview
from wmt.services.capacity import PractitionerFigures
from wmt.services.history import history as history_of
from wmt.services.listing import Listing, snapshot_rows
from wmt.services.signals import quality as quality_of
from wmt.services.signals import signals as signals_of
from wmt.web.api_models import (
    AvailableTime,
    Caseload,
    FieldProblems,
    History,
    HistoryRow,
    Me,
    PointsPart,
    PractitionerOverview,
    PractitionerRow,
    PractitionerTeamFigure,
    Problem,
    Quality,
    Reduction,
    Signals,
    SnapshotInfo,
    Snapshots,
    UnitOverview,
    UnitRef,
    UnitRow,
    UnitRows,
    UnitSummary,
    code_entry,
    date_entry,
)
from wmt.web.common import OutsideScope, SignInNeeded, reader, viewer_of
from wmt.web.consistency import store_of

PREFIX = "/api"
OPENAPI_URL = f"{PREFIX}/openapi.json"
SESSION_COOKIE = "wmt_session"
# Methods that change something: their body must be JSON (see json_body).
WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NOT_JSON = "The body is not valid JSON."


# --- Errors, sign-in and JSON bodies ---------------------------------------------------------


def _problem(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


async def json_body(request: Request) -> Any:
    """The request's JSON body; 415 unless it is sent as application/json, 400 if not JSON.

    Every POST, PUT, PATCH and DELETE under /api depends on this (ApiRoute adds it), so a
    change can only come from a script or page that sends JSON: a form on another site cannot
    (browsers send forms as form data, and cross-site JSON needs a CORS permission wmt never
    gives). Together with the SameSite=Lax session cookie this is the API's protection against
    cross-site request forgery. A route may also take the parsed body as a parameter:
    `body: Annotated[Any, Depends(json_body)]`.
    """
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise HTTPException(415, "Send the body as JSON, with Content-Type: application/json.")
    try:
        return await request.json()
    except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
        raise HTTPException(400, NOT_JSON) from None


# What a field's error says when the rule that refused it is pydantic's rather than ours.
_PLAIN_WORDS = {
    "missing": "Send {field}: it is required",
    "extra_forbidden": "{field} is not a field this takes: leave it out",
    "model_attributes_type": "Send the body as a JSON object",
    "dict_type": "Send the body as a JSON object",
    "string_type": "Send {field} as text",
    "int_type": "Send {field} as a whole number",
    "int_parsing": "Send {field} as a whole number",
    "entry_kind": "Send {field} as {what}",  # a number where text belongs, or the other way
}


def _field_problems(errors: Sequence[Any]) -> JSONResponse:
    """A refusal of what was sent: 422 naming each field, or 400 if the body is not JSON."""
    found: dict[str, str] = {}
    for error in errors:
        if error.get("type") == "json_invalid":
            return _problem(400, NOT_JSON)
        place = [part for part in error.get("loc", ()) if isinstance(part, str)]
        field = place[-1] if len(place) > 1 else "body"
        words = _PLAIN_WORDS.get(error.get("type", ""))
        context = {"field": field, **(error.get("ctx") or {})}
        message = words.format(**context) if words else str(error.get("msg", "Not valid"))
        found.setdefault(field, message)
    return JSONResponse(
        {"detail": ". ".join(found.values()) + ".", "errors": found}, status_code=422
    )


class ApiRoute(APIRoute):
    """A route that answers wmt's refusals as JSON, and makes writing methods take JSON."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        if WRITING_METHODS & {method.upper() for method in options.get("methods") or ()}:
            options["dependencies"] = [*(options.get("dependencies") or ()), Depends(json_body)]
        super().__init__(path, endpoint, **options)
        if get_flat_params(self.dependant) or self.body_field is not None:
            self.responses = {
                **self.responses,
                422: {"model": FieldProblems, "description": "A parameter or field is wrong."},
            }

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await handle(request)
            except RequestValidationError as error:
                return _field_problems(error.errors())
            except SignInNeeded:
                return _problem(401, "Sign in first, at /sign-in, and send the session cookie.")
            except OutsideScope as error:
                return _problem(403, str(error))
            except NotFound as error:
                return _problem(404, str(error))
            except WmtError as error:
                return _problem(400, str(error))

        return handler


_session = APIKeyCookie(
    name=SESSION_COOKIE,
    scheme_name="session",
    description="The session cookie set by signing in at /sign-in, as for the pages.",
    auto_error=False,
)


def signed_in(request: Request, _: Annotated[str | None, Security(_session)]) -> Viewer:
    """The person signed in; every /api route depends on this, so none is open to all."""
    return viewer_of(request)


def api_router() -> APIRouter:
    """A router for part of the API: under /api, signed in, refusals answered as JSON."""
    return APIRouter(
        prefix=PREFIX,
        route_class=ApiRoute,
        dependencies=[Depends(signed_in)],
        responses={
            400: {"model": Problem, "description": "Something else you can put right."},
            401: {"model": Problem, "description": "Nobody is signed in."},
            403: {"model": Problem, "description": "You may see this but not change it."},
            404: {
                "model": Problem,
                "description": "No such level, unit, practitioner or date, or none you may see.",
            },
        },
    )


router = api_router()


def install_openapi(app: FastAPI) -> None:
    """Describe only the /api routes in the app's OpenAPI document (served at OPENAPI_URL)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            routes = [
                route
                for route in iter_route_contexts(app.routes)
                if (route.path or "").startswith(PREFIX + "/")
            ]
            app.openapi_schema = get_openapi(
                title="wmt API",
                version=__version__,
                description=(
                    "Workload against capacity for probation practitioners and units, as the "
                    "pages show it. Sign in at /sign-in and send the session cookie. Exact "
                    'decimals are strings ("17.8"); dates are YYYY-MM-DD. Errors are '
                    '{"detail": "..."}; a parameter or field that breaks a rule is answered '
                    '422 with {"detail": "...", "errors": {"field": "what to send"}}.'
                ),
                routes=routes,
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


# --- Parameters ----------------------------------------------------------------------------

Code = Annotated[
    str,
    code_entry("The code"),
    Path(description="The unit's code (a team, PDU or region code, or national)"),
]
StaffCode = Annotated[
    str, code_entry("The staff code"), Path(description="The practitioner's nDelius staff code")
]
AsOf = Annotated[
    date | None,
    date_entry("The snapshot date", optional=True),
    Query(description="The snapshot's date (YYYY-MM-DD); the latest when left out"),
]


def _level(levels: tuple[str, ...]) -> Any:
    return Path(description="The level in the hierarchy", json_schema_extra={"enum": list(levels)})


UnitLevel = Annotated[str, _level(LEVELS)]
AnyLevel = Annotated[str, _level(ALL_LEVELS)]


# --- Routes --------------------------------------------------------------------------------


Model = TypeVar("Model", bound=BaseModel)
Rows = TypeVar("Rows", bound=UnitRows)


def _from(model: type[Model], record: object) -> Model:
    """The model of a service's record, read from its attributes."""
    return model.model_validate(record, from_attributes=True)


def _trail(crumbs: list[overview.Crumb]) -> list[UnitRef]:
    return [UnitRef(level=c.level, code=c.code, name=c.name) for c in crumbs]


@router.get("/me", response_model=Me, summary="Who is signed in")
def me(viewer: Annotated[Viewer, Depends(signed_in)]) -> Me:
    level, code = viewer.home
    home = f"{PREFIX}/{level}/{code}/overview"
    return Me(
        username=viewer.username,
        role=viewer.role,
        scope_level=SCOPE_LEVEL[viewer.role],
        scope=viewer.scope,
        home=home,
    )


@router.get("/snapshots", response_model=Snapshots, summary="The snapshot dates available")
def snapshots(request: Request) -> Snapshots:
    rows = snapshot_rows(store_of(request)).rows
    return Snapshots(snapshots=[_from(SnapshotInfo, row) for row in rows])


@router.get(
    "/practitioner/{staff_code}/overview",
    response_model=PractitionerOverview,
    summary="A practitioner's figure explained",
)
def practitioner_overview(
    request: Request, staff_code: StaffCode, as_of: AsOf = None
) -> PractitionerOverview:
    viewer = reader(request, PRACTITIONER, staff_code)
    found = overview.practitioner_overview(store_of(request), viewer, staff_code, as_of)
    first = found.workloads[0]
    return PractitionerOverview(
        as_of=found.as_of,
        staff_code=found.staff_code,
        forename=first.forename,
        surname=first.surname,
        within=_trail(found.trail),
        teams=[_team_figure(found, w) for w in found.workloads],
        reductions=[_from(Reduction, r) for r in found.reductions],
    )


def _team_figure(
    found: overview.PractitionerOverview, w: PractitionerFigures
) -> PractitionerTeamFigure:
    full_time = found.default_hours.get(w.grade)
    return PractitionerTeamFigure(
        team_code=w.team_code,
        grade=w.grade,
        caseload=w.caseload,
        community_cases=w.community_cases,
        custody_cases=w.custody_cases,
        licence_cases=w.licence_cases,
        t2a_cases=w.t2a_cases,
        points=[
            PointsPart(
                part="cases",
                description="Cases scored by their tier and type",
                cases=w.tier_scored_cases,
                points=w.case_points,
            ),
            PointsPart(
                part="t2a_cases",
                description="Young adult (T2A) cases, scored from the young adult table",
                cases=w.t2a_cases,
                points=w.t2a_points,
            ),
            PointsPart(
                part="court_reports",
                description="Court reports completed in the last 30 days",
                cases=None,
                points=w.report_points,
            ),
            PointsPart(
                part="case_management_support",
                description=(
                    "Case management support in the last 7 days (work done on colleagues' "
                    "cases, less colleagues' work on theirs)"
                ),
                cases=None,
                points=w.contact_points,
            ),
        ],
        total_points=w.total_points,
        time=AvailableTime(
            grade=w.grade,
            full_time_hours=None if full_time is None else Decimal(full_time),
            nominal_target=found.nominal_target.get(w.grade),
            contracted_hours=w.contracted_hours,
            reduction_hours=w.reduction_hours,
            hours_available=w.hours_available,
            available_points=w.available_points,
        ),
        available_points=w.available_points,
        remaining_points=w.remaining_points,
        capacity_percent=w.capacity_percent,
    )


@router.get("/{level}/{code}/overview", response_model=UnitOverview, summary="A unit's figures")
def unit_overview(
    request: Request, level: UnitLevel, code: Code, as_of: AsOf = None
) -> UnitOverview:
    check_level(level, LEVELS)
    viewer = reader(request, level, code)
    found = overview.unit_overview(store_of(request), viewer, level, code, as_of)
    children: list[UnitRow] | list[PractitionerRow]
    if found.child_level == PRACTITIONER:
        practitioners = sorted(found.children, key=attrgetter("staff_code", "team_code"))
        children = [_from(PractitionerRow, row) for row in practitioners]
    else:
        units = sorted(found.children, key=attrgetter("unit_code"))
        children = [_from(UnitRow, row) for row in units]
    return UnitOverview(
        as_of=found.as_of,
        level=level,
        code=code,
        name=found.summary.unit_name,
        within=_trail(found.trail),
        summary=UnitSummary.model_validate(found.summary, from_attributes=True),
        child_level=found.child_level,
        children=children,
    )


@router.get("/{level}/{code}/history", response_model=History, summary="Capacity over time")
def history(
    request: Request,
    level: AnyLevel,
    code: Code,
    since: Annotated[
        date | None,
        date_entry("The start date", optional=True),
        Query(alias="from", description="The first snapshot date to include"),
    ] = None,
    until: Annotated[
        date | None,
        date_entry("The end date", optional=True),
        Query(alias="to", description="The last snapshot date to include"),
    ] = None,
) -> History:
    check_level(level)
    viewer = reader(request, level, code)
    found = history_of(store_of(request), viewer, level, code, since, until)
    rows = [_from(HistoryRow, row) for row in found.rows]
    return History(level=level, code=code, rows=rows)


def _unit_table(
    request: Request,
    model: type[Rows],
    read: Callable[..., Listing[Any]],
    level: str,
    code: str,
    as_of: date | None,
    levels: tuple[str, ...],
) -> Rows:
    """A unit's table as the API gives it (its date, level, code and rows), read by a
    service that checks the person may see the unit."""
    check_level(level, levels)
    found = read(store_of(request), reader(request, level, code), level, code, as_of)
    table = {"as_of": found.as_of, "level": level, "code": code, "rows": found.rows}
    return model.model_validate(table, from_attributes=True)


@router.get("/{level}/{code}/caseload", response_model=Caseload, summary="Caseload by tier")
def caseload(request: Request, level: AnyLevel, code: Code, as_of: AsOf = None) -> Caseload:
    read = overview.caseload_matrix
    return _unit_table(request, Caseload, read, level, code, as_of, ALL_LEVELS)


@router.get("/{level}/{code}/signals", response_model=Signals, summary="Management signals")
def signals(request: Request, level: UnitLevel, code: Code, as_of: AsOf = None) -> Signals:
    return _unit_table(request, Signals, signals_of, level, code, as_of, LEVELS)


@router.get("/{level}/{code}/quality", response_model=Quality, summary="Data quality findings")
def quality(request: Request, level: UnitLevel, code: Code, as_of: AsOf = None) -> Quality:
    return _unit_table(request, Quality, quality_of, level, code, as_of, LEVELS)
