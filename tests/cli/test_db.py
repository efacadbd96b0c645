"""`wmt db status` and `wmt db upgrade`: the schema's revision, and bringing it up to date."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine
from typer.testing import CliRunner

from tests.conftest import run_wmt
from wmt.cli.main import app
from wmt.store.database import SCHEMA_REVISION

RUNNER = CliRunner()
EARLIER = "0007"


def _migrated_to(url: str, revision: str) -> None:
    """A store as an earlier wmt left it: migrated only as far as `revision`."""
    engine = create_engine(url)
    try:
        config = Config()
        config.set_main_option("script_location", "wmt.store:migrations")
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def test_a_store_behind_is_reported_then_upgraded(database_url: str) -> None:
    _migrated_to(database_url, EARLIER)
    behind = RUNNER.invoke(app, ["db", "status", "--db", database_url])
    assert behind.exit_code == 1
    assert behind.stdout.splitlines() == [
        f"Revision: {EARLIER}; newest: {SCHEMA_REVISION}.",
        f"Schema at revision {EARLIER}, behind {SCHEMA_REVISION}; run `wmt db upgrade`.",
    ]
    upgraded = RUNNER.invoke(app, ["db", "upgrade", "--db", database_url])
    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.stdout == (
        f"Upgraded the schema from revision {EARLIER} to {SCHEMA_REVISION}.\n"
    )
    again = RUNNER.invoke(app, ["db", "upgrade", "--db", database_url])
    assert again.stdout == f"The schema is up to date at revision {SCHEMA_REVISION}.\n"
    current = RUNNER.invoke(app, ["db", "status", "--db", database_url])
    assert current.exit_code == 0
    assert current.stdout.splitlines()[-1] == f"Schema at revision {SCHEMA_REVISION}, the newest."


def test_an_empty_database_gets_its_schema(database_url: str) -> None:
    empty = RUNNER.invoke(app, ["db", "status", "--db", database_url])
    assert empty.exit_code == 1
    created = RUNNER.invoke(app, ["db", "upgrade", "--db", database_url])
    assert created.stdout == f"Created the schema at revision {SCHEMA_REVISION}.\n"


def test_status_never_creates_a_sqlite_file(tmp_path: Path) -> None:
    missing = tmp_path / "wmt.db"
    result = RUNNER.invoke(app, ["db", "status", "--db", str(missing)])
    assert str(result.exception) == f"There is no database at {missing}."
    assert not missing.exists()


def test_upgrade_as_an_operator_runs_it(tmp_path: Path) -> None:
    """The real command, in a process of its own, as a deployment script would run it."""
    db = str(tmp_path / "wmt.db")
    first = run_wmt("db", "upgrade", db=db)
    assert (first.exit_code, first.stdout) == (
        0,
        f"Created the schema at revision {SCHEMA_REVISION}.\n",
    )
    status = run_wmt("db", "status", db=db)
    assert status.exit_code == 0 and status.stderr == ""
