"""Import a snapshot: validate it, compute everyone's workload, store both in one transaction.

Every attempt is written down afterwards, in a short transaction of its own (`import_run`):
when it started and finished, and whether the snapshot was imported, refused (the input broke
a rule; nothing was written) or failed (a fault of ours or the database's). Operators watch
these through the metrics and the log; a refused import still leaves every snapshot table as
it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
from sqlalchemy import Connection, func, insert, select

from wmt.domain.clock import utc_now
from wmt.engine import SnapshotTables, calculate, roll_up
from wmt.engine.decisions import with_decisions
from wmt.engine.managed import with_managed_inputs
from wmt.engine.quality import FINDING_COLUMNS
from wmt.errors import InputRejected
from wmt.ingest.case_folder import read_case_folder
from wmt.logs import error_fields, get_logger
from wmt.store import decisions, points_versions, schema, snapshots
from wmt.store.managed import managed_frames
from wmt.store.transactions import Store

IMPORTED, REFUSED, FAILED = "imported", "refused", "failed"
OUTCOMES = (IMPORTED, REFUSED, FAILED)
# How many places of a refusal an import run keeps (file, row and column; never the values).
PLACES_KEPT = 10

Clock = Callable[[], datetime]
_log = get_logger("wmt.imports")


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

    Contracted hours and reductions managed in wmt are laid over the import's first, and the
    allocation decisions still pending on its date; the decisions it confirms or contradicts
    are settled in the same transaction, and a contradiction is kept among its findings.
    """
    with store.changing_snapshots() as connection:
        replaced = snapshots.find_snapshot(connection, as_of) is not None
        version = points_versions.version_in_force(connection, as_of)
        tables = with_managed_inputs(tables, *managed_frames(connection))
        laid = with_decisions(tables, decisions.pending_decisions(connection, as_of), as_of)
        tables = laid.tables
        reader_findings = _with_findings(reader_findings, laid.findings)
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
        decisions.mark_outcomes(connection, laid.outcomes, as_of)
    return ImportSummary(
        snapshot_id=snapshot_id,
        as_of=as_of,
        practitioners=tables.staff.height,
        cases=tables.cases.height,
        replaced=replaced,
    )


def _with_findings(
    reader_findings: pl.DataFrame | None, decision_findings: pl.DataFrame
) -> pl.DataFrame | None:
    """The reader's findings and those about decisions the import contradicts, together."""
    if decision_findings.is_empty():
        return reader_findings
    if reader_findings is None:
        return decision_findings
    return pl.concat(
        [reader_findings.select(FINDING_COLUMNS), decision_findings], how="vertical_relaxed"
    )


def import_case_folder(
    store: Store, folder: Path, as_of: date | None = None, *, clock: Clock = utc_now
) -> ImportSummary:
    """`wmt import FOLDER`: the open case-level format."""
    with recorded_attempt(store, str(folder), "case-level", as_of, clock) as attempt:
        tables, on = read_case_folder(folder, as_of)
        attempt.summary = store_snapshot(
            store, tables, on, source=str(folder), source_format="case-level"
        )
    return attempt.summary


def import_ndelius_workbook(
    store: Store, workbook: Path, as_of: date | None = None, *, clock: Clock = utc_now
) -> ImportSummary:
    """`wmt import WMT_PS.xlsx`: the nightly nDelius extract."""
    from wmt.ingest.ndelius import read_ndelius_workbook

    with recorded_attempt(store, str(workbook), "ndelius", as_of, clock) as attempt:
        tables, on, findings = read_ndelius_workbook(workbook, as_of)
        attempt.summary = store_snapshot(
            store,
            tables,
            on,
            source=str(workbook),
            source_format="ndelius",
            reader_findings=findings,
        )
    return attempt.summary


@dataclass
class Attempt:
    """One import attempt while it runs; its summary is set once the snapshot is stored."""

    source: str
    source_format: str
    as_of: date | None
    started_at: datetime
    summary: ImportSummary = field(init=False)


def refusal_places(error: InputRejected) -> str:
    """What an import run keeps of a refusal: how many problems and where the first few are
    (file, row and column). The rest of each message may quote a value, such as a name."""
    places: list[str] = []
    for problem in error.problems:
        where, separator, _ = problem.partition(": ")
        if separator and where not in places:
            places.append(where)
        if len(places) == PLACES_KEPT:
            break
    noun = "problem" if error.total == 1 else "problems"
    found = f"{error.total} {noun}"
    return f"{found} at: {'; '.join(places)}" if places else found


