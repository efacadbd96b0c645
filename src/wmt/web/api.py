"""The JSON API: the figures the pages show, under /api, with the same sign-in and scope.

Every route here needs the session the pages use (sign in at /sign-in) and answers errors as
JSON: {"detail": "..."} with 401 when nobody is signed in, 403 outside the person's scope,
404 for an unknown level, unit or practitioner, and 400 for anything else a person can put
right. Exact decimals (points, hours, percentages) are strings such as "17.8", never floats.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Query, Request, Security
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security import APIKeyCookie
from pydantic import BaseModel, Field, PlainSerializer, WithJsonSchema

from wmt import __version__
from wmt.domain.access import SCOPE_LEVEL, Role, Viewer
from wmt.domain.hierarchy import ALL_LEVELS, LEVELS, PRACTITIONER, check_level
from wmt.errors import NotFound, WmtError
from wmt.services import overview
from wmt.services.history import history as history_of
from wmt.services.listing import snapshot_rows
from wmt.services.signals import quality as quality_of
from wmt.services.signals import signals as signals_of
from wmt.web.common import OutsideScope, SignInNeeded, allowed, child_visible, viewer_of
from wmt.web.consistency import store_of

PREFIX = "/api"
OPENAPI_URL = f"{PREFIX}/openapi.json"
SESSION_COOKIE = "wmt_session"
# Methods that change something: their body must be JSON (see json_body).
WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _exact_text(value: Decimal) -> str:
    return format(value, "f")


Exact = Annotated[
    Decimal,
    PlainSerializer(_exact_text, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^-?\d+(\.\d+)?$",
            "description": "An exact decimal, as text, e.g. 17.8",
        }
    ),
]


# --- Errors, sign-in and JSON bodies ---------------------------------------------------------


class Problem(BaseModel):
    """Every refusal: one sentence saying what is wrong."""

    detail: str = Field(description="What went wrong, in words a person can act on.")


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
    except ValueError:
        raise HTTPException(400, "The body is not valid JSON.") from None


class ApiRoute(APIRoute):
    """A route that answers wmt's refusals as JSON, and makes writing methods take JSON."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        if WRITING_METHODS & {method.upper() for method in options.get("methods") or ()}:
            options["dependencies"] = [*(options.get("dependencies") or ()), Depends(json_body)]
        super().__init__(path, endpoint, **options)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await handle(request)
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
            401: {"model": Problem, "description": "Nobody is signed in."},
            403: {"model": Problem, "description": "Outside the teams and people you can see."},
            404: {"model": Problem, "description": "No such level, unit, practitioner or date."},
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
                    '{"detail": "..."}.'
                ),
                routes=routes,
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


# --- Parameters ----------------------------------------------------------------------------

Code = Annotated[str, Path(description="The unit's code (a team, PDU or region code, or national)")]
StaffCode = Annotated[str, Path(description="The practitioner's nDelius staff code")]
AsOf = Annotated[
    date | None,
    Query(description="The snapshot's date (YYYY-MM-DD); the latest when left out"),
]


def _level(levels: tuple[str, ...]) -> Any:
    return Path(description="The level in the hierarchy", json_schema_extra={"enum": list(levels)})


UnitLevel = Annotated[str, _level(LEVELS)]
AnyLevel = Annotated[str, _level(ALL_LEVELS)]


# --- Response models -----------------------------------------------------------------------


class UnitRef(BaseModel):
    level: str = Field(description="national, region, pdu or team")
    code: str = Field(description="The unit's code")
    name: str = Field(description="The unit's name")


class Capacity(BaseModel):
    caseload: int = Field(description="Cases held: community, custody and licence cases")
    total_points: int = Field(
        description="The workload: case, T2A, court report and contact points, rounded"
    )
    available_points: int = Field(
        description="Points the contracted hours less reductions make available"
    )
    remaining_points: int = Field(
        description="Available points less the workload; negative when over capacity"
    )
    contracted_hours: Exact = Field(description="Contracted hours a week")
    reduction_hours: Exact = Field(description="Hours a week of reductions in force")
    capacity_percent: Exact = Field(
        description="Workload ÷ available points, as a percentage to one decimal place"
    )


class PointsFrom(BaseModel):
    community_cases: int = Field(description="Community cases (orders) held")
    custody_cases: int = Field(description="Custody cases held")
    licence_cases: int = Field(description="Licence cases held")
    t2a_cases: int = Field(description="Young adult (transition to adulthood, T2A) cases held")
    case_points: Exact = Field(description="Points for cases scored by their tier and type")
    t2a_points: Exact = Field(description="Points for T2A cases, from the young adult table")
    report_points: int = Field(description="Points for court reports in the last 30 days")
    contact_points: int = Field(
        description=(
            "Points for case management support in the last 7 days: work done on colleagues' "
            "cases less colleagues' work on theirs (may be negative)"
        )
    )


