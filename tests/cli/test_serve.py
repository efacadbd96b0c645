"""`wmt serve`: one process per core by default, each opening the same database, measured
together and logging alike."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.case_folders import write_folder
from tests.conftest import run_wmt
from tests.ports import free_port
from wmt.cli.operations import default_workers


def test_an_out_of_date_or_missing_database_is_refused_before_serving(tmp_path: Path) -> None:
    done = run_wmt("serve", "--workers", "2", db=str(tmp_path / "none" / "wmt.db"))
    assert done.exit_code == 1 and "Traceback" not in done.stderr


def test_one_worker_per_core_by_default_at_most_eight() -> None:
    assert [default_workers(n) for n in (0, 1, 2, 7, 8, 9, 64)] == [1, 1, 2, 7, 8, 8, 8]


def _get(url: str, deadline: float) -> bytes:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                body: bytes = response.read()
                return body
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_several_processes_serve_one_database_each_measured_and_logged(
    tmp_path: Path,
) -> None:
    db = f"sqlite:///{tmp_path / 'wmt.db'}"
    assert run_wmt("import", str(write_folder(tmp_path / "s")), db=db).exit_code == 0
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WMT_")}
    log = tmp_path / "serve.log"
    with log.open("w") as errors:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "wmt",
                "serve",
                "--db",
                db,
                "--port",
                str(port),
                "--workers",
                "2",
            ],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
    try:
        assert server.stdout is not None
        assert server.stdout.readline() == (
            f"Serving http://127.0.0.1:{port}/ with 2 worker processes (Ctrl+C stops)\n"
        )
        base, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 120
        assert json.loads(_get(f"{base}/readyz", deadline))["status"] == "ready"
        for _ in range(12):
            _get(f"{base}/sign-in?next=/team/T1/overview", deadline)
        scraped = text_string_to_metric_families(_get(f"{base}/metrics", deadline).decode())
        counts = {
            sample.labels["route"]: sample.value
            for family in scraped
            for sample in family.samples
            if sample.name == "wmt_http_request_duration_seconds_count"
        }
        assert counts == {"/sign-in": 12}  # every worker's requests; probes left out
    finally:
        server.terminate()
        server.wait(timeout=60)
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    requests = [line for line in lines if line["event"] == "request"]
    assert [(line["route"], line["status"]) for line in requests] == [("/sign-in", 200)] * 12
    assert server.pid not in {line["pid"] for line in requests}  # the workers answered
    assert not [line for line in lines if line["logger"] == "uvicorn.access"]
    # The query string is never logged (in any value but the log's own times and ids).
    carried = [value for line in lines for key, value in line.items() if key not in ("timestamp",)]
    assert not [value for value in carried if "T1" in str(value)]
