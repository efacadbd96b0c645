"""The ASGI application: sessions, static assets, error pages and every router."""

from __future__ import annotations

import os

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from wmt.errors import NotFound, WmtError
from wmt.services.saving import ChangeRefused, EditConflict, InvalidInput, NotPermitted
from wmt.services.sessions import SessionPolicy
from wmt.store.transactions import Store
from wmt.web import (
    admin_eligibility,
    allocating,
    allocation_pages,
    allocation_plan_pages,
    api,
    api_allocation,
    api_inputs,
    api_plan_acceptance,
    api_plans,
    assets,
    headers,
    inputs,
    limits,
    operations,
    organisation_sign_in,
    pages,
    practitioner_cases,
    sessions,
    sign_in,
)
from wmt.web.admin import router as admin_router
from wmt.web.common import TEMPLATES, OutsideScope, SignInNeeded
from wmt.web.consistency import ConsistentReads


def create_app(
    store: Store,
    *,
    oidc: organisation_sign_in.OidcSettings | None = None,
    session_policy: SessionPolicy | None = None,
    clock: sessions.Clock | None = None,
) -> FastAPI:
    app = FastAPI(title="wmt", docs_url=None, redoc_url=None, openapi_url=api.OPENAPI_URL)
    api.install_openapi(app)
    app.state.store = store
    # Organisation sign-in: the settings given, else WMT_OIDC_* variables, else none.
    organisation_sign_in.configure(
        app, oidc or organisation_sign_in.OidcSettings.from_environment(os.environ)
    )
    # Middleware runs outside in: headers, then the request log and metrics, then the
    # session, then the request's one read transaction.
    app.add_middleware(ConsistentReads)
    sessions.install(app, store, policy=session_policy, clock=clock)
    limits.install(app)
    operations.install(app)
    headers.install(app)

    app.mount("/static", StaticFiles(directory=assets.OWN_STATIC), name="static")
    govuk = assets.govuk_dist()
    if govuk.is_dir():
        app.mount("/assets", StaticFiles(directory=govuk / "assets"), name="assets")
        app.mount("/govuk", StaticFiles(directory=govuk), name="govuk")
    if assets.moj_dist().is_dir():
        app.mount("/moj", StaticFiles(directory=assets.moj_dist()), name="moj")

    @app.exception_handler(SignInNeeded)
    async def sign_in_first(request: Request, _: SignInNeeded) -> RedirectResponse:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/sign-in?next={target}", status_code=303)

    @app.exception_handler(WmtError)
    async def refused(request: Request, error: WmtError) -> HTMLResponse:
        status = (
            404 if isinstance(error, NotFound) else 403 if isinstance(error, OutsideScope) else 400
        )
        return _error_page(request, str(error), status)

    @app.exception_handler(ChangeRefused)
    async def change_refused(request: Request, refusal: ChangeRefused) -> Response:
        return _answer_refusal(request, refusal)

    app.include_router(sign_in.router)
    app.include_router(organisation_sign_in.router)
    app.include_router(admin_router)
    # The catch-all /{level}/{code}/{view} comes last, after every more specific route.
    app.include_router(api.router)
    app.include_router(admin_eligibility.api)
    app.include_router(api_inputs.router)
    app.include_router(api_plans.router)
    app.include_router(api_plan_acceptance.router)
    app.include_router(api_allocation.router)
    app.include_router(inputs.router)
    app.include_router(allocating.api)
    app.include_router(allocating.router)
    app.include_router(practitioner_cases.api)
    # Before the allocation pages, whose /{level}/{code}/allocation would take a practitioner's.
    app.include_router(practitioner_cases.router)
    app.include_router(allocation_pages.router)
    app.include_router(allocation_plan_pages.router)
    app.include_router(pages.router)
    return app


# How the API answers each refusal of a change: 403 may not, 422 a rule broken, 409 too late.
API_STATUS: dict[type[ChangeRefused], int] = {
    NotPermitted: 403,
    InvalidInput: 422,
    EditConflict: 409,
}


def _error_page(request: Request, message: str, status: int) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(
        request, "error.html", {"message": message}, status_code=status
    )


def _answer_refusal(request: Request, refusal: ChangeRefused) -> Response:
    """A change the services refused, answered the one way for each door.

    The API answers JSON: 403 for a change the person may not make, 422 naming each field
    that breaks a rule, 409 when someone else changed the record first. A page shows the error
    page: 403 for a change the person may not make, 400 for anything else (the forms answer
    broken rules and conflicts themselves, keeping what was typed).
    """
    if isinstance(request.scope.get("route"), api.ApiRoute):
        body: dict[str, object] = {"detail": str(refusal)}
        if isinstance(refusal, InvalidInput):
            body["errors"] = refusal.errors
        return JSONResponse(body, status_code=API_STATUS.get(type(refusal), 400))
    return _error_page(request, str(refusal), 403 if isinstance(refusal, NotPermitted) else 400)


def from_environment() -> FastAPI:
    """The application over the database WMT_DATABASE_URL names: for each server process."""
    from wmt.store.database import database_url, open_store

    return create_app(open_store(database_url(None)))