class UnitKey(BaseModel):
    level: str = Field(description="national, region, pdu or team")
    unit_code: str = Field(description="The unit's code")
    unit_name: str = Field(description="The unit's name")
    parent_code: str | None = Field(description="The code of the unit it lies within")
    practitioners: int = Field(description="Practitioners holding cases in the unit")
    unallocated_cases: int = Field(description="Cases in the unit allocated to nobody")


class UnitRow(Capacity, UnitKey):
    """A unit's figures, as a row of its parent's table and download."""


class UnitSummary(PointsFrom, UnitRow):
    """A unit's own figures, with where its points come from."""


class PractitionerKey(BaseModel):
    staff_code: str = Field(description="The practitioner's nDelius staff code")
    team_code: str = Field(description="The team the figures are for")
    grade: str = Field(description="Grade: PO, PQiP, PSO or SPO")
    forename: str | None = Field(description="Forename")
    surname: str | None = Field(description="Surname")


class PractitionerRow(PointsFrom, Capacity, PractitionerKey):
    """A practitioner's figures in one team, as a row of the team's table and download."""


class UnitOverview(BaseModel):
    as_of: date = Field(description="The snapshot's date")
    level: str = Field(description="national, region, pdu or team")
    code: str = Field(description="The unit's code")
    name: str = Field(description="The unit's name")
    within: list[UnitRef] = Field(description="The units above it, from national down")
    summary: UnitSummary = Field(description="The unit's own figures")
    child_level: str = Field(
        description="The level of the children: region, pdu, team or practitioner"
    )
    children: list[UnitRow] | list[PractitionerRow] = Field(
        description=(
            "The units (or, for a team, the practitioners) one level down that you may see, "
            "by code: the rows of the page's table and its download"
        )
    )


class PointsPart(BaseModel):
    part: Literal["cases", "t2a_cases", "court_reports", "case_management_support"] = Field(
        description="Where the points come from"
    )
    description: str = Field(description="The part as the practitioner's page words it")
    cases: int | None = Field(description="The cases scored, for the parts that score cases")
    points: Exact = Field(description="The part's points, before rounding the total")


class AvailableTime(BaseModel):
    grade: str = Field(description="Grade: PO, PQiP, PSO or SPO")
    full_time_hours: Exact | None = Field(
        description="Contracted hours a week of a full-time practitioner of the grade"
    )
    nominal_target: int | None = Field(
        description="Points a full-time practitioner of the grade is expected to carry"
    )
    contracted_hours: Exact = Field(description="Their contracted hours a week")
    reduction_hours: Exact = Field(description="Hours a week of reductions in force")
    hours_available: Exact = Field(description="Contracted hours less reductions")
    available_points: int = Field(
        description="Nominal target × hours available ÷ full-time hours, rounded down"
    )


class PractitionerTeamFigure(BaseModel):
    team_code: str = Field(description="The team the figures are for")
    grade: str = Field(description="Grade: PO, PQiP, PSO or SPO")
    caseload: int = Field(description="Cases held in the team")
    community_cases: int = Field(description="Community cases (orders) held")
    custody_cases: int = Field(description="Custody cases held")
    licence_cases: int = Field(description="Licence cases held")
    t2a_cases: int = Field(description="Young adult (T2A) cases held")
    points: list[PointsPart] = Field(description="Where the workload's points come from")
    total_points: int = Field(description="The parts' points added up, rounded to a whole number")
    time: AvailableTime = Field(description="How the hours become available points")
    available_points: int = Field(description="Points available: see time")
    remaining_points: int = Field(description="Available points less the workload")
    capacity_percent: Exact = Field(description="Total points ÷ available points, as a percentage")


class Reduction(BaseModel):
    team_code: str = Field(description="The team the reduction is recorded in")
    reason: str = Field(description="Why the hours are reduced, from the reduction reasons")
    start_date: date = Field(description="First day in force")
    end_date: date | None = Field(description="Last day in force; null when open-ended")
    hours: Exact = Field(description="Hours a week taken off")


class PractitionerOverview(BaseModel):
    as_of: date = Field(description="The snapshot's date")
    staff_code: str = Field(description="The practitioner's nDelius staff code")
    forename: str | None = Field(description="Forename")
    surname: str | None = Field(description="Surname")
    within: list[UnitRef] = Field(description="National, region, PDU and team above them")
    teams: list[PractitionerTeamFigure] = Field(
        description="The figure explained, for each team they hold cases in"
    )
    reductions: list[Reduction] = Field(description="Reductions in force on the snapshot date")


