"""Looking after the store: its schema revision, bringing it up to date, and backing it up.

A SQLite store is copied with SQLite's online backup, page by page in one step, so the copy is
one consistent state even while the server reads and an import writes. A PostgreSQL store is
backed up with PostgreSQL's own pg_dump (docs/operations.md); wmt says how rather than
wrapping it.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from wmt.errors import WmtError
from wmt.store import schema
from wmt.store.database import SCHEMA_REVISION, current_revision, open_store
from wmt.store.transactions import Store


@dataclass(frozen=True)
class SchemaStatus:
    """The store's schema revision against the newest this version of wmt knows."""

    current: str | None  # None: no wmt schema yet
    newest: str = SCHEMA_REVISION

    @property
    def up_to_date(self) -> bool:
        return self.current == self.newest

    def describe(self) -> str:
        if self.current is None:
            return f"no wmt schema yet; `wmt db upgrade` creates it at revision {self.newest}"
        if self.up_to_date:
            return f"schema at revision {self.current}, the newest"
        if self.current < self.newest:
            return f"schema at revision {self.current}, behind {self.newest}; run `wmt db upgrade`"
        return (
            f"schema at revision {self.current}, newer than this wmt knows ({self.newest}); "
            "run the newer version of wmt"
        )


def schema_status(store: Store) -> SchemaStatus:
    """The open store's revision; a database that cannot be read raises SQLAlchemyError."""
    return SchemaStatus(current_revision(store.engine))


def schema_status_at(url: str) -> SchemaStatus:
    """The revision of the store at the URL, read without migrating or creating anything."""
    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite and not (parsed.database and Path(parsed.database).is_file()):
        raise WmtError(f"There is no database at {parsed.database or url}.")
    engine = create_engine(parsed, poolclass=NullPool)
    try:
        return SchemaStatus(current_revision(engine))
    except SQLAlchemyError as error:
        where = parsed.render_as_string(hide_password=True)
        raise WmtError(
            f"Cannot read the database {where}: {getattr(error, 'orig', error)}"
        ) from None
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Upgrade:
    before: str | None
    after: str | None


def upgrade(url: str) -> Upgrade:
    """Apply every migration not yet applied to the store at the URL (creating its schema)."""
    parsed = make_url(url)
    missing_file = parsed.get_backend_name() == "sqlite" and not (
        parsed.database and Path(parsed.database).is_file()
    )
    before = None if missing_file else schema_status_at(url).current
    store = open_store(url)  # migrates a store that is behind
    try:
        return Upgrade(before, schema_status(store).current)
    finally:
        store.engine.dispose()


@dataclass(frozen=True)
class Backup:
    source: str
    target: Path
    revision: str | None
    snapshots: int
    bytes: int


def pg_dump_advice(url: str) -> str:
    """What to run instead for a PostgreSQL store (the URL without its password)."""
    parsed = make_url(url).set(drivername="postgresql", password=None)
    where = parsed.render_as_string(hide_password=True)
    return (
        "wmt backup copies SQLite stores. Back up a PostgreSQL store with PostgreSQL's own "
        f"tool, for example:\n  pg_dump --format=custom --file=wmt.dump '{where}'\n"
        "and restore it with pg_restore (see docs/operations.md)."
    )


def backup(url: str, target: Path, *, force: bool = False) -> Backup:
    """Copy the SQLite store at the URL to a new file, consistently, while it may be in use.

    The store is copied as it stands, never migrated first, so a copy taken before an upgrade
    holds the schema before it. The copy is written beside the target and renamed over it
    only once it is whole and checked, so a failed backup never leaves a half-written file;
    only its owner may read it, as it holds everything the store holds.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise WmtError(pg_dump_advice(url))
    source = parsed.database
    if not source or source == ":memory:" or not Path(source).is_file():
        raise WmtError(f"There is no database at {source or url} to back up.")
    target = target.expanduser().absolute()
    if target.exists() and not force:
        raise WmtError(f"{target} already exists; choose a new file, or add --force to replace it.")
    if not target.parent.is_dir():
        raise WmtError(f"Cannot write {target}: there is no folder {target.parent}.")
    if target.exists() and target.samefile(source):
        raise WmtError(f"{target} is the database itself; choose another file.")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        _copy(Path(source), partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return Backup(source, target, *_described(target), target.stat().st_size)


def _copy(source: Path, partial: Path) -> None:
    """SQLite's online backup, every page in one step (one consistent state), then a check.

    In WAL mode this reads alongside the server and an import without holding them up.
    """
    original = sqlite3.connect(source, timeout=60)
    copy = sqlite3.connect(partial)
    try:
        original.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no log beside
        checked = copy.execute("PRAGMA quick_check").fetchone()
        if checked is None or checked[0] != "ok":
            raise WmtError(f"The copy failed SQLite's check ({checked}); nothing was kept.")
    finally:
        copy.close()
        original.close()


def _described(file: Path) -> tuple[str | None, int]:
    """The copy's schema revision and how many snapshots it holds, read from the copy."""
    engine = create_engine(f"sqlite:///{file}", poolclass=NullPool)
    try:
        revision = current_revision(engine)
        with engine.connect() as connection:
            table = schema.table_of(schema.Snapshot)
            count = connection.execute(select(func.count()).select_from(table)).scalar_one()
        return revision, int(count)
    finally:
        engine.dispose()
