"""Sessions: who is signed in, and what a form or a page keeps between requests."""

from __future__ import annotations

import os
import secrets

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware


def install(app: FastAPI, *, secret_key: str | None = None) -> None:
    """Give every request a session (`request.session`)."""
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key or os.environ.get("WMT_SECRET_KEY") or secrets.token_urlsafe(32),
        session_cookie="wmt_session",
        same_site="lax",
        https_only=os.environ.get("WMT_INSECURE_COOKIES") != "1",
    )
