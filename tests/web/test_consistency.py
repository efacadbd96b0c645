"""Each request reads one state of the store and gives its connection back when it ends."""

from __future__ import annotations

import threading
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.case_folders import VALID_FILES, write_folder
from tests.web.sessions import signed_in
from wmt.services.importing import import_case_folder
from wmt.store.transactions import Store

PATHS = (
    "/national/national/overview",
    "/team/T1/overview",
    "/practitioner/S1/overview",
    "/team/T1/overview?download=csv",
    "/api/national/national/overview",
    "/team/NOPE/overview",
    "/national/national/overview?as_of=2001-01-01",
    "/sign-in",
)


def test_every_request_gives_its_connection_back(app: FastAPI, store: Store) -> None:
    with TestClient(app, base_url="https://testserver") as client:
        signed_in(client, "nat")
        for path in PATHS:
            client.get(path)
    assert store.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_readers_of_the_api_see_whole_snapshots_while_the_date_is_replaced(
    app: FastAPI, store: Store, tmp_path: Path
) -> None:
    # A second version of the date without S2's cases: each read must be one version or the
    # other, its summary agreeing with its rows, never a page with a snapshot half gone.
    without_s2 = "".join(
        line + "\n" for line in VALID_FILES["cases.csv"].splitlines() if ",S2," not in line
    )
    versions = [
        write_folder(tmp_path / "a"),
        write_folder(tmp_path / "b", {"cases.csv": without_s2}),
    ]
    seen: list[tuple[int, int]] = []
    failures: list[str] = []
    stop = threading.Event()

    def read() -> None:
        with TestClient(app, base_url="https://testserver") as client:
            signed_in(client, "nat")
            while not stop.is_set():
                response = client.get("/api/team/T1/overview")
                if response.status_code != 200:
                    failures.append(f"{response.status_code}: {response.text[:200]}")
                    continue
                body = response.json()
                rows = sum(row["caseload"] for row in body["children"])
                seen.append((body["summary"]["caseload"], rows))

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for round_ in range(6):
            import_case_folder(store, versions[round_ % 2])
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=60)
    assert failures == []
    assert seen
    assert all(summary == rows for summary, rows in seen)
