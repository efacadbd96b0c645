"""How every use of the store begins and ends: reading one consistent state, or writing.

Imports, edits and people reading pages happen at once. Three rules keep them apart:

- A reader sees one state of the store from its first query to its last, so a snapshot being
  replaced is seen whole, before or after, never half-gone (PostgreSQL: a read-only
  REPEATABLE READ transaction; SQLite in WAL mode: one deferred transaction).
- Writers take the store's write lock when they begin, not half-way through, so they queue
  rather than fail (SQLite: BEGIN IMMEDIATE with a long busy wait; PostgreSQL: a transaction
  advisory lock for anything that replaces or recalculates stored snapshots).
- A request's or command's reads share one transaction (`Store.consistent()`); after it
  writes, its next read starts afresh, so it sees its own change.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, RootTransaction, event, text
from sqlalchemy.exc import OperationalError

from wmt.store.figures_cache import FiguresCache

# The execution option that marks a connection as about to write (SQLite: BEGIN IMMEDIATE).
_WRITING = "wmt_writing"
# A fixed key for PostgreSQL's advisory lock that serialises changes to stored snapshots.
_SNAPSHOT_LOCK_KEY = 0x776D74  # "wmt"


class StoreBusy(Exception):
    """Another writer holds the store, and this write was asked not to wait."""


def prepare_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """Let wmt, not the sqlite3 module, decide when SQLite transactions begin and how.

    WAL lets readers and one writer work at once; the busy wait lets a second writer queue
    behind an import instead of failing.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # no implicit BEGIN: the hook below emits it
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        writing = connection.get_execution_options().get(_WRITING, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


class Store:
    """The database, as services use it."""

    def __init__(self, engine: Engine, figures: FiguresCache | None = None) -> None:
        self.engine = engine
        # Kept for as long as this store object (one application, one command); see the module.
        self.figures = figures if figures is not None else FiguresCache()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """One read-only transaction: every query in it sees the same state."""
        with self.engine.connect() as connection:
            _begin_reading(connection)
            try:
                yield connection
            finally:
                connection.rollback()

    @contextmanager
    def writing(self, *, wait: bool = True) -> Iterator[Connection]:
        """A write transaction, committed at the end unless an exception leaves it.

        With wait=False, StoreBusy is raised at once if another writer holds SQLite's lock
        (for writes that may simply be skipped, such as noting when a session was last used).
        """
        with self.engine.connect() as connection:
            connection.execution_options(**{_WRITING: True})
            with _begin_writing(connection, wait=wait):  # commits, or rolls back on an error
                yield connection

    @contextmanager
    def changing_snapshots(self) -> Iterator[Connection]:
        """A write transaction that may replace or recalculate stored snapshots.

        Only one runs at a time, on any store: a second import, an edit's recalculation or a
        new points version waits for the one before to commit, and then sees what it wrote.
        """
        with self.writing() as connection:
            if self.dialect == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SNAPSHOT_LOCK_KEY}
                )
            yield connection

    def consistent(self) -> ConsistentStore:
        """A store whose reads all share one transaction, until closed or until it writes."""
        return ConsistentStore(self.engine, self.figures)


class ConsistentStore(Store):
    """The store as one request or command sees it: every read in one transaction."""

    def __init__(self, engine: Engine, figures: FiguresCache | None = None) -> None:
        super().__init__(engine, figures)
        self._connection: Connection | None = None

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        if self._connection is None:
            connection = self.engine.connect()
            _begin_reading(connection)
            self._connection = connection
        yield self._connection

    @contextmanager
    def writing(self, *, wait: bool = True) -> Iterator[Connection]:
        with super().writing(wait=wait) as connection:
            yield connection
        self.close()  # the next read sees this write

    def close(self) -> None:
        """End the shared read transaction and give its connection back."""
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.rollback()
            finally:
                connection.close()

    def __enter__(self) -> ConsistentStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _begin_reading(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    connection.begin()


def _begin_writing(connection: Connection, *, wait: bool) -> RootTransaction:
    """Begin at once, so that SQLite's write lock is taken now (or StoreBusy if asked)."""
    if connection.dialect.name != "sqlite" or wait:
        return connection.begin()
    driver = connection.connection.driver_connection
    assert driver is not None
    previous = int(driver.execute("PRAGMA busy_timeout").fetchone()[0])
    driver.execute("PRAGMA busy_timeout = 0")
    try:
        return connection.begin()
    except OperationalError as error:
        if "locked" in str(error.orig) or "busy" in str(error.orig):
            raise StoreBusy from error
        raise
    finally:
        driver.execute(f"PRAGMA busy_timeout = {previous}")
