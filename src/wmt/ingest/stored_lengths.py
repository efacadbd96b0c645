"""How long a text value the store keeps in each column an input fills, read from the schema.

The schema is the one home of these limits: a reader checks values against them before
anything is written, so a value too long is refused with its file, row and column on every
store alike (SQLite does not enforce a column's length; PostgreSQL does, mid-import).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Column, String, Table

from wmt.store import schema

Model = type[schema.Base]


def length_of(model: Model, column: str) -> int | None:
    """The most characters the store keeps in the column, or None if it has no limit."""
    return _length(schema.table_of(model).c[column])


def _length(column: Column[Any]) -> int | None:
    return column.type.length if isinstance(column.type, String) else None


def limits(table: Table, columns: Iterable[str]) -> dict[str, int]:
    """Input column -> most characters, for the columns stored under the same name."""
    found = {column: _length(table.c[column]) for column in columns if column in table.c}
    return {column: length for column, length in found.items() if length is not None}


def renamed_limits(model: Model, stored_as: Mapping[str, str]) -> dict[str, int]:
    """Input column -> most characters, for columns the model keeps under another name."""
    found = {column: length_of(model, name) for column, name in stored_as.items()}
    return {column: length for column, length in found.items() if length is not None}
