"""Shared fixtures: every store test runs on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from sqlalchemy import MetaData, create_engine, select, text

from tests.postgres_server import create_database, drop_database, running_server
from wmt.store.transactions import Store

_counter = itertools.count()

# Property tests draw the same examples on every run and keep nothing between runs, so that a
# test cannot pass once and fail the next time by chance; a test's own @settings add to this.
settings.register_profile("wmt", derandomize=True, database=None, deadline=None)
settings.load_profile("wmt")


@pytest.fixture(scope="session")
def postgres_conninfo() -> Iterator[str]:
    with running_server() as conninfo:
        yield conninfo


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each kind. A PostgreSQL one is dropped after the test:
    dropping is quick, while leaving hundreds for the end makes removing the server's folder
    take longer than many tests."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'wmt.db'}"
        return
    conninfo = request.getfixturevalue("postgres_conninfo")
    name = f"wmt_test_{os.getpid()}_{next(_counter)}"
    yield create_database(conninfo, name)
    drop_database(conninfo, name)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store with every migration applied, copied for each test that needs a store:
    migrating takes longer than most tests."""
    from wmt.store.database import open_store

    path = tmp_path_factory.mktemp("template") / "wmt.db"
    open_store(f"sqlite:///{path}").engine.dispose()
    return path


@pytest.fixture(scope="session")
def migrated_postgres(postgres_conninfo: str) -> str:
    """The name of a PostgreSQL database with every migration applied, a template for each
    test's database."""
    from wmt.store.database import open_store

    name = f"wmt_template_{os.getpid()}"
    open_store(create_database(postgres_conninfo, name)).engine.dispose()
    return name


@pytest.fixture
def store(database_url: str, request: pytest.FixtureRequest) -> Iterator[Store]:
    """The database at `database_url`, its schema up to date (copied from a migrated one)."""
    yield from copied_store(database_url, request, "migrated_sqlite", "migrated_postgres")


def copied_store(
    database_url: str, request: pytest.FixtureRequest, sqlite_template: str, postgres_template: str
) -> Iterator[Store]:
    """Open the database at `database_url` as a copy of a template made once per run: the
    session fixture named `sqlite_template` (a file) or `postgres_template` (a database name)."""
    from wmt.store.database import open_store

    if database_url.startswith("sqlite"):
        template: Path = request.getfixturevalue(sqlite_template)
        shutil.copyfile(template, database_url.removeprefix("sqlite:///"))
    else:
        name = database_url.rsplit("/", 1)[1]
        template_name: str = request.getfixturevalue(postgres_template)
        create_database(request.getfixturevalue("postgres_conninfo"), name, template_name)
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


def run_wmt(
    *args: str,
    db: str | None = None,
    cwd: Path | None = None,
    child: bool = False,
    database_variable: str | None = None,
) -> Completed:
    """Run the real `wmt` command as a person would: in this process, its output captured
    (the same entry point the installed command calls), or with child=True in a process of
    its own. The store is `db` if given, else WMT_DATABASE_URL set to `database_variable`
    (unset if that is None too)."""
    arguments = [*args, *(["--db", db] if db is not None else [])]
    environment = {"COLUMNS": "200", "NO_COLOR": "1"}
    if child:
        variables = {**os.environ, **environment}
        variables.pop("WMT_DATABASE_URL", None)
        done = subprocess.run(
            [sys.executable, "-m", "wmt", *arguments],
            capture_output=True,
            text=True,
            cwd=cwd,
            env=variables,
            timeout=600,
        )
        return Completed(done.returncode, done.stdout, done.stderr)
    return _in_process(arguments, environment, cwd, database_variable)


def _in_process(
    arguments: list[str],
    environment: dict[str, str],
    cwd: Path | None,
    database_variable: str | None = None,
) -> Completed:
    import contextlib
    import io
    import logging

    from wmt.cli.main import main

    loggers = [logging.root] + [
        logger for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]  # fmt: skip
    kept = [(lg, lg.level, lg.handlers[:], lg.propagate, lg.disabled) for lg in loggers]
    saved = {name: os.environ.get(name) for name in (*environment, "WMT_DATABASE_URL")}
    out, err = io.StringIO(), io.StringIO()
    here = Path.cwd()
    try:
        os.environ.update(environment)
        os.environ.pop("WMT_DATABASE_URL", None)
        if database_variable is not None:
            os.environ["WMT_DATABASE_URL"] = database_variable
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(arguments)
    finally:
        os.chdir(here)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        for logger, level, handlers, propagate, disabled in kept:
            logger.setLevel(level)
            logger.handlers[:] = handlers
            logger.propagate, logger.disabled = propagate, disabled
    return Completed(code, out.getvalue(), err.getvalue())
