"""The documentation stays true: the README stays short, every relative link leads somewhere, and the
tables page lists exactly the tables, views, columns and types of the demo run's database."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
DOCS = REPO / "docs"
TABLES_PAGE = DOCS / "tables.md"
MAX_README_LINES = 200

_FENCE = re.compile(r"^(```|~~~).*?^\1\s*$", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_CELL_SEPARATOR = re.compile(r"(?<!\\)\|")
TABLE_HEADER = ["column", "type", "meaning"]


def documentation_pages() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def relative_links(text: str) -> list[str]:
    """Link targets of a markdown text outside code, without web, mail and same-page links."""
    prose = _CODE_SPAN.sub("", _FENCE.sub("", text))
    targets = []
    for target in _LINK.findall(prose):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("#"):
            continue
        targets.append(target)
    return targets


def parse_tables_page(text: str) -> dict[str, list[tuple[str, str]]]:
    """{relation: [(column, type), ...]} from the tables page: each `### <name>` heading, then the first
    `| column | type | meaning |` table after it; backticks around cells are ignored."""
    relations: dict[str, list[tuple[str, str]]] = {}
    current, in_table = None, False
    for line in text.splitlines():
        if line.startswith("### "):
            current, in_table = line[4:].strip(), False
            if current in relations:
                raise ValueError(f"the tables page lists {current!r} twice")
            relations[current] = []
            continue
        if line.startswith("#"):
            current, in_table = None, False
            continue
        if current is None:
            continue
        if not line.startswith("|"):
            if in_table:
                current, in_table = None, False  # one table per relation
            continue
        cells = [cell.strip().strip("`") for cell in _CELL_SEPARATOR.split(line.strip())[1:-1]]
        if cells[:3] == TABLE_HEADER:
            in_table = True
        elif in_table and not set("".join(cells)) <= set("-: "):
            relations[current].append((cells[0], cells[1]))
    return relations


def database_schema(connection: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    """{relation: [(column, type), ...]} of every table and view in the main schema, in column order (the temporary
    catalog's too: the `documents` view of `make sql`)."""
    rows = connection.execute(
        """select c.table_name, c.column_name, c.data_type
           from information_schema.columns c
           join information_schema.tables t
             on t.table_catalog = c.table_catalog and t.table_schema = c.table_schema
             and t.table_name = c.table_name
           where c.table_schema = 'main'
           order by c.table_name, c.ordinal_position""").fetchall()
    relations = connection.execute(
        "select table_name from information_schema.tables where table_schema = 'main'").fetchall()
    schema: dict[str, list[tuple[str, str]]] = {name: [] for (name,) in relations}
    for table, column, kind in rows:
        schema[table].append((column, kind))
    return schema


README_QUERY = re.compile(r'make sql (?:RUN=\S+ )?Q="([^"]+)"')
README_FILE = re.compile(r"make sql (?:RUN=\S+ )?FILE=(\S+)")
README_RELATION = re.compile(r"`(\w+)` (?:table|view)\b|\b(?:table|view) `(\w+)`")
#: `table.column`; `accuracy.csv` is a file name, not a column of `accuracy`
DOTTED_NAME = re.compile(r"\b(\w+)\.(?!(?:csv|tsv|json|jsonl|parquet|toml|sql|md|html|duckdb)\b)(\w+)\b")


def readme_problems(text: str, connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Every way the README's `make sql` examples, the tables it names (`the X table`) and the `table.column`
    names it writes disagree with a database, one sentence each."""
    from pipeline.core.sql import query_frame

    schema = {name: [column for column, _ in columns] for name, columns in database_schema(connection).items()}
    problems = []
    for query in README_QUERY.findall(text):
        try:
            query_frame(connection, query)
        except duckdb.Error as error:
            problems.append(f'make sql Q="{query}": {str(error).splitlines()[0]}')
    problems += [f"the README names a table {name!r}" for pair in README_RELATION.findall(text) for name in pair
                 if name and name not in schema]
    problems += [f"the README names {table}.{column}, a column {table} lacks"
                 for table, column in DOTTED_NAME.findall(text) if table in schema and column not in schema[table]]
    problems += [f"the README runs {path}, which does not exist" for path in README_FILE.findall(text)
                 if not (REPO / path).exists()]
    return problems


def schema_differences(documented: dict[str, list[tuple[str, str]]],
                       actual: dict[str, list[tuple[str, str]]]) -> list[str]:
    """Every way the documented relations differ from the database's, one sentence each."""
    problems = []
    for name in sorted(set(actual) - set(documented)):
        problems.append(f"{name}: in the database, not in docs/tables.md")
    for name in sorted(set(documented) - set(actual)):
        problems.append(f"{name}: in docs/tables.md, not in the database")
    for name in sorted(set(documented) & set(actual)):
        doc_columns = [column for column, _ in documented[name]]
        db_columns = [column for column, _ in actual[name]]
        if doc_columns != db_columns:
            missing = [c for c in db_columns if c not in doc_columns]
            extra = [c for c in doc_columns if c not in db_columns]
            problems.append(f"{name}: columns differ (documented {doc_columns}, database {db_columns}; "
                            f"not documented {missing}, not in the database {extra})")
            continue
        for (column, doc_type), (_, db_type) in zip(documented[name], actual[name]):
            if doc_type != db_type:
                problems.append(f"{name}.{column}: documented type {doc_type}, database type {db_type}")
    return problems


# ---- quick checks -------------------------------------------------------------------------------


def test_the_readme_check_finds_wrong_columns_tables_and_files():
    text = ("make sql Q=\"select model, spearman_rho_low from correlations\"\n"
            "the `sensitivities` table, `mentions.context`, `accuracy.csv`, `mentions.doc_id`\n"
            "make sql FILE=sql/queries/no_such_query.sql\n")
    with duckdb.connect() as connection:
        connection.execute("create table correlations (model varchar, spearman_low double)")
        connection.execute("create table mentions (doc_id varchar)")
        connection.execute("create table accuracy (class_id varchar)")
        problems = readme_problems(text, connection)
    assert [problem.split(":")[0] for problem in problems] == [
        'make sql Q="select model, spearman_rho_low from correlations"',
        "the README names a table 'sensitivities'",
        "the README names mentions.context, a column mentions lacks",
        "the README runs sql/queries/no_such_query.sql, which does not exist",
    ]


def test_the_readme_is_at_most_200_lines():
    lines = len(README.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_README_LINES, f"README.md has {lines} lines; move details to docs/ (at most {MAX_README_LINES})"


@pytest.mark.parametrize("page", documentation_pages(), ids=lambda page: page.relative_to(REPO).as_posix())
def test_every_relative_link_points_to_an_existing_file(page):
    broken = []
    for target in relative_links(page.read_text(encoding="utf-8")):
        path = target.split("#", 1)[0]
        if path and not (page.parent / path).exists():
            broken.append(target)
    assert not broken, f"{page.relative_to(REPO)} links to missing files: {broken}"


def test_the_link_finder_skips_code_web_links_and_anchors():
    text = ("[a](docs/a.md) [b](https://example.org/x) [c](#here) `[d](no.md)` [e](b.md#part)\n"
            "```\n[f](also-not.md)\n```\n![g](img.png)")
    assert relative_links(text) == ["docs/a.md", "b.md#part", "img.png"]


def test_the_tables_page_parses_into_relations_with_columns():
    relations = parse_tables_page(TABLES_PAGE.read_text(encoding="utf-8"))
    assert relations, "docs/tables.md lists no relations"
    empty = [name for name, columns in relations.items() if not columns]
    assert not empty, f"relations without a | column | type | meaning | table in docs/tables.md: {empty}"
    for name, columns in relations.items():
        names = [column for column, _ in columns]
        assert len(names) == len(set(names)), f"{name}: a column is listed twice in docs/tables.md"
        assert all(kind for _, kind in columns), f"{name}: a column without a type in docs/tables.md"


def test_differences_name_the_relation_and_what_differs():
    documented = {"a": [("x", "BIGINT"), ("y", "VARCHAR")], "gone": [("z", "DOUBLE")]}
    actual = {"a": [("x", "INTEGER"), ("y", "VARCHAR")], "new": [("w", "DOUBLE")]}
    assert schema_differences(documented, actual) == [
        "new: in the database, not in docs/tables.md",
        "gone: in docs/tables.md, not in the database",
        "a.x: documented type BIGINT, database type INTEGER",
    ]
    reordered = schema_differences({"a": [("y", "VARCHAR"), ("x", "INTEGER")]}, {"a": actual["a"]})
    assert len(reordered) == 1 and reordered[0].startswith("a: columns differ")
