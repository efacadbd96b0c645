"""Import a snapshot: validate it, compute everyone's workload, store both in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl
from sqlalchemy import Connection

from wmt.engine import SnapshotTables, calculate, roll_up
from wmt.engine.managed import with_managed_inputs
from wmt.ingest.case_folder import read_case_folder
from wmt.store import points_versions, snapshots
from wmt.store.managed import managed_frames
from wmt.store.transactions import Store


@dataclass(frozen=True)
class ImportSummary:
    snapshot_id: int
    as_of: date
    practitioners: int
    cases: int
    replaced: bool


def store_snapshot(
    store: Store,
    tables: SnapshotTables,
    as_of: date,
    *,
    source: str,
    source_format: str,
    reader_findings: pl.DataFrame | None = None,
) -> ImportSummary:
    """Calculate and store a validated snapshot, replacing any earlier one for its date.

    Contracted hours and reductions managed in wmt are laid over the import's first.
    """
    with store.changing_snapshots() as connection:
        replaced = snapshots.find_snapshot(connection, as_of) is not None
        version = points_versions.version_in_force(connection, as_of)
        tables = with_managed_inputs(tables, *managed_frames(connection))
        results = calculate(tables, version.configuration, as_of)
        snapshot_id = snapshots.replace_snapshot(
            connection,
            as_of=as_of,
            source=source,
            source_format=source_format,
            points_configuration_id=version.id,
            tables=tables,
            results=results,
            reader_findings=reader_findings,
        )
    return ImportSummary(
        snapshot_id=snapshot_id,
        as_of=as_of,
        practitioners=tables.staff.height,
        cases=tables.cases.height,
        replaced=replaced,
    )


def import_case_folder(store: Store, folder: Path, as_of: date | None = None) -> ImportSummary:
    """`wmt import FOLDER`: the open case-level format."""
    tables, on = read_case_folder(folder, as_of)
    return store_snapshot(store, tables, on, source=str(folder), source_format="case-level")


def import_ndelius_workbook(
    store: Store, workbook: Path, as_of: date | None = None
) -> ImportSummary:
    """`wmt import WMT_PS.xlsx`: the nightly nDelius extract."""
    from wmt.ingest.ndelius import read_ndelius_workbook

    tables, on, findings = read_ndelius_workbook(workbook, as_of)
    return store_snapshot(
        store,
        tables,
        on,
        source=str(workbook),
        source_format="ndelius",
        reader_findings=findings,
    )


def series_folders(path: Path) -> list[Path]:
    """A folder holding one snapshot folder per date (as `wmt demo-data --weeks` writes)."""
    if not path.is_dir() or (path / "units.csv").exists() or (path / "units.parquet").exists():
        return []
    return sorted(child for child in path.iterdir() if (child / "snapshot.txt").is_file())


def import_path(store: Store, path: Path, as_of: date | None = None) -> list[ImportSummary]:
    """Import whatever is at the path: a workbook, a snapshot folder, or a series of them."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return [import_ndelius_workbook(store, path, as_of)]
    series = series_folders(path)
    if series and as_of is None:
        return [import_case_folder(store, folder) for folder in series]
    return [import_case_folder(store, path, as_of)]


def recalculate(connection: Connection, snapshot_ids: list[int] | None = None) -> int:
    """Recompute stored snapshots with the points version now in force on their dates."""
    recalculated = 0
    for record in snapshots.list_snapshots(connection):
        if snapshot_ids is not None and record.id not in snapshot_ids:
            continue
        version = points_versions.version_in_force(connection, record.as_of)
        tables = snapshots.load_tables(connection, record.id)
        results = calculate(tables, version.configuration, record.as_of)
        snapshots.write_results(connection, record.id, results)
        snapshots.set_points_version(connection, record.id, version.id)
        recalculated += 1
    return recalculated


def recalculate_owner(
    connection: Connection, record: snapshots.SnapshotRecord, owner: tuple[str, str]
) -> None:
    """Recompute one owner of a stored snapshot after their inputs changed, and every roll-up.

    The engine runs on just the rows the owner's figures depend on (their cases, reports,
    contacts done by them or on cases they hold, reductions), which gives the same figures as
    recalculating everyone; the roll-ups are then rebuilt from every owner's stored results.
    """
    snapshot_id = record.id
    version = points_versions.version_in_force(connection, record.as_of)
    results = calculate(
        snapshots.load_tables(connection, snapshot_id, owner), version.configuration, record.as_of
    )
    owners = snapshots.owner_totals(connection, snapshot_id).filter(
        (pl.col("staff_code") != owner[0]) | (pl.col("team_code") != owner[1])
    )
    everyone = pl.concat([owners, results.owners.select(owners.columns)])
    units = roll_up(
        everyone,
        snapshots.units_of(connection, snapshot_id),
        snapshots.unallocated_cases(connection, snapshot_id),
    )
    snapshots.replace_owner_results(connection, snapshot_id, owner, results, units)
    snapshots.set_points_version(connection, snapshot_id, version.id)  # marks it recalculated
