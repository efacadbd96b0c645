"""Signing in with a local account, and signing out."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from wmt.services.accounts import SignInRefused, sign_in
from wmt.web.common import (
    TEMPLATES,
    check_csrf,
    csrf_token,
    safe_next,
    start_session,
    viewer_of,
)
from wmt.web.consistency import store_of

router = APIRouter()


@router.get("/")
def home(request: Request) -> RedirectResponse:
    level, code = viewer_of(request).home
    return RedirectResponse(f"/{level}/{code}/overview", status_code=303)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, next: str | None = None) -> Response:
    return TEMPLATES.TemplateResponse(
        request, "sign_in.html", {"csrf": csrf_token(request), "next": safe_next(next)}
    )


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in_form(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    csrf_token_: str = Form("", alias="csrf_token"),
    next: str = Form("/"),
) -> Response:
    check_csrf(request, csrf_token_)
    try:
        viewer = sign_in(store_of(request), username.strip(), password)
    except SignInRefused as refused:
        return TEMPLATES.TemplateResponse(
            request,
            "sign_in.html",
            {
                "csrf": csrf_token(request),
                "next": safe_next(next),
                "error": str(refused),
                "username": username,
            },
            status_code=401,
        )
    start_session(request, viewer)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/sign-out")
def sign_out(request: Request, csrf_token_: str = Form("", alias="csrf_token")) -> RedirectResponse:
    check_csrf(request, csrf_token_)
    request.session.clear()
    return RedirectResponse("/sign-in", status_code=303)
