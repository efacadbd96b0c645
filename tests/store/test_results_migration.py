"""Snapshots stored before results carried hours available and cases scored by tier get both
from the migration, equal to what the engine gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import select

from tests.case_folders import write_folder
from wmt.services.importing import import_case_folder
from wmt.store import schema
from wmt.store.transactions import Store

RESULTS = [schema.OwnerWorkload, schema.UnitWorkload]


def _move_to(store: Store, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", "wmt.store:migrations")
    with store.changing_snapshots() as connection:
        config.attributes["connection"] = connection
        if revision == "head":
            command.upgrade(config, revision)
        else:
            command.downgrade(config, revision)


def _results(store: Store) -> dict[str, list[dict[str, Any]]]:
    found = {}
    with store.reading() as connection:
        for model in RESULTS:
            table = schema.table_of(model)
            rows = connection.execute(select(table).order_by(*table.primary_key.columns))
            found[table.name] = [dict(row._mapping) for row in rows]
    return found


def test_the_migration_fills_the_new_figures_as_the_engine_would(
    store: Store, tmp_path: Path
) -> None:
    import_case_folder(store, write_folder(tmp_path / "s"))
    calculated = _results(store)
    reduced = [row for row in calculated["owner_workload"] if row["reduction_hours"] > 0]
    assert reduced and all(row["hours_available"] < row["contracted_hours"] for row in reduced)
    assert any(row["tier_scored_cases"] < row["caseload"] for row in calculated["owner_workload"])

    _move_to(store, "0008")
    with store.reading() as connection:
        columns = {c["name"] for c in _columns(connection, "owner_workload")}
    assert "hours_available" not in columns
    _move_to(store, "head")

    assert _results(store) == calculated
    with store.reading() as connection:
        versions = connection.execute(select(schema.Snapshot.results_version)).scalars().all()
    assert versions == [1]


def _columns(connection: Any, table: str) -> list[Any]:
    from sqlalchemy import inspect

    return list(inspect(connection).get_columns(table))
