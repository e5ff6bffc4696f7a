"""SQL lives in `sql/` (subfolders by purpose), one statement per file, loaded by name (`queries/top_classes`);
values are always bound as parameters, and identifiers are quoted by `quote_identifier` alone."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import duckdb

from .errors import ClassfreqError
from .paths import SQL_DIR
from .progress import progress_enabled


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
    try:
        return connection.execute(load_sql(name), parameters or {})
    except duckdb.OutOfMemoryException as error:
        raise ClassfreqError(
            f"sql/{name}.sql ran out of DuckDB's memory limit ({duckdb_memory_limit()}): raise it, e.g. "
            f"CLASSFREQ_DUCKDB_MEMORY=4GB\n({str(error).splitlines()[0]})"
        ) from None


def query_frame(connection: duckdb.DuckDBPyConnection, text: str, parameters: dict[str, Any] | None = None):
    """A query's whole result as a polars frame (fetched completely, so the connection is free again)."""
    import polars as pl

    return pl.from_arrow(connection.sql(text, params=parameters or None).to_arrow_table())


def sql_frame(connection: duckdb.DuckDBPyConnection, name: str, parameters: dict[str, Any] | None = None):
    return query_frame(connection, load_sql(name), parameters)


def duckdb_memory_limit() -> str:
    # DuckDB's default (80% of RAM) lets the count's joins grow with the corpus; with a limit they spill
    # to disk instead. 512MB on 2 cores: the count of 5M captions peaks at 0.55 GiB (1GB: 0.78), and of a
    # LLaVA-sized mixture at 0.58 GiB (0.89) for about 10% more time. DuckDB runs a thread per core, each
    # with its own hash tables, so more cores get more: 256MB each.
    return os.environ.get("CLASSFREQ_DUCKDB_MEMORY") or f"{max(512, 256 * (os.cpu_count() or 1))}MB"


def connect(database: Path, read_only: bool = False, config: dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    if read_only and not database.exists():
        raise ClassfreqError(f"no database at {database}: run the pipeline first (`make all RUN=...`)")
    connection = duckdb.connect(str(database), read_only=read_only,
                                config={"memory_limit": duckdb_memory_limit(), **(config or {})})
    # DuckDB draws its own bar for queries over two seconds (the count on millions of texts), by default even
    # into a log file: it follows CLASSFREQ_PROGRESS like every other bar (a connection setting, not a config one)
    connection.execute("set enable_progress_bar = true" if progress_enabled() else "set enable_progress_bar = false")
    return connection


#: What a user's query may not do, in DuckDB's own settings rather than by reading the SQL: no file read or
#: written but the database (so no COPY, EXPORT DATABASE, ATTACH of another file, INSTALL, LOAD of a file);
#: and no extension fetched or loaded behind a query's back, whatever a DuckDB version (pyproject allows 1.1 on)
#: lets through with external access off.
QUERY_SETTINGS = {"enable_external_access": False, "autoinstall_known_extensions": False,
                  "autoload_known_extensions": False}


def connect_for_queries(database: Path, documents: list[str]) -> duckdb.DuckDBPyConnection:
    """A read-only connection for users' queries that refuses writes of every kind, with the view `documents`
    over the ingest stage's Parquet shards (none when ingest has not run).

    The shards are read by pyarrow, not by DuckDB: a DuckDB view over read_parquet would need their paths in
    allowed_paths, and DuckDB writes to an allowed path too (`copy ... to '<shard>' (use_tmp_file false)`).
    Last comes lock_configuration, so that no SET or PRAGMA can undo the settings."""
    connection = connect(database, read_only=True, config=QUERY_SETTINGS)
    if documents:
        import pyarrow.dataset

        connection.register("documents", pyarrow.dataset.dataset(documents, format="parquet"))
    run_sql(connection, "catalog/lock_configuration")
    return connection


def relations(connection: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every table and view of the database: name → "BASE TABLE" or "VIEW"."""
    return dict(run_sql(connection, "catalog/relations").fetchall())


def relation_exists(connection: duckdb.DuckDBPyConnection, name: str) -> bool:
    return name in relations(connection)


def row_count(connection: duckdb.DuckDBPyConnection, relation: str) -> int:
    return connection.execute(f"select count(*) from {quote_identifier(relation)}").fetchall()[0][0]


def tables_exist(database: Path, tables: tuple[str, ...]) -> bool:
    if not database.exists():
        return False
    with connect(database, read_only=True) as connection:
        return set(tables) <= set(relations(connection))


def replace_table(connection: duckdb.DuckDBPyConnection, name: str, frame) -> None:
    """Creates or replaces table `name` from a polars frame, inside the caller's transaction."""
    connection.register("_incoming", frame.to_arrow())
    try:
        connection.execute(f"create or replace table {quote_identifier(name)} as select * from _incoming")
    finally:
        connection.unregister("_incoming")


def load_parquet_table(connection: duckdb.DuckDBPyConnection, name: str, path: str) -> None:
    """Creates or replaces table `name` with the rows of a Parquet file, inside the caller's transaction."""
    connection.execute(f"create or replace table {quote_identifier(name)} as select * from read_parquet($path)",
                       {"path": path})


def drop_relation(connection: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drops table or view `name` if it exists, whichever it is (a later version may turn one into the other)."""
    kind = relations(connection).get(name)
    if kind == "VIEW":
        connection.execute(f"drop view {quote_identifier(name)}")
    elif kind is not None:
        connection.execute(f"drop table {quote_identifier(name)}")
