"""SQL lives in `sql/*.sql`, one query per file, loaded by name; values are always bound as parameters."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import duckdb

from .errors import ClassfreqError

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


@functools.cache
def load_sql(name: str) -> str:
    path = SQL_DIR / f"{name}.sql"
    if not path.exists():
        raise ClassfreqError(f"no query named {name!r} in {SQL_DIR}")
    return path.read_text(encoding="utf-8")


def quote_identifier(name: str) -> str:
    """The one place identifiers are quoted: double quotes, embedded quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def run_sql(connection: duckdb.DuckDBPyConnection, name: str, parameters: dict[str, Any] | None = None):
    return connection.execute(load_sql(name), parameters or {})


def query_frame(connection: duckdb.DuckDBPyConnection, text: str, parameters: dict[str, Any] | None = None):
    """A query's whole result as a polars frame (fetched completely, so the connection is free again)."""
    import polars as pl

    return pl.from_arrow(connection.sql(text, params=parameters or None).to_arrow_table())


def sql_frame(connection: duckdb.DuckDBPyConnection, name: str, parameters: dict[str, Any] | None = None):
    return query_frame(connection, load_sql(name), parameters)


def connect(database: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    if read_only and not database.exists():
        raise ClassfreqError(f"no database at {database}: run the pipeline first (`make all RUN=...`)")
    # DuckDB's default (80% of RAM) lets the count's joins grow with the corpus (1.1 GB on 5M captions);
    # with a limit they spill to disk instead (0.34 GB on 5M, 0.28 GB on 1M), so memory stays nearly flat
    memory_limit = os.environ.get("CLASSFREQ_DUCKDB_MEMORY", "256MB")
    return duckdb.connect(str(database), read_only=read_only, config={"memory_limit": memory_limit})


def tables_exist(database: Path, tables: tuple[str, ...]) -> bool:
    if not database.exists():
        return False
    with connect(database, read_only=True) as connection:
        present = {row[0] for row in connection.execute("select table_name from information_schema.tables").fetchall()}
    return set(tables) <= present


def replace_table(connection: duckdb.DuckDBPyConnection, name: str, frame) -> None:
    """Creates or replaces table `name` from a polars frame, inside the caller's transaction."""
    connection.register("_incoming", frame.to_arrow())
    try:
        connection.execute(f"create or replace table {quote_identifier(name)} as select * from _incoming")
    finally:
        connection.unregister("_incoming")
