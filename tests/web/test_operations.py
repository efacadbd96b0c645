"""Health, readiness, metrics, the request log and the 500 page, over the real application."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text

from tests import html
from tests.case_folders import replace_line, write_folder
from tests.web.sessions import read_page
from wmt import logs
from wmt.errors import InputRejected, WmtError
from wmt.services.importing import import_case_folder
from wmt.store.database import SCHEMA_REVISION
from wmt.store.transactions import Store
from wmt.web.app import create_app
from wmt.web.headers import CONTENT_SECURITY_POLICY

LOOPBACK = ("127.0.0.1", 50000)
TOKEN = "a-metrics-token-long-enough-to-be-safe"
# What must never reach a log line or a metric label: codes, names and dates of the snapshot.
PERSONAL = ("T1", "S1", "S2", "Ada", "Brown", "Carter", "X000001", "2026-11-20", "nat")
# Fields whose values are the log's own (a time, a random id), not what a request carried.
OWN_FIELDS = ("timestamp", "request_id")


def written_values(lines: list[dict[str, Any]]) -> str:
    """Every value the log lines carry, but their own time and id, as one text."""
    return json.dumps(
        [{key: value for key, value in line.items() if key not in OWN_FIELDS} for line in lines]
    )


Scrape = dict[str, list[tuple[dict[str, str], float]]]


def scraped(client: TestClient, **headers: str) -> Scrape:
    """Every sample of a scrape, by metric sample name: (labels, value)."""
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    samples: Scrape = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def value(samples: Scrape, name: str, **labels: str) -> float:
    found = [v for found, v in samples.get(name, []) if labels.items() <= found.items()]
    assert len(found) == 1, (name, labels, samples.get(name))
    return found[0]


@pytest.fixture
def local(app: FastAPI) -> Iterator[TestClient]:
    """A client on this machine, not signed in (as a monitoring agent would be)."""
    with TestClient(app, base_url="https://testserver", client=LOOPBACK) as client:
        yield client


@pytest.fixture
def log_lines(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The JSON log lines written to standard error since the last call."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    logs.configure("json", "info")
    capsys.readouterr()

    def read() -> list[dict[str, Any]]:
        err = capsys.readouterr().err
        return [json.loads(line) for line in err.splitlines() if line.startswith("{")]

    yield read
    root.handlers = handlers
    root.setLevel(level)


def test_health_reads_nothing_and_readiness_says_the_database_is_unreachable() -> None:
    unreachable = Store(create_engine("postgresql+psycopg://wmt@127.0.0.1:1/wmt"))
    with TestClient(create_app(unreachable)) as client:
        health = client.get("/healthz")
        assert (health.status_code, health.json()) == (200, {"status": "ok"})
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json() == {"status": "not ready", "reason": "database unreachable"}


def test_readiness_needs_the_newest_schema(app: FastAPI, store: Store) -> None:
    with TestClient(app) as anyone:  # not signed in
        ready = anyone.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ready", "schema_revision": SCHEMA_REVISION}
        with store.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '0007'"))
        behind = anyone.get("/readyz")
        assert behind.status_code == 503
        assert behind.json()["status"] == "not ready"
        assert behind.json()["reason"] == (
            f"schema at revision 0007, behind {SCHEMA_REVISION}; run `wmt db upgrade`"
        )
        assert anyone.get("/healthz").status_code == 200


def test_latency_is_labelled_by_route_template_never_by_code_or_name(
    app: FastAPI, client: TestClient, local: TestClient
) -> None:
    for url in (
        "/team/T1/overview",
        "/national/national/overview?sort=surname",
        "/practitioner/S1/overview",
        "/team/NOPE/overview",
        "/static/wmt.css",
        "/healthz",
        "/readyz",
    ):
        client.get(url)
    samples = scraped(local)
    counts = "wmt_http_request_duration_seconds_count"
    assert value(samples, counts, route="/{level}/{code}/overview", status="2xx") == 2
    assert value(samples, counts, route="/{level}/{code}/overview", status="4xx") == 1
    assert value(samples, counts, route="/practitioner/{staff_code}/overview") == 1
    assert value(samples, counts, route="/static/{path}", method="GET") == 1
    routes = {labels["route"] for labels, _ in samples[counts]}
    assert not routes & {"/healthz", "/readyz", "/metrics"}  # probes are not user traffic
    every_label = {v for name in samples for labels, _ in samples[name] for v in labels.values()}
    assert not [label for label in every_label for word in PERSONAL if word in label]
    assert value(samples, "wmt_http_requests_in_progress") == 1  # the scrape itself


def test_metrics_are_read_from_this_machine_or_with_the_token(
    app: FastAPI, store: Store, local: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TestClient(app) as elsewhere:
        refused = elsewhere.get("/metrics")
        assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    proxied = local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 401  # through a proxy on this machine: from elsewhere
    monkeypatch.setenv("WMT_METRICS_TOKEN", TOKEN)
    with TestClient(create_app(store)) as monitoring:
        assert scraped(monitoring, Authorization=f"Bearer {TOKEN}")["wmt_store_readable"]
        wrong = monitoring.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}x"})
        assert wrong.status_code == 401
    monkeypatch.setenv("WMT_METRICS_TOKEN", "short")
    with pytest.raises(WmtError, match="at least 24 characters"):
        create_app(store)


def test_imports_and_the_newest_snapshot_are_in_the_metrics(
    store: Store, local: TestClient, tmp_path: Path
) -> None:
    broken = replace_line("cases.csv", "community,A3", "community,Z9")
    with pytest.raises(InputRejected):
        import_case_folder(store, write_folder(tmp_path / "broken", broken))
    samples = scraped(local)
    assert value(samples, "wmt_import_runs_last_day", outcome="imported") == 1
    assert value(samples, "wmt_import_runs_last_day", outcome="refused") == 1
    assert value(samples, "wmt_import_runs_last_day", outcome="failed") == 0
    assert value(samples, "wmt_import_last_outcome", outcome="refused") == 1
    assert value(samples, "wmt_import_last_outcome", outcome="imported") == 0
    last_success = value(samples, "wmt_import_last_success_timestamp_seconds")
    assert last_success < value(samples, "wmt_import_last_finished_timestamp_seconds")
    assert 0 <= value(samples, "wmt_import_last_duration_seconds") < 60
    newest = datetime(2026, 11, 20, tzinfo=UTC).timestamp()
    assert value(samples, "wmt_snapshot_newest_date_timestamp_seconds") == newest
    age = (date.today() - date(2026, 11, 20)).days
    assert value(samples, "wmt_snapshot_newest_age_days") == age
    assert value(samples, "wmt_snapshot_stale_after_days") == 3
    assert value(samples, "wmt_snapshot_stale") == (1 if age > 3 else 0)
    assert value(samples, "wmt_sessions_signed_in") == 0
    assert value(samples, "wmt_store_readable") == 1


def test_signed_in_sessions_are_counted(client: TestClient, local: TestClient) -> None:
    assert value(scraped(local), "wmt_sessions_signed_in") == 1


def test_each_request_is_logged_once_by_its_template_with_its_request_id(
    client: TestClient, log_lines: Callable[[], list[dict[str, Any]]]
) -> None:
    log_lines()
    given = {"X-Request-ID": "probe-2026.12.03_1"}
    response = client.get("/team/T1/overview?sort=surname&as_of=2026-11-20", headers=given)
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "probe-2026.12.03_1"
    lines = [line for line in log_lines() if line.get("request_id") == "probe-2026.12.03_1"]
    [request] = [line for line in lines if line["event"] == "request"]
    assert {key: request[key] for key in ("method", "route", "status", "pid", "level")} == {
        "method": "GET",
        "route": "/{level}/{code}/overview",
        "status": 200,
        "pid": os.getpid(),
        "level": "info",
    }
    assert isinstance(request["duration_ms"], float) and request["duration_ms"] > 0
    written = written_values(lines)
    assert not [word for word in (*PERSONAL, "surname", "as_of") if word in written]


def test_an_unsafe_request_id_is_replaced(
    client: TestClient, log_lines: Callable[[], list[dict[str, Any]]]
) -> None:
    for unsafe in ("<script>", "x" * 65, "two words", ""):
        response = client.get("/healthz", headers={"X-Request-ID": unsafe})
        made = response.headers["x-request-id"]
        assert made != unsafe and len(made) == 32 and int(made, 16) >= 0
    client.get("/healthz")
    assert not [line for line in log_lines() if line["event"] == "request"]  # debug only


def test_an_unhandled_error_is_a_plain_500_inside_the_security_headers(
    app: FastAPI, log_lines: Callable[[], list[dict[str, Any]]]
) -> None:
    def explode() -> None:
        raise RuntimeError("S1 Ada Brown holds X000001")

    app.add_api_route("/explode", explode)
    app.add_api_route("/api/explode", explode)
    log_lines()
    with TestClient(app, base_url="https://testserver") as client:
        page = client.get("/explode")
        api = client.get("/api/explode")
    assert page.status_code == 500 and api.status_code == 500
    for response in (page, api):
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-store"
        assert "strict-transport-security" in response.headers
    assert read_page(page).heading == "Sorry, there is a problem with the service"
    reference = [strong.text for strong in html.main(page).find_all("strong")]
    assert reference == [page.headers["x-request-id"]]
    assert api.json() == {
        "detail": "Sorry, there is a problem with the service. "
        f"Reference: {api.headers['x-request-id']}"
    }
    lines = log_lines()
    errors = [line for line in lines if line["event"] == "unhandled error"]
    assert [(line["route"], line["error_type"]) for line in errors] == [
        ("/explode", "builtins.RuntimeError"),
        ("/api/explode", "builtins.RuntimeError"),
    ]
    assert errors[0]["request_id"] == page.headers["x-request-id"]
    assert any(frame.endswith("in explode") for frame in errors[0]["traceback"][0]["frames"])
    assert not [word for word in PERSONAL if word in written_values(lines)]


def signal_rows(client: TestClient, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    return html.table_rows(response)


def test_figures_out_of_date_are_a_signal_until_a_new_snapshot_arrives(
    client: TestClient, store: Store, local: TestClient, tmp_path: Path
) -> None:
    old = date.today() - timedelta(days=10)
    import_case_folder(store, write_folder(tmp_path / "old", {"snapshot.txt": f"{old}\n"}))
    stale = [row for row in signal_rows(client, "/team/T2/signals") if "out of date" in row[0]]
    assert len(stale) == 1
    assert stale[0][0] == "Figures out of date" and stale[0][3] == "10"
    assert f"the newest snapshot is of {old}, 10 days before {date.today()}" in stale[0][5]
    assert value(scraped(local), "wmt_snapshot_stale") == 1
    assert local.get("/readyz").status_code == 200  # old figures are not unreadiness
    today = date.today()
    import_case_folder(store, write_folder(tmp_path / "new", {"snapshot.txt": f"{today}\n"}))
    rows = signal_rows(client, "/team/T2/signals")
    assert not [row for row in rows if "out of date" in row[0]]
    looking_back = signal_rows(client, f"/team/T2/signals?as_of={old}")
    assert not [row for row in looking_back if "out of date" in row[0]]
    samples = scraped(local)
    assert value(samples, "wmt_snapshot_stale") == 0
    assert value(samples, "wmt_snapshot_newest_age_days") == 0