class HistoryRow(BaseModel):
    as_of: date = Field(description="The snapshot's date")
    unit_code: str = Field(description="The unit's code, or the practitioner's staff code")
    parent_code: str | None = Field(None, description="For a unit: the unit it lies within")
    team_code: str | None = Field(None, description="For a practitioner: the team")
    caseload: int = Field(description="Cases held")
    total_points: int = Field(description="The workload in points")
    available_points: int = Field(description="Points available")
    remaining_points: int = Field(description="Available points less the workload")
    capacity_percent: Exact = Field(description="Total points ÷ available points, as a percentage")


class History(BaseModel):
    level: str = Field(description="The level")
    code: str = Field(description="The unit's code, or the practitioner's staff code")
    rows: list[HistoryRow] = Field(
        description="One row per snapshot, oldest first (for a practitioner, per team)"
    )


class TierRow(BaseModel):
    tier: str = Field(description="The case's tier, e.g. A3 or B1S")
    community: int = Field(description="Community cases (not T2A)")
    custody: int = Field(description="Custody cases (not T2A)")
    licence: int = Field(description="Licence cases (not T2A)")
    t2a: int = Field(description="Young adult (T2A) cases of every type")
    total: int = Field(description="All cases of the tier")


class Caseload(BaseModel):
    as_of: date = Field(description="The snapshot's date")
    level: str = Field(description="The level")
    code: str = Field(description="The unit's code, or the practitioner's staff code")
    rows: list[TierRow] = Field(description="Cases held, tier by case type")


class SignalRow(BaseModel):
    signal: str = Field(description="What the signal is, e.g. sustained overload")
    staff_code: str | None = Field(description="The practitioner, if it is about one")
    team_code: str | None = Field(description="Their team")
    value: str | None = Field(description="The value that raised it, as text")
    threshold: str | None = Field(description="The threshold it crossed, as text")
    detail: str = Field(description="What it means")


class Signals(BaseModel):
    as_of: date = Field(description="The snapshot's date")
    level: str = Field(description="The level")
    code: str = Field(description="The unit's code")
    rows: list[SignalRow] = Field(description="Management signals within the unit")


class FindingRow(BaseModel):
    finding: str = Field(description="What is wrong with the data")
    staff_code: str | None = Field(description="The practitioner concerned, if any")
    team_code: str | None = Field(description="The team concerned, if any")
    crn: str | None = Field(description="The case reference number (CRN) concerned, if any")
    detail: str = Field(description="The finding in full")


class Quality(BaseModel):
    as_of: date = Field(description="The snapshot's date")
    level: str = Field(description="The level")
    code: str = Field(description="The unit's code")
    rows: list[FindingRow] = Field(description="Data quality findings within the unit")


class SnapshotInfo(BaseModel):
    as_of: date = Field(description="The date the snapshot describes; use it as ?as_of")
    source_format: str = Field(description="What was imported: ndelius or case-level")
    imported_at: datetime = Field(description="When it was imported")
    points_configuration_id: int = Field(description="The points configuration it was scored with")


class Snapshots(BaseModel):
    snapshots: list[SnapshotInfo] = Field(description="Every snapshot, oldest first")


class Me(BaseModel):
    username: str = Field(description="Who is signed in")
    role: Role = Field(description="Their role")
    scope_level: str = Field(description="The level of their scope")
    scope: str = Field(description="The staff, team, PDU or region code they may see, or national")
    home: str = Field(description="The API overview of their scope")


# --- Routes --------------------------------------------------------------------------------


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
    _, rows = snapshot_rows(store_of(request))
    return Snapshots(snapshots=[SnapshotInfo.model_validate(row) for row in rows])


@router.get(
    "/practitioner/{staff_code}/overview",
    response_model=PractitionerOverview,
    summary="A practitioner's figure explained",
)
def practitioner_overview(
    request: Request, staff_code: StaffCode, as_of: AsOf = None
) -> PractitionerOverview:
    allowed(request, PRACTITIONER, staff_code)
    found = overview.practitioner_overview(store_of(request), staff_code, as_of)
    first = found.workloads[0]
    return PractitionerOverview(
        as_of=found.as_of,
        staff_code=found.staff_code,
        forename=first["forename"],
        surname=first["surname"],
        within=_trail(found.trail),
        teams=[_team_figure(found, w) for w in found.workloads],
        reductions=[Reduction.model_validate(r) for r in found.reductions],
    )


