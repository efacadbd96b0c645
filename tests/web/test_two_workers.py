"""Server workers over one store: a change made through one is seen at once through another,
whatever either has kept of the figures it worked out before."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.web.sessions import PASSWORD, signed_in
from wmt.domain.access import Role
from wmt.services.accounts import add_user
from wmt.store import schema
from wmt.store.database import open_store
from wmt.store.transactions import Store
from wmt.web.app import create_app

REDUCTION = {
    "team_code": "T1",
    "reason": "Court duty",
    "hours": "30",
    "start_date": "2026-11-01",
    "end_date": None,
    "notes": None,
}


def _signals(client: TestClient) -> list[tuple[str, str | None]]:
    response = client.get("/api/national/national/signals")
    assert response.status_code == 200, response.text
    return sorted((row["signal"], row["team_code"]) for row in response.json()["rows"])


def _results_version(store: Store) -> int:
    with store.reading() as connection:
        return int(connection.execute(select(schema.Snapshot.results_version)).scalar_one())


def test_an_edit_through_one_worker_changes_the_signals_another_worker_shows(
    app: FastAPI, store: Store, database_url: str, tmp_path: Path
) -> None:
    add_user(store, "manager", PASSWORD, Role.TEAM_MANAGER, "T1")
    other_store = open_store(database_url)  # the second worker's own connections and cache
    try:
        other = create_app(other_store)
        with (
            signed_in(TestClient(app, base_url="https://testserver"), "manager") as first,
            signed_in(TestClient(other, base_url="https://testserver"), "nat") as second,
        ):
            before = _signals(second)
            assert _signals(second) == before and len(other_store.figures) == 1  # kept
            assert ("team imbalance", "T1") not in before
            version = _results_version(store)

            added = first.post("/api/practitioner/S1/reductions", json=REDUCTION)
            assert added.status_code == 201, added.text

            assert _results_version(store) == version + 1
            assert _signals(second) == sorted([*before, ("team imbalance", "T1")])
    finally:
        other_store.engine.dispose()
