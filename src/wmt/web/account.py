"""People's own account: changing their password.

A plain `def` route, so the password hashing runs in the thread pool, not on the event loop.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from wmt.services.sign_in import PasswordRefused, change_own_password
from wmt.web import sessions
from wmt.web.common import TEMPLATES, check_csrf, csrf_token, signed_in_account
from wmt.web.consistency import store_of
from wmt.web.forms import Problems

router = APIRouter()
FIELDS = ("current_password", "new_password", "confirm_password")


def _password_page(
    request: Request, problems: Problems | None = None, status_code: int = 200
) -> Response:
    account = signed_in_account(request)
    return TEMPLATES.TemplateResponse(
        request,
        "account_password.html",
        {
            "account": account,
            "problems": problems or Problems(),
            "banner": request.session.pop("banner", None),
            "csrf": csrf_token(request),
        },
        status_code=status_code,
    )


@router.get("/account/password", response_class=HTMLResponse)
def password_page(request: Request) -> Response:
    return _password_page(request)


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    csrf_token_: str = Form("", alias="csrf_token"),
    current_password: str = Form(""),
    new_password: str = Form(""),
    confirm_password: str = Form(""),
) -> Response:
    account = signed_in_account(request)
    check_csrf(request, csrf_token_)
    try:
        change_own_password(
            store_of(request),
            account.account_id,
            current_password,
            new_password,
            confirm_password,
            address=sessions.client_address(request),
            keep_session=sessions.session_of(request).digest,
            now=sessions.clock_of(request),
        )
    except PasswordRefused as refused:
        problems = Problems()
        for field_id in FIELDS:
            if field_id in refused.problems:
                problems.add(field_id, refused.problems[field_id])
        return _password_page(request, problems, 400)
    request.session["banner"] = (
        "Your password has been changed. You have been signed out everywhere else."
    )
    return RedirectResponse("/account/password", status_code=303)
