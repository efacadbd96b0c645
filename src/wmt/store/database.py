"""Connecting to the store: where it is, and bringing its schema up to date."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError

from wmt.errors import WmtError
from wmt.store.transactions import Store, prepare_sqlite

DEFAULT_SQLITE_FILE = "wmt.db"
ENVIRONMENT_VARIABLE = "WMT_DATABASE_URL"
# The newest migration. A test checks it matches the migrations folder, so that start-up can
# skip loading the migration machinery when the store is already current.
SCHEMA_REVISION = "0014"
BUSY_TIMEOUT_VARIABLE = "WMT_SQLITE_BUSY_TIMEOUT"
DEFAULT_BUSY_TIMEOUT_SECONDS = 300.0


def database_url(db_option: str | None = None) -> str:
    """--db (a URL or a SQLite file path), else WMT_DATABASE_URL, else ./wmt.db."""
    chosen = db_option or os.environ.get(ENVIRONMENT_VARIABLE) or DEFAULT_SQLITE_FILE
    if "://" in chosen:
        return chosen
    return f"sqlite:///{Path(chosen).expanduser().resolve()}"


def _busy_timeout_ms() -> int:
    """How long a SQLite writer waits for another (WMT_SQLITE_BUSY_TIMEOUT, seconds): longer
    than a national import takes, so a second import or an edit queues instead of failing."""
    text_value = os.environ.get(BUSY_TIMEOUT_VARIABLE, "").strip()
    try:
        seconds = float(text_value) if text_value else DEFAULT_BUSY_TIMEOUT_SECONDS
    except ValueError:
        raise WmtError(
            f"{BUSY_TIMEOUT_VARIABLE} must be a number of seconds, not {text_value!r}"
        ) from None
    if not 0 <= seconds <= 86_400:
        raise WmtError(f"{BUSY_TIMEOUT_VARIABLE} must be between 0 and 86400 seconds")
    return int(seconds * 1000)


def connect(url: str) -> Engine:
    """An engine for the store at this URL, with its schema migrated to the newest revision."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise WmtError(f"Not a database URL: {url!r}") from error
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        folder = Path(parsed.database).parent
        if not folder.is_dir():
            raise WmtError(f"Cannot create the database {parsed.database}: no folder {folder}")
    in_memory = parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")
    # A request holds one connection while it reads; allow for a server's worth of threads.
    pooling = {} if in_memory else {"pool_size": 10, "max_overflow": 30, "pool_pre_ping": True}
    engine = create_engine(parsed, **pooling)
    if engine.dialect.name == "sqlite":
        prepare_sqlite(engine, _busy_timeout_ms())
    try:
        if current_revision(engine) != SCHEMA_REVISION:
            migrate(engine)
    except OperationalError as error:
        raise WmtError(
            f"Cannot open the database {parsed.render_as_string()}: {error.orig}"
        ) from error
    return engine


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except (OperationalError, ProgrammingError) as error:
        if "alembic_version" in str(error):
            return None
        raise


def open_store(url: str) -> Store:
    """The store at this URL, its schema migrated to the newest revision."""
    return Store(connect(url))


def migrate(engine: Engine) -> None:
    """Apply every migration not yet applied (one process at a time)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "wmt.store:migrations")
    with Store(engine).changing_snapshots() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
