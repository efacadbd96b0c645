"""The store: where it lives, its migrations, and what an import keeps."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from tests.case_folders import write_folder
from wmt.services.importing import import_case_folder
from wmt.store import schema
from wmt.store.database import SCHEMA_REVISION, current_revision, database_url
from wmt.store.snapshots import load_tables
from wmt.store.transactions import Store


def test_schema_revision_constant_is_the_newest_migration() -> None:
    config = Config()
    config.set_main_option("script_location", "wmt.store:migrations")
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_REVISION


def test_database_location_comes_from_option_then_environment_then_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WMT_DATABASE_URL", raising=False)
    assert database_url(None) == f"sqlite:///{tmp_path / 'wmt.db'}"
    monkeypatch.setenv("WMT_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert database_url(None) == "postgresql+psycopg://u@h/db"
    assert database_url("other.db") == f"sqlite:///{tmp_path / 'other.db'}"


def test_a_new_store_is_migrated_to_the_newest_revision(store: Store) -> None:
    assert current_revision(store.engine) == SCHEMA_REVISION


def test_import_keeps_inputs_that_read_back_as_they_went_in(store: Store, tmp_path: Path) -> None:
    from wmt.ingest.case_folder import read_case_folder

    folder = write_folder(tmp_path / "s")
    summary = import_case_folder(store, folder)
    original, _ = read_case_folder(folder)
    with store.engine.connect() as connection:
        stored = load_tables(connection, summary.snapshot_id)
        counts = {
            table.__tablename__: connection.execute(
                select(func.count()).select_from(table)
            ).scalar()
            for table in (schema.SnapshotCase, schema.OwnerWorkload, schema.UnitWorkload)
        }
    for name in ("units", "staff", "cases", "reports", "contacts", "reductions"):
        keys = [c for c in getattr(original, name).columns if c not in ("notes",)]
        left = getattr(original, name).select(keys).sort(keys, nulls_last=True)
        right = getattr(stored, name).select(keys).sort(keys, nulls_last=True)
        assert left.equals(right), name
    # 2 teams + 1 PDU + 1 region + national
    assert counts == {"snapshot_case": 6, "owner_workload": 3, "unit_workload": 5}


def test_the_migrations_build_exactly_the_schema_the_models_describe(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from wmt.store.database import connect
    from wmt.store.schema import Base

    engine = connect(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []
