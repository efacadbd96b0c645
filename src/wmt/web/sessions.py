"""Sessions: who is signed in, and what a form or a page keeps between requests.

`request.session` is a dict, as with Starlette's own sessions, but it is kept in the store
(`wmt.services.sessions`): the browser holds only a random token, in an HttpOnly, SameSite=Lax
cookie that is Secure unless WMT_INSECURE_COOKIES=1 and lasts until the browser closes. Every
server process reads the same rows, so signing out ends a session everywhere, at once.

The session is read once per request, with its account, and written back only when what it
holds has changed. A browser that has not signed in gets a row only once something is kept
for it (the sign-in form's token, an organisation sign-in in progress).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wmt.domain.clock import utc_now
from wmt.services import sessions
from wmt.services.sessions import SessionAccount, SessionPolicy, StoredSession
from wmt.services.sign_in import forget_old_failures
from wmt.store.transactions import Store
from wmt.web.consistency import store_of

COOKIE = "wmt_session"
# Static files never use the session: reading one for each would cost a query per file.
ASSET_PATHS = ("/static/", "/assets/", "/govuk/", "/moj/")
# How often a server process removes sessions that have ended by time.
PRUNE_EVERY = timedelta(minutes=5)
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,100}")

Clock = Callable[[], datetime]


class ServerSession(dict[str, Any]):
    """`request.session`: the session's small data, and the account it is signed in to."""

    def __init__(self, stored: StoredSession | None = None, *, stale_cookie: bool = False) -> None:
        super().__init__(stored.data if stored is not None else {})
        self.digest = stored.digest if stored is not None else None
        self.account: SessionAccount | None = stored.account if stored is not None else None
        self.saved = sessions.encoded(self)
        self.new_token: str | None = None  # a token to send to the browser with this response
        self.forget_cookie = stale_cookie  # the browser's cookie opens nothing: drop it

    @property
    def changed(self) -> bool:
        return sessions.encoded(self) != self.saved


def session_of(request: HTTPConnection) -> ServerSession:
    session = request.scope.get("session")
    assert isinstance(session, ServerSession), "ServerSessions middleware is not installed"
    return session


def clock_of(request: Request) -> datetime:
    """Now, as sessions and sign-in count time (UTC)."""
    clock: Clock = request.app.state.clock
    return clock()


def client_address(request: Request) -> str:
    """The client's address as the server saw it. Behind a proxy, uvicorn's --proxy-headers
    replaces it with the one in X-Forwarded-For, trusted only from FORWARDED_ALLOW_IPS."""
    return request.client.host if request.client is not None else "unknown"


def start_signed_in(request: Request, account: SessionAccount) -> None:
    """A new session for the person who has just signed in, under a new token; the session
    before it is dropped, with whatever it held."""
    session = session_of(request)
    token = sessions.new_token()
    data = {"csrf": secrets.token_urlsafe(32)}
    sessions.begin_signed_in(
        store_of(request), session.digest, token, account.account_id, data, clock_of(request)
    )
    session.clear()
    session.update(data)
    session.digest = sessions.token_digest(token)
    session.account = account
    session.saved = sessions.encoded(session)
    session.new_token = token


def end(request: Request) -> None:
    """Sign out: the session's row goes, and the browser is told to drop its cookie."""
    session = session_of(request)
    if session.digest is not None:
        sessions.end_session(store_of(request), session.digest)
    session.clear()
    session.digest = session.account = session.new_token = None
    session.saved = sessions.encoded(session)
    session.forget_cookie = True


class ServerSessions:
    """Gives every request its session from the store, and keeps what changed."""

    def __init__(
        self, app: ASGIApp, *, store: Store, policy: SessionPolicy, clock: Clock, secure: bool
    ) -> None:
        self.app = app
        self.store = store
        self.policy = policy
        self.clock = clock
        self.flags = "Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
        self._pruned_at: datetime | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(ASSET_PATHS):
            scope["session"] = ServerSession()
            await self.app(scope, receive, send)
            return
        token = HTTPConnection(scope).cookies.get(COOKIE)
        stored = await run_in_threadpool(self._open, token) if token else None
        session = ServerSession(stored, stale_cookie=bool(token) and stored is None)
        scope["session"] = session

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = await run_in_threadpool(self._settle, session)
                if cookie is not None:
                    MutableHeaders(scope=message).append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _open(self, token: str) -> StoredSession | None:
        """The session the token opens, noting the visit at most once a minute."""
        if not _TOKEN_SHAPE.fullmatch(token):
            return None
        now = self.clock()
        stored = sessions.find_session(self.store, token, self.policy, now)
        if stored is not None and stored.due_to_be_seen(now):
            sessions.note_seen(self.store, stored.digest, now)
        self._prune_now_and_then(now)
        return stored

    def _settle(self, session: ServerSession) -> str | None:
        """Keep what changed before the response goes; the Set-Cookie value, if any."""
        if session.new_token is not None:  # signed in during this request
            if session.changed and session.digest is not None:
                sessions.save_data(self.store, session.digest, session)
            return self._cookie(session.new_token)
        if session.digest is None:
            if not session:
                return self._forgotten() if session.forget_cookie else None
            now = self.clock()
            token = sessions.new_token()
            sessions.create_session(self.store, token, session, now)
            self._prune_now_and_then(now)
            return self._cookie(token)
        if not session.changed:
            return None
        if not session and session.account is None:  # nothing left to keep for a visitor
            sessions.end_session(self.store, session.digest)
            return self._forgotten()
        sessions.save_data(self.store, session.digest, session)
        return None

    def _cookie(self, token: str) -> str:
        return f"{COOKIE}={token}; {self.flags}"

    def _forgotten(self) -> str:
        return f"{COOKIE}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; {self.flags}"

    def _prune_now_and_then(self, now: datetime) -> None:
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        sessions.prune_sessions(self.store, self.policy, now)
        forget_old_failures(self.store, now)


def install(
    app: FastAPI,
    store: Store,
    *,
    policy: SessionPolicy | None = None,
    clock: Clock | None = None,
) -> None:
    """Give every request a session (`request.session`), kept in the store."""
    app.state.clock = clock or utc_now
    app.state.session_policy = policy or SessionPolicy.from_environment(os.environ)
    app.add_middleware(
        ServerSessions,
        store=store,
        policy=app.state.session_policy,
        clock=app.state.clock,
        secure=os.environ.get("WMT_INSECURE_COOKIES") != "1",
    )
