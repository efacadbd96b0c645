"""`wmt serve` with several processes: each opens the database and signs sessions alike."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.case_folders import write_folder
from tests.conftest import run_wmt


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_several_processes_serve_the_same_database(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'wmt.db'}"
    assert run_wmt("import", str(write_folder(tmp_path / "s")), db=db).exit_code == 0
    port = _free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WMT_")}
    server = subprocess.Popen(
        [sys.executable, "-m", "wmt", "serve", "--db", db, "--port", str(port), "--workers", "2"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline, page = time.monotonic() + 60, ""
        while time.monotonic() < deadline and not page:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=2) as r:
                    page = r.read().decode()
            except OSError:
                time.sleep(0.2)
        assert '<h1 class="govuk-heading-l">Sign in</h1>' in page
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_an_out_of_date_or_missing_database_is_refused_before_serving(tmp_path: Path) -> None:
    done = run_wmt("serve", "--workers", "2", db=str(tmp_path / "none" / "wmt.db"))
    assert done.exit_code == 1 and "Traceback" not in done.stderr
