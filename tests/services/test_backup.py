"""Backing up and restoring: the restored store gives the same figures and the same rows.

SQLite is copied by `wmt backup` while in use; PostgreSQL is dumped and restored with its own
pg_dump and pg_restore, as docs/operations.md shows.
"""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from tests.case_folders import write_folder
from tests.conftest import database_content
from tests.managers import team_manager
from tests.postgres_server import create_database
from wmt.cli.main import app
from wmt.services import inputs
from wmt.services.importing import import_case_folder
from wmt.store import schema
from wmt.store.database import SCHEMA_REVISION
from wmt.store.transactions import Store

RUNNER = CliRunner()


def wmt(*args: str) -> str:
    """Run a `wmt` command in this process; its standard output."""
    result = RUNNER.invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def _in_use(store: Store, tmp_path: Path) -> None:
    """Two snapshots and a manager's edit: what a store holds after a few weeks."""
    for day in ("2026-11-13", "2026-11-20"):
        import_case_folder(store, write_folder(tmp_path / day, {"snapshot.txt": f"{day}\n"}))
    inputs.set_contracted_hours(store, team_manager("T1"), "S2", "T1", Decimal("22.5"), 0)


def _figures(url: str) -> list[object]:
    return [
        json.loads(wmt("capacity", "--level", level, "--format", "json", "--db", url))
        for level in ("practitioner", "team", "national")
    ] + [json.loads(wmt("snapshots", "--format", "json", "--db", url))]


@pytest.fixture
def sqlite_store(store: Store) -> Store:
    if store.dialect != "sqlite":
        pytest.skip("wmt backup copies SQLite stores; PostgreSQL has its own test below")
    return store


def test_a_sqlite_backup_restores_to_the_same_figures_and_rows(
    sqlite_store: Store, database_url: str, tmp_path: Path
) -> None:
    _in_use(sqlite_store, tmp_path)
    backup = tmp_path / "backups" / "wmt-2026-12-03.db"
    backup.parent.mkdir()
    said = wmt("backup", str(backup), "--db", database_url)
    assert said.startswith(f"Backed up {make_url(database_url).database} to {backup} (")
    assert said.rstrip().endswith(f"schema revision {SCHEMA_REVISION}, 2 snapshot(s).")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600  # it holds everything the store does
    assert not list(backup.parent.glob(".*partial"))
    restored = tmp_path / "restored.db"
    shutil.copyfile(backup, restored)  # restoring is putting the file back, servers stopped
    restored_url = f"sqlite:///{restored}"
    assert _figures(restored_url) == _figures(database_url)
    assert database_content(restored_url, leave_out=()) == database_content(
        database_url, leave_out=()
    )


def test_a_backup_is_one_state_and_does_not_wait_for_a_writer(
    sqlite_store: Store, database_url: str, tmp_path: Path
) -> None:
    _in_use(sqlite_store, tmp_path)
    before = database_content(database_url, leave_out=())
    run = {
        "started_at": datetime(2026, 12, 3, 2, 0, 0),
        "finished_at": datetime(2026, 12, 3, 2, 0, 1),
        "source": "in flight",
        "outcome": "imported",
    }
    with sqlite_store.writing() as connection:  # an import half-way through its transaction
        connection.execute(insert(schema.table_of(schema.ImportRun)), run)
        wmt("backup", str(tmp_path / "copy.db"), "--db", database_url)
    assert database_content(f"sqlite:///{tmp_path / 'copy.db'}", leave_out=()) == before


def test_a_backup_never_replaces_a_file_unless_told(
    sqlite_store: Store, database_url: str, tmp_path: Path
) -> None:
    existing = tmp_path / "keep.db"
    existing.write_text("last week's backup")
    refused = RUNNER.invoke(app, ["backup", str(existing), "--db", database_url])
    assert refused.exit_code == 1
    assert str(refused.exception) == (
        f"{existing} already exists; choose a new file, or add --force to replace it."
    )
    assert existing.read_text() == "last week's backup"
    itself = RUNNER.invoke(
        app, ["backup", make_url(database_url).database or "", "--force", "--db", database_url]
    )
    assert "is the database itself" in str(itself.exception)
    nowhere = RUNNER.invoke(app, ["backup", str(tmp_path / "no" / "x.db"), "--db", database_url])
    assert str(nowhere.exception) == (
        f"Cannot write {tmp_path / 'no' / 'x.db'}: there is no folder {tmp_path / 'no'}."
    )
    wmt("backup", str(existing), "--force", "--db", database_url)
    assert existing.read_bytes().startswith(b"SQLite format 3\x00")


def test_wmt_backup_points_a_postgresql_store_to_pg_dump(store: Store, tmp_path: Path) -> None:
    if store.dialect != "postgresql":
        pytest.skip("PostgreSQL only")
    url = make_url(store.engine.url).set(password="secret")
    refused = RUNNER.invoke(
        app, ["backup", str(tmp_path / "x.db"), "--db", url.render_as_string(False)]
    )
    assert refused.exit_code == 1
    message = str(refused.exception)
    assert "pg_dump --format=custom --file=wmt.dump 'postgresql://" in message
    assert "secret" not in message and "+psycopg" not in message
    assert not (tmp_path / "x.db").exists()


def test_a_postgresql_dump_restores_to_the_same_figures_and_rows(
    store: Store, database_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if store.dialect != "postgresql":
        pytest.skip("PostgreSQL only")
    _in_use(store, tmp_path)
    source = make_url(database_url).set(drivername="postgresql").render_as_string(False)
    dump = tmp_path / "wmt.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={dump}", source], check=True, timeout=300
    )
    conninfo = request.getfixturevalue("postgres_conninfo")
    restored_url = create_database(conninfo, f"{make_url(database_url).database}_restored")
    target = make_url(restored_url).set(drivername="postgresql").render_as_string(False)
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={target}", str(dump)],
        check=True,
        timeout=300,
    )
    assert _figures(restored_url) == _figures(database_url)
    assert database_content(restored_url, leave_out=()) == database_content(
        database_url, leave_out=()
    )
