"""A limit on the size of what anyone may send: no form or API body needs more than 1 MiB.

A server that reads whatever it is sent can be made to hold gigabytes for one request. A body
declared larger than the limit is refused before it is read; one that grows past it while it
is read is refused as soon as it does.
"""

from __future__ import annotations

import json

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LARGEST_BODY = 1024 * 1024  # bytes: the points document, the largest form, is under 100 kB


class _TooLarge(Exception):
    pass


class BodyLimit:
    def __init__(self, app: ASGIApp, largest: int = LARGEST_BODY) -> None:
        self.app = app
        self.largest = largest

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.largest:
            await _refuse(scope, send)
            return
        received = 0
        exceeded = replaced = False

        async def counted() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.largest:
                    exceeded = True
                    raise _TooLarge
            return message

        async def answering(message: Message) -> None:
            # Whatever the application made of the cut-off body (a form it could not read,
            # say), the answer is that it was too large.
            nonlocal replaced
            if not exceeded:
                await send(message)
            elif message["type"] == "http.response.start" and not replaced:
                replaced = True
                await _refuse(scope, send)

        try:
            await self.app(scope, counted, answering)
        except _TooLarge:
            if not replaced:
                await _refuse(scope, send)


async def _refuse(scope: Scope, send: Send) -> None:
    words = f"Too much was sent: the most this service accepts is {LARGEST_BODY // 1024} KiB."
    api = str(scope.get("path", "")).startswith("/api/")
    body = json.dumps({"detail": words}).encode() if api else words.encode()
    kind = b"application/json" if api else b"text/plain; charset=utf-8"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def install(app: FastAPI) -> None:
    app.add_middleware(BodyLimit)
