"""What an operator needs of a running server: health, readiness, metrics and request logs.

`/healthz` reads nothing; `/readyz` checks the database answers at the newest schema (old
figures are not unreadiness); `/metrics` answers this machine, not through a proxy, or a
bearer token (WMT_METRICS_TOKEN). Every request is logged once by its route template, with a
request id sent back in X-Request-ID; an error nobody handled is logged by type and place and
answered with a plain 500 inside the security headers. Probes and scrapes are left out of the
request metrics (they would flatter the pages' latency) and logged at debug level.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime

import structlog
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wmt.domain.clock import utc_now
from wmt.errors import WmtError
from wmt.logs import error_fields, get_logger
from wmt.services.backup import schema_status
from wmt.services.importing import OUTCOMES, ImportActivity, import_activity
from wmt.services.signals import Freshness, freshness
from wmt.services.signed_in import sessions_signed_in
from wmt.store.transactions import Store

TOKEN_VARIABLE = "WMT_METRICS_TOKEN"
SHORTEST_TOKEN = 24
REQUEST_ID_HEADER = "X-Request-ID"
# A caller's request id is kept only if it is a short, plain token; anything else is replaced.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
OPERATOR_ROUTES = ("/healthz", "/readyz", "/metrics")
_LOOPBACK = re.compile(r"127(\.\d{1,3}){3}|::1|::ffff:127(\.\d{1,3}){3}")
_FORWARDING_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")

_log = get_logger("wmt.requests")
router = APIRouter(include_in_schema=False)


def metrics_token(environment: Mapping[str, str]) -> str | None:
    """WMT_METRICS_TOKEN, if set; a token short enough to guess is refused."""
    token = environment.get(TOKEN_VARIABLE, "").strip()
    if not token:
        return None
    if len(token) < SHORTEST_TOKEN:
        raise WmtError(
            f"{TOKEN_VARIABLE} must be at least {SHORTEST_TOKEN} characters; make one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return token


def request_id_of(headers: Headers) -> str:
    """The caller's X-Request-ID when it is a safe short token, else a new one."""
    given = headers.get(REQUEST_ID_HEADER, "")
    return given if _SAFE_REQUEST_ID.fullmatch(given) else secrets.token_hex(16)


def route_template(scope: Scope) -> str:
    """The route as declared (`/{level}/{code}/{view}`), never the path asked for."""
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str):
        return path
    # Front-end files are served by mounts, which leave their prefix in the root path.
    mounted = str(scope.get("root_path", ""))[len(str(scope.get("app_root_path", ""))) :]
    return f"{mounted}/{{path}}" if mounted else "unmatched"


def _may_read_metrics(request: Request) -> bool:
    token: str | None = request.app.state.metrics_token
    given = request.headers.get("authorization", "")
    if token is not None and secrets.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    # A request a proxy passed on is not from this machine, whatever address it arrived from.
    forwarded = any(name in request.headers for name in _FORWARDING_HEADERS)
    host = request.client.host if request.client is not None else ""
    return not forwarded and _LOOPBACK.fullmatch(host) is not None


# Request latency buckets, in seconds, around the targets for a page (half a second to one).
_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0, 10.0)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
_LIVE_FILE = re.compile(r"gauge_live\w*?_(\d+)\.db")


def _multiprocess_folder() -> str | None:
    """Where the server processes keep their metrics (set by `wmt serve` with workers)."""
    return os.environ.get(_MULTIPROCESS_VARIABLE) or None


class RequestMetrics:
    """Request latency by route template, method and status class, and requests in progress.

    Labels never hold a path as asked for, so no code or name reaches the metrics.
    """

    def __init__(self, registry: CollectorRegistry | None) -> None:
        self.registry = registry
        self.latency = Histogram(
            "wmt_http_request_duration_seconds",
            "Time to answer a request, by route template, method and status class.",
            ("route", "method", "status"),
            buckets=_BUCKETS,
            registry=registry,
        )
        self.in_progress = Gauge(
            "wmt_http_requests_in_progress",
            "Requests being answered now.",
            registry=registry,
            multiprocess_mode="livesum",
        )

    @classmethod
    def for_this_process(cls) -> RequestMetrics:
        """Kept in this app's own registry, or in the shared folder of every server process."""
        disable_created_metrics()  # type: ignore[no-untyped-call]
        return cls(None if _multiprocess_folder() else CollectorRegistry(auto_describe=True))

    @staticmethod
    def method_label(method: str) -> str:
        return method if method in _METHODS else "other"

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        self.latency.labels(route, method, f"{status // 100}xx").observe(seconds)


