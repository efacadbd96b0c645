"""How long a text value the store keeps in each column an input fills, read from the schema.

The schema is the one home of these limits: a reader checks values against them before
anything is written, so a value too long is refused with its file, row and column on every
store alike (SQLite does not enforce a column's length; PostgreSQL does, mid-import).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import String

from wmt.store import schema

Model = type[schema.Base]


def length_of(model: Model, column: str) -> int | None:
    """The most characters the store keeps in the column, or None if it has no limit."""
    column_type = schema.table_of(model).c[column].type
    return column_type.length if isinstance(column_type, String) else None


def limits(model: Model, columns: Iterable[str]) -> dict[str, int]:
    """Input column -> most characters, for the columns stored under the same name."""
    stored = schema.table_of(model).c
    found = {column: length_of(model, column) for column in columns if column in stored}
    return {column: length for column, length in found.items() if length is not None}


def renamed_limits(stored_as: Mapping[str, tuple[Model, str]]) -> dict[str, int]:
    """Input column -> most characters, for columns stored under another name."""
    found = {column: length_of(model, name) for column, (model, name) in stored_as.items()}
    return {column: length for column, length in found.items() if length is not None}
