"""What an operator needs of a running server: health, readiness, metrics and request logs."""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Add the operator's routes and the request log around every request."""