def _gauge(name: str, help_text: str, value: float | None) -> Iterator[Metric]:
    if value is not None:
        yield GaugeMetricFamily(name, help_text, value=value)


def _unix_time(moment: datetime) -> float:
    """A UTC time as the store keeps it (no zone) in seconds since 1970."""
    return moment.replace(tzinfo=UTC).timestamp()


class StoreCollector(Collector):
    """What the store says at the moment of a scrape: imports, the newest figures, sessions."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        store = self.app.state.store
        now = self.app.state.clock() if hasattr(self.app.state, "clock") else utc_now()
        try:
            activity = import_activity(store, utc_now())
            fresh = freshness(store, date.today())
            signed_in = self._signed_in(store, now)
        except SQLAlchemyError as error:
            _log.warning("metrics not read from the store", **error_fields(error))
            yield GaugeMetricFamily("wmt_store_readable", "1 if the store answered.", value=0)
            return
        yield GaugeMetricFamily("wmt_store_readable", "1 if the store answered.", value=1)
        yield from self._imports(activity)
        yield from self._freshness(fresh)
        if signed_in is not None:
            yield GaugeMetricFamily(
                "wmt_sessions_signed_in", "Signed-in sessions in use.", value=signed_in
            )

    def _signed_in(self, store: Store, now: datetime) -> int | None:
        policy = getattr(self.app.state, "session_policy", None)
        if policy is None:
            return None
        return sessions_signed_in(store, policy, now)

    @staticmethod
    def _imports(activity: ImportActivity) -> Iterator[Metric]:
        last = activity.last
        if last is not None:
            yield from _gauge(
                "wmt_import_last_finished_timestamp_seconds",
                "When the last import attempt finished.",
                _unix_time(last.finished_at),
            )
            yield from _gauge(
                "wmt_import_last_duration_seconds",
                "How long the last import attempt took.",
                last.duration_seconds,
            )
            outcome = GaugeMetricFamily(
                "wmt_import_last_outcome",
                "1 for the outcome of the last import attempt, 0 for the others.",
                labels=("outcome",),
            )
            for name in OUTCOMES:
                outcome.add_metric((name,), 1 if last.outcome == name else 0)
            yield outcome
        if activity.last_imported_at is not None:
            yield from _gauge(
                "wmt_import_last_success_timestamp_seconds",
                "When an import last stored a snapshot.",
                _unix_time(activity.last_imported_at),
            )
        runs = GaugeMetricFamily(
            "wmt_import_runs_last_day",
            "Import attempts that finished in the last 24 hours, by outcome.",
            labels=("outcome",),
        )
        for name in OUTCOMES:
            runs.add_metric((name,), activity.last_day.get(name, 0))
        yield runs

    @staticmethod
    def _freshness(fresh: Freshness) -> Iterator[Metric]:
        yield from _gauge(
            "wmt_snapshot_stale_after_days",
            "How many days old the newest snapshot may be before a signal says so.",
            fresh.stale_after_days,
        )
        if fresh.newest is None:
            return
        midnight = datetime.combine(fresh.newest, datetime.min.time())
        yield from _gauge(
            "wmt_snapshot_newest_date_timestamp_seconds",
            "The date of the newest snapshot (midnight UTC).",
            _unix_time(midnight),
        )
        yield from _gauge(
            "wmt_snapshot_newest_age_days",
            "How many days old the newest snapshot is.",
            fresh.age_days,
        )
        yield from _gauge(
            "wmt_snapshot_stale",
            "1 if the newest snapshot is older than allowed.",
            1 if fresh.stale else 0,
        )


class _Scrape(Collector):
    """Everything one scrape shows: every server process's requests, then the store."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        folder = _multiprocess_folder()
        requests: RequestMetrics = self.app.state.request_metrics
        if folder is not None:
            _forget_stopped_processes(folder)
            shared = CollectorRegistry()
            MultiProcessCollector(shared, path=folder)  # type: ignore[no-untyped-call]
            yield from shared.collect()
        elif requests.registry is not None:
            yield from requests.registry.collect()
        yield from StoreCollector(self.app).collect()


