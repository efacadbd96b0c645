"""Signing in with a local account, and signing out.

The sign-in form is handled by a plain `def` route, so it runs in the thread pool: checking a
password takes a few tens of milliseconds of hashing, which must never hold up the event loop.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from wmt.services.sign_in import SignInRefused, sign_in
from wmt.web import account, sessions
from wmt.web.common import (
    TEMPLATES,
    check_csrf,
    csrf_matches,
    csrf_token,
    safe_next,
    viewer_of,
)
from wmt.web.consistency import store_of

router = APIRouter()
EXPIRED_FORM = (
    "The sign-in page was open too long, so it has been reset. Enter your username and "
    "password again."
)


@router.get("/")
def home(request: Request) -> RedirectResponse:
    level, code = viewer_of(request).home
    return RedirectResponse(f"/{level}/{code}/overview", status_code=303)


def _sign_in_page(
    request: Request, next: str, *, error: str | None = None, username: str = "", status: int = 200
) -> Response:
    return TEMPLATES.TemplateResponse(
        request,
        "sign_in.html",
        {
            "csrf": csrf_token(request),
            "next": safe_next(next),
            "error": error,
            "username": username,
        },
        status_code=status,
    )


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, next: str | None = None) -> Response:
    return _sign_in_page(request, next or "/")


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in_form(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    csrf_token_: str = Form("", alias="csrf_token"),
    next: str = Form("/"),
) -> Response:
    # Only what was typed comes back, and only if it could be a username.
    shown = username if len(username) <= 200 and username.isprintable() else ""
    if not csrf_matches(request, csrf_token_):
        return _sign_in_page(request, next, error=EXPIRED_FORM, username=shown, status=400)
    try:
        account = sign_in(
            store_of(request),
            username,
            password,
            sessions.client_address(request),
            sessions.clock_of(request),
        )
    except SignInRefused as refused:
        return _sign_in_page(request, next, error=str(refused), username=shown, status=401)
    sessions.start_signed_in(request, account)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/sign-out")
def sign_out(request: Request, csrf_token_: str = Form("", alias="csrf_token")) -> RedirectResponse:
    check_csrf(request, csrf_token_)
    sessions.end(request)
    return RedirectResponse("/sign-in", status_code=303)


# A person's own account pages belong with signing in; they are served from here.
router.include_router(account.router)