@contextmanager
def recorded_attempt(
    store: Store, source: str, source_format: str, as_of: date | None, clock: Clock
) -> Iterator[Attempt]:
    """Run an import and write down how it went, whatever happened."""
    attempt = Attempt(source, source_format, as_of, clock())
    try:
        yield attempt
    except InputRejected as error:
        _finish(store, attempt, REFUSED, clock(), refusal_places(error))
        raise
    except Exception as error:
        fields = error_fields(error)
        _finish(store, attempt, FAILED, clock(), fields["error_type"], fields)
        raise
    _finish(store, attempt, IMPORTED, clock())


def _finish(
    store: Store,
    attempt: Attempt,
    outcome: str,
    finished_at: datetime,
    message: str | None = None,
    error: dict[str, object] | None = None,
) -> None:
    summary = attempt.summary if outcome == IMPORTED else None
    row = {
        "started_at": attempt.started_at,
        "finished_at": finished_at,
        "source": attempt.source,
        "source_format": attempt.source_format,
        "as_of": summary.as_of if summary else attempt.as_of,
        "outcome": outcome,
        "practitioners": summary.practitioners if summary else None,
        "cases": summary.cases if summary else None,
        "message": message,
    }
    seconds = round((finished_at - attempt.started_at).total_seconds(), 3)
    event = {
        "outcome": outcome,
        "source": attempt.source,
        "duration_seconds": seconds,
        "source_format": attempt.source_format,
        "as_of": str(row["as_of"]) if row["as_of"] else None,
        "practitioners": row["practitioners"],
        "cases": row["cases"],
    }
    try:
        with store.writing() as connection:
            connection.execute(insert(schema.table_of(schema.ImportRun)), row)
    except Exception as failure:  # the import's own outcome matters more than its record
        _log.error("import run not recorded", **error_fields(failure))
    if outcome == FAILED:
        _log.error("import", **event, **(error or {}))
    elif outcome == REFUSED:
        _log.warning("import", **event, problems=message)
    else:
        _log.info("import", **event)


@dataclass(frozen=True)
class ImportRunRecord:
    started_at: datetime
    finished_at: datetime
    outcome: str
    as_of: date | None

    @property
    def duration_seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()


@dataclass(frozen=True)
class ImportActivity:
    """What operators watch of imports: the last attempt, the last success, and how many
    attempts of each outcome finished in the last day (times are UTC)."""

    last: ImportRunRecord | None
    last_imported_at: datetime | None
    last_day: dict[str, int]


def import_activity(store: Store, now: datetime) -> ImportActivity:
    table = schema.table_of(schema.ImportRun)
    with store.reading() as connection:
        last = connection.execute(
            select(table.c.started_at, table.c.finished_at, table.c.outcome, table.c.as_of)
            .order_by(table.c.finished_at.desc(), table.c.id.desc())
            .limit(1)
        ).first()
        last_imported_at = connection.execute(
            select(func.max(table.c.finished_at)).where(table.c.outcome == IMPORTED)
        ).scalar()
        counts = connection.execute(
            select(table.c.outcome, func.count())
            .where(table.c.finished_at > now - timedelta(days=1))
            .group_by(table.c.outcome)
        ).all()
    return ImportActivity(
        last=ImportRunRecord(*last) if last is not None else None,
        last_imported_at=last_imported_at,
        last_day={outcome: 0 for outcome in OUTCOMES} | {row[0]: int(row[1]) for row in counts},
    )


def series_folders(path: Path) -> list[Path]:
    """A folder holding one snapshot folder per date (as `wmt demo-data --weeks` writes)."""
    if not path.is_dir() or (path / "units.csv").exists() or (path / "units.parquet").exists():
        return []
    return sorted(child for child in path.iterdir() if (child / "snapshot.txt").is_file())


def import_path(
    store: Store, path: Path, as_of: date | None = None, *, clock: Clock = utc_now
) -> list[ImportSummary]:
    """Import whatever is at the path: a workbook, a snapshot folder, or a series of them."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return [import_ndelius_workbook(store, path, as_of, clock=clock)]
    series = series_folders(path)
    if series and as_of is None:
        return [import_case_folder(store, folder, clock=clock) for folder in series]
    return [import_case_folder(store, path, as_of, clock=clock)]


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
    connection: Connection,
    record: snapshots.SnapshotRecord,
    owner: tuple[str, str],
    tables: SnapshotTables | None = None,
) -> None:
    """Recompute one owner of a stored snapshot after their inputs changed, and every roll-up.

    The engine runs on just the rows the owner's figures depend on (their cases, reports,
    contacts done by them or on cases they hold, reductions), which gives the same figures as
    recalculating everyone; the roll-ups are then rebuilt from every owner's stored results.
    The tables may be given when the caller has just built those rows (as an edit does).
    """
    snapshot_id = record.id
    version = points_versions.version_in_force(connection, record.as_of)
    if tables is None:
        tables = snapshots.load_tables(connection, snapshot_id, owner)
    results = calculate(tables, version.configuration, record.as_of)
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
