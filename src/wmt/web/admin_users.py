"""The administrators' pages for accounts: add, change, disable, delete, sign out everywhere.

Each form that changes an account carries the version of the account the page showed, so an
administrator never overwrites a change they have not seen (409, with what they typed kept).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from wmt.domain.access import Role, Viewer
from wmt.domain.clock import local_time
from wmt.services import account_changes, accounts
from wmt.services.account_changes import AccountChangedMeanwhile
from wmt.services.accounts import AccountRecord, AccountRefused
from wmt.web.admin_pages import Admin, Text, Token, done, number_in_address, page, whole_number
from wmt.web.common import TEMPLATES, check_csrf
from wmt.web.consistency import store_of
from wmt.web.forms import Problems
from wmt.web.sessions import clock_of, session_of

SCOPE_HINTS = {
    Role.PRACTITIONER: "their staff code",
    Role.TEAM_MANAGER: "a team code",
    Role.HEAD_OF_PDU: "a PDU code",
    Role.REGIONAL_LEAD: "a region code",
    Role.NATIONAL: "national",
    Role.ADMIN: "national",
}
FIELDS = ("username", "full_name", "email", "role", "scope", "password")

router = APIRouter()


TEMPLATES.env.filters["local_time"] = local_time


def _account(request: Request, account_id: str) -> AccountRecord:
    number = number_in_address(account_id, "account")
    policy = request.app.state.session_policy
    return accounts.account_by_id(store_of(request), number, policy, clock_of(request))


def _problems(refused: AccountRefused) -> Problems:
    """The problems in the order the fields are on the page."""
    problems = Problems()
    order = [*FIELDS, *(key for key in refused.problems if key not in FIELDS)]
    for field_id in order:
        if field_id in refused.problems:
            problems.add(field_id, refused.problems[field_id])
    return problems


@router.get("/users", response_class=HTMLResponse)
def user_list(request: Request, viewer: Admin) -> Response:
    policy = request.app.state.session_policy
    found = accounts.list_accounts(store_of(request), policy, clock_of(request))
    return page(request, "admin_users.html", {"users": found})


def _user_form(
    request: Request,
    values: dict[str, str],
    *,
    account: AccountRecord | None = None,
    problems: Problems | None = None,
    current: AccountRecord | None = None,
    status_code: int | None = None,
) -> Response:
    context = {
        "values": values,
        "account": account,
        "problems": problems,
        "hints": SCOPE_HINTS,
        "current": current,
    }
    template = "admin_user.html" if account else "admin_user_form.html"
    return page(request, template, context, status_code or (400 if problems else 200))


@router.get("/users/new", response_class=HTMLResponse)
def new_user(request: Request, viewer: Admin) -> Response:
    return _user_form(request, {})


@router.post("/users/new", response_class=HTMLResponse)
def add_user(
    request: Request,
    viewer: Admin,
    csrf: Token = "",
    username: Text = "",
    full_name: Text = "",
    email: Text = "",
    role: Text = "",
    scope: Text = "",
    password: Text = "",
) -> Response:
    check_csrf(request, csrf)
    try:
        accounts.add_account(
            store_of(request),
            username,
            password,
            role,
            scope,
            viewer.username,
            full_name=full_name,
            email=email,
        )
    except AccountRefused as refused:
        # A password is never sent back to the browser.
        values = {
            "username": username,
            "full_name": full_name,
            "email": email,
            "role": role,
            "scope": scope,
        }
        return _user_form(request, values, problems=_problems(refused))
    return done(request, f"{username.strip()} can now sign in.", "/admin/users")


def _values(account: AccountRecord) -> dict[str, str]:
    return {
        "full_name": account.full_name or "",
        "email": account.email or "",
        "role": account.role.value,
        "scope": account.scope,
        "version": str(account.version),
    }


@router.get("/users/{account_id}", response_class=HTMLResponse)
def user(request: Request, viewer: Admin, account_id: str) -> Response:
    account = _account(request, account_id)
    return _user_form(request, _values(account), account=account)


def _version(text: str) -> int:
    """The version a form was opened at; a form that lost it is treated as out of date."""
    number = whole_number(text)
    return -1 if number is None else number


def _changed_meanwhile(
    request: Request, conflict: AccountChangedMeanwhile, typed: dict[str, str]
) -> Response:
    """The account page again: their typing kept, the account as it is now beside it."""
    problems = Problems()
    problems.add("current", str(conflict))
    current = _account(request, str(conflict.current.id))
    values = {**typed, "version": str(current.version)}
    return _user_form(
        request, values, account=current, problems=problems, current=current, status_code=409
    )


@router.post("/users/{account_id}", response_class=HTMLResponse)
def change_user(
    request: Request,
    viewer: Admin,
    account_id: str,
    csrf: Token = "",
    version: Text = "",
    full_name: Text = "",
    email: Text = "",
    role: Text = "",
    scope: Text = "",
) -> Response:
    check_csrf(request, csrf)
    account = _account(request, account_id)
    typed = {"full_name": full_name, "email": email, "role": role, "scope": scope}
    try:
        ended = account_changes.change_account(
            store_of(request),
            account.id,
            _version(version),
            role_text=role,
            scope=scope,
            full_name=full_name,
            email=email,
            by=viewer.username,
        )
    except AccountRefused as refused:
        values = {**typed, "version": version}
        return _user_form(request, values, account=account, problems=_problems(refused))
    except AccountChangedMeanwhile as conflict:
        return _changed_meanwhile(request, conflict, typed)
    signed_out = (
        " They have been signed out, and have the new access when they sign in." if ended else ""
    )
    return done(request, f"{account.username}'s account was changed.{signed_out}", "/admin/users")


def _set_disabled(
    request: Request, viewer: Viewer, account_id: str, csrf: str, version: str, disabled: bool
) -> Response:
    """Disable or enable an account from its button; refusals and conflicts come back on its
    page."""
    check_csrf(request, csrf)
    account = _account(request, account_id)
    try:
        account_changes.set_disabled(
            store_of(request), account.id, _version(version), disabled, viewer.username
        )
    except AccountRefused as refused:
        return _user_form(request, _values(account), account=account, problems=_problems(refused))
    except AccountChangedMeanwhile as conflict:
        return _changed_meanwhile(request, conflict, _values(conflict.current))
    said = (
        "is disabled: they are signed out and cannot sign in."
        if disabled
        else "is enabled: they can sign in again."
    )
    return done(request, f"{account.username}'s account {said}", f"/admin/users/{account.id}")


@router.post("/users/{account_id}/disable", response_class=HTMLResponse)
def disable_user(
    request: Request, viewer: Admin, account_id: str, csrf: Token = "", version: Text = ""
) -> Response:
    return _set_disabled(request, viewer, account_id, csrf, version, disabled=True)


@router.post("/users/{account_id}/enable", response_class=HTMLResponse)
def enable_user(
    request: Request, viewer: Admin, account_id: str, csrf: Token = "", version: Text = ""
) -> Response:
    return _set_disabled(request, viewer, account_id, csrf, version, disabled=False)


@router.post("/users/{account_id}/end-sessions", response_class=HTMLResponse)
def end_user_sessions(
    request: Request, viewer: Admin, account_id: str, csrf: Token = ""
) -> Response:
    check_csrf(request, csrf)
    account = _account(request, account_id)
    # Administrators signing themselves out everywhere stay signed in here.
    keep = session_of(request).digest if account.username == viewer.username else None
    username, ended = account_changes.end_account_sessions(
        store_of(request), account.id, viewer.username, keep=keep
    )
    sessions = "1 session" if ended == 1 else f"{ended} sessions"
    elsewhere = " elsewhere" if keep else ""
    return done(
        request,
        f"{username} was signed out of {sessions}{elsewhere}.",
        f"/admin/users/{account.id}",
    )


@router.post("/users/{account_id}/unlock", response_class=HTMLResponse)
def unlock_user(request: Request, viewer: Admin, account_id: str, csrf: Token = "") -> Response:
    check_csrf(request, csrf)
    account = _account(request, account_id)
    username = account_changes.clear_failed_sign_ins(store_of(request), account.id, viewer.username)
    return done(
        request,
        f"{username}'s failed sign-ins are cleared: they can sign in at once.",
        "/admin/users",
    )


def _confirm_page(
    request: Request,
    template: str,
    account: AccountRecord,
    problems: Problems | None = None,
    status_code: int | None = None,
) -> Response:
    context: dict[str, Any] = {"account": account, "problems": problems}
    return page(request, template, context, status_code or (400 if problems else 200))


def _confirmed(
    request: Request,
    template: str,
    account: AccountRecord,
    change: Callable[[], str],
    said: str,
    target: str,
    *,
    beside: str,
) -> Response:
    """Make a change confirmed on its own page, which says `said` of the username it returns.
    A refusal comes back on that page; a change someone made meanwhile shows the account as
    it is now (409), the message beside the field `beside`."""
    try:
        username = change()
    except AccountRefused as refused:
        return _confirm_page(request, template, account, _problems(refused))
    except AccountChangedMeanwhile as conflict:
        problems = Problems()
        problems.add(beside, str(conflict))
        current = _account(request, str(account.id))
        return _confirm_page(request, template, current, problems, 409)
    return done(request, said.format(username=username), target)


@router.get("/users/{account_id}/password", response_class=HTMLResponse)
def password_form(request: Request, viewer: Admin, account_id: str) -> Response:
    return _confirm_page(request, "admin_user_password.html", _account(request, account_id))


@router.post("/users/{account_id}/password", response_class=HTMLResponse)
def reset_password(
    request: Request,
    viewer: Admin,
    account_id: str,
    csrf: Token = "",
    version: Text = "",
    password: Text = "",
) -> Response:
    check_csrf(request, csrf)
    account = _account(request, account_id)
    return _confirmed(
        request,
        "admin_user_password.html",
        account,
        lambda: account_changes.reset_password(
            store_of(request), account.id, _version(version), password, viewer.username
        ),
        "{username} has a new password and has been signed out everywhere.",
        f"/admin/users/{account.id}",
        beside="password",
    )


@router.get("/users/{account_id}/delete", response_class=HTMLResponse)
def delete_form(request: Request, viewer: Admin, account_id: str) -> Response:
    return _confirm_page(request, "admin_user_delete.html", _account(request, account_id))


@router.post("/users/{account_id}/delete", response_class=HTMLResponse)
def delete_user(
    request: Request,
    viewer: Admin,
    account_id: str,
    csrf: Token = "",
    version: Text = "",
    confirm: Text = "",
) -> Response:
    check_csrf(request, csrf)
    account = _account(request, account_id)
    if confirm == "no":
        return RedirectResponse(f"/admin/users/{account.id}", status_code=303)
    if confirm != "yes":
        problems = Problems()
        problems.add("confirm", f"Select whether to delete {account.username}'s account")
        return _confirm_page(request, "admin_user_delete.html", account, problems)
    return _confirmed(
        request,
        "admin_user_delete.html",
        account,
        lambda: account_changes.remove_account(
            store_of(request), account.id, _version(version), viewer.username
        ),
        "{username}'s account was deleted.",
        "/admin/users",
        beside="confirm",
    )
