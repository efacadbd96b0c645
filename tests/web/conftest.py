"""The application over a store holding the test snapshot, and a signed-in national user."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.case_folders import write_folder
from tests.web.sessions import PASSWORD, signed_in
from wmt.domain.access import Role
from wmt.services.accounts import add_user
from wmt.services.importing import import_case_folder
from wmt.store.transactions import Store
from wmt.web.app import create_app


@pytest.fixture
def app(store: Store, tmp_path: Path) -> FastAPI:
    import_case_folder(store, write_folder(tmp_path / "s"))
    add_user(store, "nat", PASSWORD, Role.NATIONAL, "national")
    return create_app(store, secret_key="test")


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver") as client:
        yield signed_in(client, "nat")
