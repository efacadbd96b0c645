"""What several commands share: where the store is, the snapshot date and output format
options, and dates typed on the command line."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from wmt.store.transactions import ConsistentStore

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="SQLite file or database URL (postgresql+psycopg://…). "
        "Default: $WMT_DATABASE_URL, else ./wmt.db.",
        show_default=False,
    ),
]


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of", help="Snapshot date, YYYY-MM-DD (default: the latest).", show_default=False
    ),
]
FormatOption = Annotated[OutputFormat, typer.Option("--format", help="How to print the result.")]


def parse_date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date; expected YYYY-MM-DD", param_hint=option
        ) from None


_opened: list[ConsistentStore] = []


def open_consistent(db: str | None) -> ConsistentStore:
    """The store, read as one consistent state for the whole command (its writes excepted);
    its connections are given back when the command ends (`close_opened`)."""
    from wmt.store.database import database_url, open_store

    store = open_store(database_url(db)).consistent()
    _opened.append(store)
    return store


def close_opened() -> None:
    """End the command's read transactions and close its connections."""
    while _opened:
        store = _opened.pop()
        store.close()
        store.engine.dispose()


def log_to_standard_error(*, format: str, level: str) -> None:
    """Log lines on standard error: WMT_LOG_FORMAT and WMT_LOG_LEVEL, else these defaults."""
    import os

    from wmt.logs import LogSettingError, configure, settings

    try:
        chosen_format, chosen_level = settings(os.environ, format=format, level=level)
    except LogSettingError as error:
        raise typer.BadParameter(str(error)) from None
    configure(chosen_format, chosen_level)
