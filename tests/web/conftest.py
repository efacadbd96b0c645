"""The application over a store holding the test snapshot, and a signed-in national user.

The application reads a test clock (`clock`) rather than the real one, so sessions and
sign-in limits that depend on time are tested by moving the clock on, never by waiting.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.case_folders import write_folder
from tests.conftest import copied_store
from tests.postgres_server import create_database
from tests.web.sessions import PASSWORD, Clock, signed_in
from wmt.domain.access import Role
from wmt.domain.clock import utc_now
from wmt.services.accounts import add_user
from wmt.services.importing import import_case_folder
from wmt.store.database import open_store
from wmt.store.transactions import Store
from wmt.web.app import create_app


@pytest.fixture
def clock() -> Clock:
    return Clock(utc_now().replace(microsecond=0))


def _hold_the_test_snapshot(url: str, folder: Path) -> None:
    """What every application test starts from: the test snapshot, and `nat` (national)."""
    filled = open_store(url)
    try:
        import_case_folder(filled, write_folder(folder))
        add_user(filled, "nat", PASSWORD, Role.NATIONAL, "national")
    finally:
        filled.engine.dispose()


@pytest.fixture(scope="session")
def imported_sqlite(migrated_sqlite: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("imported") / "wmt.db"
    shutil.copyfile(migrated_sqlite, path)
    _hold_the_test_snapshot(f"sqlite:///{path}", tmp_path_factory.mktemp("snapshot"))
    return path


@pytest.fixture(scope="session")
def imported_postgres(
    postgres_conninfo: str, migrated_postgres: str, tmp_path_factory: pytest.TempPathFactory
) -> str:
    name = f"wmt_imported_{os.getpid()}"
    url = create_database(postgres_conninfo, name, migrated_postgres)
    _hold_the_test_snapshot(url, tmp_path_factory.mktemp("snapshot"))
    return name


@pytest.fixture
def holding_the_test_snapshot() -> None:
    """Asked for (by `app`) to have `store` hold the test snapshot and `nat` from the start."""


@pytest.fixture
def store(database_url: str, request: pytest.FixtureRequest) -> Iterator[Store]:
    """For a test of the application (one using `app`), a store already holding the test
    snapshot and `nat`, copied from one made once per run (importing and hashing a password
    take longer than most tests); for any other test, an empty store as everywhere."""
    if "holding_the_test_snapshot" in request.fixturenames:
        yield from copied_store(database_url, request, "imported_sqlite", "imported_postgres")
    else:
        yield from copied_store(database_url, request, "migrated_sqlite", "migrated_postgres")


@pytest.fixture
def app(holding_the_test_snapshot: None, store: Store, clock: Clock) -> FastAPI:
    """The application over `store`, which holds the test snapshot and `nat`."""
    return create_app(store, clock=clock)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver") as client:
        yield signed_in(client, "nat")
