"""The application over a store holding the test snapshot, and a signed-in national user.

The application reads a test clock (`clock`) rather than the real one, so sessions and
sign-in limits that depend on time are tested by moving the clock on, never by waiting.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.case_folders import write_folder
from tests.web.sessions import PASSWORD, Clock, signed_in
from wmt.domain.access import Role
from wmt.domain.clock import utc_now
from wmt.services.accounts import add_user
from wmt.services.importing import import_case_folder
from wmt.store.transactions import Store
from wmt.web.app import create_app


@pytest.fixture
def clock() -> Clock:
    return Clock(utc_now().replace(microsecond=0))


@pytest.fixture
def app(store: Store, tmp_path: Path, clock: Clock) -> FastAPI:
    import_case_folder(store, write_folder(tmp_path / "s"))
    add_user(store, "nat", PASSWORD, Role.NATIONAL, "national")
    return create_app(store, clock=clock)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver") as client:
        yield signed_in(client, "nat")
