"""Whether two classfreq databases hold the same relations, with the same columns and types and the same rows
(order aside), e.g. the demo run's
database before and after a change that must not change results:

    python -m bench.compare_databases before/work/demo/classfreq.duckdb after/work/demo/classfreq.duckdb

Prints one line per relation (rows, and rows only in one of the two) and exits 1 when anything differs.
"""

from __future__ import annotations

import sys

import duckdb

from pipeline.core.sql import quote_identifier


def relation_rows(connection: duckdb.DuckDBPyConnection, schema: str) -> dict[str, int]:
    names = connection.execute("select table_name from information_schema.tables where table_catalog = $catalog "
                               "and table_schema = 'main' order by table_name", {"catalog": schema}).fetchall()
    return {name: connection.execute(f"select count(*) from {quote_identifier(schema)}.{quote_identifier(name)}")
            .fetchall()[0][0] for (name,) in names}


def columns(connection: duckdb.DuckDBPyConnection, schema: str, name: str) -> list[tuple[str, str]]:
    return connection.execute("select column_name, data_type from information_schema.columns where table_catalog = "
                              "$catalog and table_schema = 'main' and table_name = $name order by ordinal_position",
                              {"catalog": schema, "name": name}).fetchall()


def differing_rows(connection: duckdb.DuckDBPyConnection, name: str) -> tuple[int, int]:
    """Rows of `name` only in the first database, and only in the second (as multisets)."""
    first, second = (f"{quote_identifier(schema)}.{quote_identifier(name)}" for schema in ("first", "second"))
    only = [connection.execute(f"select count(*) from (select * from {a} except all select * from {b})").fetchall()[0][0]
            for a, b in ((first, second), (second, first))]
    return only[0], only[1]


def compare(first: str, second: str) -> bool:
    with duckdb.connect() as connection:
        connection.execute("attach $path as first (read_only)", {"path": first})
        connection.execute("attach $path as second (read_only)", {"path": second})
        rows = relation_rows(connection, "first"), relation_rows(connection, "second")
        same = rows[0].keys() == rows[1].keys()
        for name in sorted(rows[0].keys() | rows[1].keys()):
            if name not in rows[0] or name not in rows[1]:
                print(f"{name}: only in {'the second' if name not in rows[0] else 'the first'} database")
                continue
            if columns(connection, "first", name) != columns(connection, "second", name):
                same = False
                print(f"{name}: columns differ: {columns(connection, 'first', name)} and {columns(connection, 'second', name)}")
                continue
            only_first, only_second = differing_rows(connection, name)
            same &= only_first == only_second == 0
            print(f"{name}: {rows[0][name]:,} and {rows[1][name]:,} rows; {only_first:,} only in the first, "
                  f"{only_second:,} only in the second")
    return same


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    identical = compare(sys.argv[1], sys.argv[2])
    print("identical" if identical else "DIFFERENT")
    sys.exit(0 if identical else 1)
