"""Moving whole tables between polars frames and the database, quickly and exactly."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl
from sqlalchemy import Connection, Select, Table, insert

# PostgreSQL's COPY is many times faster than batched INSERTs for the larger tables.
_COPY_THRESHOLD = 2_000
# The engine carries hours and points as whole hundredths in columns named so.
_CENTI = "_centi"


def from_hundredths(column: str, alias: str) -> pl.Expr:
    """Whole hundredths (of an hour or a point) as an exact decimal with 2 places."""
    return (pl.col(column).cast(pl.Decimal(18, 2)) / 100).alias(alias)


def from_tenths(column: str, alias: str) -> pl.Expr:
    return (pl.col(column).cast(pl.Decimal(18, 1)) / 10).alias(alias)


def to_hundredths(column: str, alias: str) -> pl.Expr:
    """An exact decimal as whole hundredths."""
    return (pl.col(column).cast(pl.Decimal(18, 2)) * 100).cast(pl.Int64).alias(alias)


def stored_types(engine_schema: Mapping[str, Any]) -> dict[str, Any]:
    """An engine table's column types as the store keeps them: a column of whole hundredths
    (`hours_centi`) is an exact decimal under its plain name (`hours`)."""
    return {
        name.removesuffix(_CENTI): pl.Decimal(18, 2) if name.endswith(_CENTI) else dtype
        for name, dtype in engine_schema.items()
    }


def insert_frame(connection: Connection, table: Table, frame: pl.DataFrame) -> None:
    """Insert every row of the frame; its column names are the table's."""
    if frame.is_empty():
        return
    if connection.dialect.name == "postgresql" and frame.height >= _COPY_THRESHOLD:
        _copy_into(connection, table, frame)
        return
    if connection.dialect.name == "sqlite":
        _insert_sqlite(connection, table, frame)
        return
    connection.execute(insert(table), frame.to_dicts())


def _insert_sqlite(connection: Connection, table: Table, frame: pl.DataFrame) -> None:
    """Plain tuples straight to the driver: SQLite has no decimal or date type, so exact
    decimals go as text (read back as numbers, NUMERIC affinity), dates as ISO text and
    booleans as 0/1 — exactly what the SQLAlchemy types store."""
    shaped = frame.with_columns(
        pl.col(pl.Decimal).cast(pl.String),
        pl.col(pl.Date).dt.to_string("%Y-%m-%d"),
        pl.col(pl.Boolean).cast(pl.Int8),
    )
    columns = ", ".join(f'"{name}"' for name in shaped.columns)
    marks = ", ".join("?" for _ in shaped.columns)
    connection.exec_driver_sql(
        f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})', shaped.rows()
    )


def _copy_into(connection: Connection, table: Table, frame: pl.DataFrame) -> None:
    """COPY the frame in as CSV text written by polars: no Python work per row."""
    columns = ", ".join(f'"{name}"' for name in frame.columns)
    payload = frame.write_csv(include_header=False, null_value="", date_format="%Y-%m-%d")
    raw: Any = connection.connection.driver_connection
    sql = f'COPY "{table.name}" ({columns}) FROM STDIN WITH (FORMAT csv)'
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        copy.write(payload)


def read_frame(
    connection: Connection, query: Select[Any], schema: Mapping[str, Any]
) -> pl.DataFrame:
    """Run a query into a frame with the given column types."""
    result = connection.execute(query)
    rows = result.fetchall()
    if not rows:
        return pl.DataFrame(schema=pl.Schema(schema))
    frame = pl.DataFrame(rows, schema=list(result.keys()), orient="row", infer_schema_length=None)
    return frame.cast(pl.Schema(schema), strict=False)


def to_tenths(column: str, alias: str) -> pl.Expr:
    """An exact decimal with one place as whole tenths."""
    return (pl.col(column).cast(pl.Decimal(18, 1)) * 10).cast(pl.Int64).alias(alias)