def _team_figure(found: overview.PractitionerOverview, w: dict[str, Any]) -> PractitionerTeamFigure:
    full_time = found.default_hours.get(w["grade"])
    return PractitionerTeamFigure(
        team_code=w["team_code"],
        grade=w["grade"],
        caseload=w["caseload"],
        community_cases=w["community_cases"],
        custody_cases=w["custody_cases"],
        licence_cases=w["licence_cases"],
        t2a_cases=w["t2a_cases"],
        points=[
            PointsPart(
                part="cases",
                description="Cases scored by their tier and type",
                cases=w["caseload"] - w["t2a_cases"],
                points=w["case_points"],
            ),
            PointsPart(
                part="t2a_cases",
                description="Young adult (T2A) cases, scored from the young adult table",
                cases=w["t2a_cases"],
                points=w["t2a_points"],
            ),
            PointsPart(
                part="court_reports",
                description="Court reports completed in the last 30 days",
                cases=None,
                points=w["report_points"],
            ),
            PointsPart(
                part="case_management_support",
                description=(
                    "Case management support in the last 7 days (work done on colleagues' "
                    "cases, less colleagues' work on theirs)"
                ),
                cases=None,
                points=w["contact_points"],
            ),
        ],
        total_points=w["total_points"],
        time=AvailableTime(
            grade=w["grade"],
            full_time_hours=None if full_time is None else Decimal(full_time),
            nominal_target=found.nominal_target.get(w["grade"]),
            contracted_hours=w["contracted_hours"],
            reduction_hours=w["reduction_hours"],
            hours_available=w["contracted_hours"] - w["reduction_hours"],
            available_points=w["available_points"],
        ),
        available_points=w["available_points"],
        remaining_points=w["remaining_points"],
        capacity_percent=w["capacity_percent"],
    )


@router.get("/{level}/{code}/overview", response_model=UnitOverview, summary="A unit's figures")
def unit_overview(
    request: Request, level: UnitLevel, code: Code, as_of: AsOf = None
) -> UnitOverview:
    check_level(level, LEVELS)
    viewer, place = allowed(request, level, code)
    found = overview.unit_overview(store_of(request), level, code, as_of)
    rows = [row for row in found.children if child_visible(viewer, place, found.child_level, row)]
    children: list[UnitRow] | list[PractitionerRow]
    if found.child_level == PRACTITIONER:
        rows.sort(key=lambda row: (row["staff_code"], row["team_code"]))
        children = [PractitionerRow.model_validate(row) for row in rows]
    else:
        rows.sort(key=lambda row: row["unit_code"])
        children = [UnitRow.model_validate(row) for row in rows]
    return UnitOverview(
        as_of=found.as_of,
        level=level,
        code=code,
        name=found.summary["unit_name"],
        within=_trail(found.trail),
        summary=UnitSummary.model_validate(found.summary),
        child_level=found.child_level,
        children=children,
    )


@router.get("/{level}/{code}/history", response_model=History, summary="Capacity over time")
def history(
    request: Request,
    level: AnyLevel,
    code: Code,
    since: Annotated[
        date | None, Query(alias="from", description="The first snapshot date to include")
    ] = None,
    until: Annotated[
        date | None, Query(alias="to", description="The last snapshot date to include")
    ] = None,
) -> History:
    check_level(level)
    allowed(request, level, code)
    found = history_of(store_of(request), level, code, since, until)
    return History(
        level=level, code=code, rows=[HistoryRow.model_validate(row) for row in found.rows]
    )


@router.get("/{level}/{code}/caseload", response_model=Caseload, summary="Caseload by tier")
def caseload(request: Request, level: AnyLevel, code: Code, as_of: AsOf = None) -> Caseload:
    check_level(level)
    allowed(request, level, code)
    found = overview.caseload_matrix(store_of(request), level, code, as_of)
    return Caseload(
        as_of=found.as_of,
        level=level,
        code=code,
        rows=[TierRow.model_validate(row) for row in found.rows],
    )


@router.get("/{level}/{code}/signals", response_model=Signals, summary="Management signals")
def signals(request: Request, level: UnitLevel, code: Code, as_of: AsOf = None) -> Signals:
    check_level(level, LEVELS)
    allowed(request, level, code)
    found = signals_of(store_of(request), level, code, as_of)
    return Signals(
        as_of=found.as_of,
        level=level,
        code=code,
        rows=[SignalRow.model_validate(row) for row in found.rows],
    )


@router.get("/{level}/{code}/quality", response_model=Quality, summary="Data quality findings")
def quality(request: Request, level: UnitLevel, code: Code, as_of: AsOf = None) -> Quality:
    check_level(level, LEVELS)
    allowed(request, level, code)
    found = quality_of(store_of(request), level, code, as_of)
    return Quality(
        as_of=found.as_of,
        level=level,
        code=code,
        rows=[FindingRow.model_validate(row) for row in found.rows],
    )
