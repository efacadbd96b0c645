"""Connecting to the store: where it is, and bringing its schema up to date."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError

from wmt.errors import WmtError

DEFAULT_SQLITE_FILE = "wmt.db"
ENVIRONMENT_VARIABLE = "WMT_DATABASE_URL"
# The newest migration. A test checks it matches the migrations folder, so that start-up can
# skip loading the migration machinery when the store is already current.
SCHEMA_REVISION = "0005"


def database_url(db_option: str | None = None) -> str:
    """--db (a URL or a SQLite file path), else WMT_DATABASE_URL, else ./wmt.db."""
    chosen = db_option or os.environ.get(ENVIRONMENT_VARIABLE) or DEFAULT_SQLITE_FILE
    if "://" in chosen:
        return chosen
    return f"sqlite:///{Path(chosen).expanduser().resolve()}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


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
    engine = create_engine(parsed)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
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


def migrate(engine: Engine) -> None:
    """Apply every migration not yet applied."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "wmt.store:migrations")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
