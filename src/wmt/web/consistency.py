"""Every request reads one consistent state of the store.

A page asks several questions of the store (who is signed in, where the unit sits, its
figures, its signals). If an import replaced the snapshot between two of them, the page
could find the snapshot gone or half its figures missing. So each request gets one read
transaction, opened at its first read and ended when the response has been sent.
"""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from wmt.store.transactions import ConsistentStore, Store

_KEY = "wmt_store"


def store_of(request: Request) -> ConsistentStore:
    """The store as this request sees it."""
    state = request.scope.setdefault("state", {})
    found = state.get(_KEY)
    if found is None:
        base: Store = request.app.state.store
        found = state[_KEY] = base.consistent()
    assert isinstance(found, ConsistentStore)
    return found


class ConsistentReads:
    """Ends each request's read transaction once the request is over."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            store = scope.get("state", {}).get(_KEY)
            if isinstance(store, ConsistentStore):
                await run_in_threadpool(store.close)
