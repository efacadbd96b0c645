"""Shared fixtures: every store test runs on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, create_engine, select, text

from tests.postgres_server import create_database, running_server
from wmt.store.transactions import Store

_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres_conninfo() -> Iterator[str]:
    with running_server() as conninfo:
        yield conninfo


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'wmt.db'}"
    conninfo = request.getfixturevalue("postgres_conninfo")
    return create_database(conninfo, f"wmt_test_{os.getpid()}_{next(_counter)}")


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    from wmt.store.database import open_store

    opened = open_store(database_url)
    yield opened
    opened.engine.dispose()


# Every import attempt is written down, refused ones too; "nothing changed" means the rest.
ATTEMPT_LOG = ("import_run",)


def database_content(
    url: str, *, leave_out: tuple[str, ...] = ATTEMPT_LOG
) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order: equal content means nothing changed.

    The log of import attempts is left out unless `leave_out=()`: a refused import adds a row
    there and changes nothing else.
    """
    engine = create_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        content: dict[str, list[tuple[Any, ...]]] = {}
        with engine.connect() as connection:
            for name, table in sorted(metadata.tables.items()):
                if name in leave_out:
                    continue
                rows = connection.execute(select(table)).all()
                content[name] = sorted((tuple(row) for row in rows), key=repr)
            if engine.dialect.name == "postgresql":
                content["__sequences"] = [
                    tuple(row)
                    for row in connection.execute(
                        text("SELECT sequencename, last_value FROM pg_sequences ORDER BY 1")
                    )
                    if not any(row[0].startswith(f"{name}_") for name in leave_out)
                ]
        return content
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Completed:
    exit_code: int
    stdout: str
    stderr: str


def run_wmt(*args: str, db: str | None = None, cwd: Path | None = None) -> Completed:
    """Run the real `wmt` command in a child process, as a person would."""
    command = [sys.executable, "-m", "wmt", *args]
    if db is not None:
        command += ["--db", db]
    environment = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    environment.pop("WMT_DATABASE_URL", None)
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=cwd, env=environment, timeout=600
    )
    return Completed(done.returncode, done.stdout, done.stderr)