def _forget_stopped_processes(folder: str) -> None:
    """A server process that stopped no longer has requests in progress."""
    for file in os.listdir(folder):
        found = _LIVE_FILE.fullmatch(file)
        if found is None:
            continue
        pid = int(found.group(1))
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            mark_process_dead(pid, folder)  # type: ignore[no-untyped-call]
        except PermissionError:
            continue


def scrape(app: FastAPI) -> tuple[bytes, str]:
    """The metrics in Prometheus's text format, and its content type."""
    return generate_latest(_Scrape(app)), CONTENT_TYPE_LATEST


@router.get("/healthz")
def healthy() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def ready(request: Request) -> JSONResponse:
    try:
        status = schema_status(request.app.state.store)
    except SQLAlchemyError as error:
        _log.warning("not ready", **error_fields(error))
        return JSONResponse({"status": "not ready", "reason": "database unreachable"}, 503)
    if not status.up_to_date:
        return JSONResponse({"status": "not ready", "reason": status.describe()}, 503)
    return JSONResponse({"status": "ready", "schema_revision": status.current})


@router.get("/metrics")
def metrics(request: Request) -> Response:
    if not _may_read_metrics(request):
        return JSONResponse(
            {"detail": f"Metrics are read from this machine, or with {TOKEN_VARIABLE}."},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    body, content_type = scrape(request.app)
    return Response(body, media_type=content_type)


_SORRY_PAGE = """<!DOCTYPE html>
<html lang="en" class="govuk-template">
<head><meta charset="utf-8"><title>Sorry, there is a problem with the service – wmt</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/govuk/govuk-frontend.min.css"></head>
<body class="govuk-template__body"><div class="govuk-width-container">
<main class="govuk-main-wrapper" id="main-content">
<h1 class="govuk-heading-l">Sorry, there is a problem with the service</h1>
<p class="govuk-body">Nothing you were doing has been lost by this page: try again later.</p>
<p class="govuk-body">If it keeps happening, tell your service desk and give them this
reference: <strong>{request_id}</strong></p>
<p class="govuk-body"><a class="govuk-link" href="/">Go to your overview</a></p>
</main></div></body></html>
"""


def _sorry(scope: Scope, request_id: str) -> Response:
    """A plain 500 answer that needs nothing that may have failed (no session, no store)."""
    if str(scope.get("path", "")).startswith("/api/"):
        detail = f"Sorry, there is a problem with the service. Reference: {request_id}"
        return JSONResponse({"detail": detail}, status_code=500)
    return Response(_SORRY_PAGE.format(request_id=request_id), 500, media_type="text/html")


class RequestLog:
    """One log line and one latency observation per request, and the 500 page for errors."""

    def __init__(self, app: ASGIApp, *, metrics: RequestMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(Headers(scope=scope))
        started = time.perf_counter()
        status = 500
        responded = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                responded = True
                status = int(message["status"])
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            self.metrics.in_progress.inc()
            try:
                await self.app(scope, receive, send_with_id)
            except Exception as error:
                _log.error("unhandled error", route=route_template(scope), **error_fields(error))
                if responded:
                    raise
                await _sorry(scope, request_id)(scope, receive, send_with_id)
            finally:
                self.metrics.in_progress.dec()
                self._done(scope, status, time.perf_counter() - started)

    def _done(self, scope: Scope, status: int, seconds: float) -> None:
        route = route_template(scope)
        method = self.metrics.method_label(str(scope.get("method", "")))
        operator = route in OPERATOR_ROUTES
        if not operator:
            self.metrics.observe(route, method, status, seconds)
        level = "warning" if status >= 500 else "debug" if operator and status < 400 else "info"
        _log.log(
            _LEVELS[level],
            "request",
            method=method,
            route=route,
            status=status,
            duration_ms=round(seconds * 1000, 1),
        )


_LEVELS = {"debug": 10, "info": 20, "warning": 30}


def install(app: FastAPI) -> None:
    """Add the operator's routes and the request log around every request."""
    app.state.metrics_token = metrics_token(os.environ)
    metrics = RequestMetrics.for_this_process()
    app.state.request_metrics = metrics
    app.add_middleware(RequestLog, metrics=metrics)
    app.include_router(router)
