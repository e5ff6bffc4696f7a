"""SQL safety: values are always bound as parameters, identifiers only quoted by `quote_identifier`, and the
`sql` command cannot change the database."""

from __future__ import annotations

import ast
import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipeline.core.sql import quote_identifier

from ..cli_runs import child_environment, classfreq, write_run
from ..conftest import write_json

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "pipeline"
SQL_DIR = Path(__file__).resolve().parents[2] / "sql"
#: the one module that builds statements itself: those whose identifiers vary, quoted by quote_identifier
SQL_HELPERS = PACKAGE / "core" / "sql.py"
QUERY_METHODS = {"execute", "executemany", "sql", "query", "query_frame"}


def query_arguments(source: str, filename: str) -> Iterator[ast.expr]:
    """The query argument of every call of a query method."""
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in QUERY_METHODS and node.args:
            yield node.args[1] if name == "query_frame" and len(node.args) > 1 else node.args[0]


def formatted_sql(source: str, filename: str) -> list[str]:
    """Places where a query is built by formatting instead of binding: f-string parts other than
    quote_identifier(...), `+` concatenation, `%` or `.format()` in the query argument."""
    found = []
    for query in query_arguments(source, filename):
        for part in ast.walk(query):
            if isinstance(part, ast.FormattedValue):
                value = part.value
                if not (isinstance(value, ast.Call) and getattr(value.func, "id", "") == "quote_identifier"):
                    found.append(f"{filename}:{part.lineno}: {ast.unparse(value)} formatted into a query")
            elif isinstance(part, ast.BinOp) and isinstance(part.op, ast.Add | ast.Mod):
                found.append(f"{filename}:{part.lineno}: query built with {type(part.op).__name__}")
            elif isinstance(part, ast.Call) and getattr(part.func, "attr", "") == "format":
                found.append(f"{filename}:{part.lineno}: query built with .format()")
    return found


def test_the_checker_catches_formatted_values():
    source = (
        "c.execute(f'select * from t where name = {name}')\n"
        "c.execute('select * from t where name = ' + name)\n"
        "query_frame(c, 'select %s' % value)\n"
        "c.sql('select {}'.format(value))\n"
        "c.execute(f'select count(*) from {quote_identifier(table)}')\n"
        "c.execute('select * from t where name = $name', {'name': name})\n"
    )
    assert [line.split(": ", 1)[0] for line in formatted_sql(source, "x.py")] == ["x.py:1", "x.py:2", "x.py:3", "x.py:4"]


def package_modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_no_query_in_the_package_formats_a_value_in():
    found = [problem for path in package_modules()
             for problem in formatted_sql(path.read_text(), str(path.relative_to(PACKAGE)))]
    assert found == []


def inline_sql(source: str, filename: str) -> list[str]:
    """Queries written in Python: a string or f-string literal as the query argument of a query method."""
    return [f"{filename}:{query.lineno}: {ast.unparse(query)[:60]}" for query in query_arguments(source, filename)
            if isinstance(query, ast.Constant | ast.JoinedStr)]


def test_every_sql_statement_lives_in_sql_files():
    assert inline_sql("c.execute('select 1')\nc.execute(load_sql(name))\nquery_frame(c, f'select {x}')\n", "x.py") == [
        "x.py:1: 'select 1'", "x.py:3: f'select {x}'"]
    found = [problem for path in package_modules() if path != SQL_HELPERS
             for problem in inline_sql(path.read_text(), str(path.relative_to(PACKAGE)))]
    assert found == []


def test_sql_files_bind_values_and_never_hold_format_placeholders():
    for path in sorted(SQL_DIR.rglob("*.sql")):
        text = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
        assert not re.search(r"\{[^}]*\}|%s|%\(", text), path.name


def test_quote_identifier_doubles_quotes():
    assert quote_identifier('we"ird') == '"we""ird"'
    with duckdb.connect() as connection:
        name = "potter's \"wheel\""
        connection.execute(f"create table {quote_identifier(name)} as select 1 as a")
        assert connection.execute("select table_name from information_schema.tables").fetchall() == [(name,)]


@pytest.fixture
def database(workspace):
    run_file = write_run(workspace / "q.toml", {"name": "q", "class_set": "imagenet1k",
                                                 "sources": [{"name": "s", "stage": "pretrain", "format": "csv", "path": "s.csv"}]})
    path = workspace / "work" / "q" / "classfreq.duckdb"
    path.parent.mkdir(parents=True)
    with duckdb.connect(str(path)) as connection:
        connection.execute("create table classes as select * from (values ('potter''s wheel'), ('jack-o''-lantern')) t(display_name)")
    shards = path.parent / "ingest-1"
    shards.mkdir()
    pl.DataFrame({"doc_id": ["s:0:0", "s:1:0"], "text": ["a potter's wheel", "a tench"]}).write_parquet(shards / "s-00000.parquet")
    (path.parent / "manifests").mkdir()
    write_json(path.parent / "manifests" / "ingest.json", {"outputs": {"documents": str(shards)}})
    return run_file, path


@pytest.mark.parametrize("statement", [
    "create table x as select 1",
    "drop table classes",
    "delete from classes",
    "insert into classes values ('x')",
])
def test_the_sql_command_opens_the_database_read_only(workspace, database, statement):
    run_file, path = database
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    done = classfreq("sql", "--run", str(run_file), "--query", statement, cwd=workspace, work=workspace / "work")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "read-only" in done.stderr
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def snapshot(folder: Path) -> dict[Path, bytes | None]:
    """Every path under `folder` with its content (None for a folder)."""
    return {path: path.read_bytes() if path.is_file() else None for path in folder.rglob("*")}


@pytest.mark.parametrize("statement", [
    "copy (select 1) to 'work/q/manifests/count.json'",
    "copy (select 1) to 'work/q/manifests/count.json' (format csv, use_tmp_file false)",
    "copy (select 1) to 'work/q/ingest-1/s-00000.parquet' (use_tmp_file false)",
    "attach 'other.duckdb' as o (read_only false); create table o.x as select 1",
    "export database 'exported'",
    "install httpfs",
    "load 'x.duckdb_extension'",
    "select * from read_csv('work/q/manifests/count.json')",
    "set threads = 1",
    "set enable_external_access = true",
    "reset lock_configuration",
    "pragma enable_profiling",
])
def test_the_sql_command_refuses_files_databases_extensions_and_settings(workspace, database, statement):
    run_file, _ = database
    manifest = workspace / "work" / "q" / "manifests" / "count.json"
    manifest.write_text('{"stage": "count"}')
    with duckdb.connect(str(workspace / "other.duckdb")):
        pass
    (workspace / "x.duckdb_extension").write_bytes(b"not an extension")
    before = snapshot(workspace)
    # HOME: where DuckDB would install an extension (~/.duckdb), inside the workspace to be seen
    done = classfreq("sql", "--run", str(run_file), "--query", statement, cwd=workspace, work=workspace / "work",
                     HOME=str(workspace))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "classfreq sql is read-only" in done.stderr, done.stderr
    assert snapshot(workspace) == before


def test_the_sql_command_reads_the_text_units_through_the_documents_view(workspace, database):
    run_file, _ = database
    done = classfreq("sql", "--run", str(run_file), "--query", "select text from documents where text like '%tench%'",
                     cwd=workspace, work=workspace / "work")
    assert done.returncode == 0, done.stderr
    assert "a tench" in done.stdout and "potter" not in done.stdout


def test_the_sql_command_reads_names_with_apostrophes(workspace, database):
    run_file, _ = database
    done = classfreq("sql", "--run", str(run_file), "--query",
                     "select display_name from classes where display_name like '%''%' order by 1",
                     cwd=workspace, work=workspace / "work")
    assert done.returncode == 0, done.stderr
    assert "jack-o'-lantern" in done.stdout and "potter's wheel" in done.stdout


def test_duckdb_memory_cap_grows_with_cores_and_yields_to_the_environment(tmp_path, monkeypatch):
    from pipeline.core import sql

    def cap(connection) -> str:
        return connection.execute("select current_setting('memory_limit')").fetchone()[0]

    def shown(limit: str) -> str:  # DuckDB's own rendering of a limit
        with duckdb.connect(config={"memory_limit": limit}) as connection:
            return cap(connection)

    monkeypatch.delenv("CLASSFREQ_DUCKDB_MEMORY", raising=False)
    for cores, expected in ((1, "512MB"), (2, "512MB"), (16, "4096MB")):
        monkeypatch.setattr(sql.os, "cpu_count", lambda cores=cores: cores)
        with sql.connect(tmp_path / f"{cores}.duckdb") as connection:
            assert cap(connection) == shown(expected)
    monkeypatch.setenv("CLASSFREQ_DUCKDB_MEMORY", "300MB")
    with sql.connect(tmp_path / "set.duckdb") as connection:
        assert cap(connection) == shown("300MB")


@pytest.mark.parametrize("setting, drawn", [("off", "False"), ("on", "True")])
def test_duckdb_draws_its_progress_bar_only_where_classfreq_draws_its_own(tmp_path, setting, drawn):
    # in a process of its own: under pytest DuckDB's default is already off, elsewhere it is on
    shown = subprocess.run(
        [sys.executable, "-c", "import sys; from pathlib import Path; from pipeline.core.sql import connect; "
         "print(connect(Path(sys.argv[1])).execute(\"select current_setting('enable_progress_bar')\").fetchone()[0])",
         str(tmp_path / "progress.duckdb")],
        env={**os.environ, "CLASSFREQ_PROGRESS": setting}, capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert shown == drawn


def test_the_sql_command_says_how_many_rows_it_left_out_and_prints_all_with_limit_0(workspace, database):
    run_file, _ = database
    query = "select range as n from range(150)"
    done = classfreq("sql", "--run", str(run_file), "--query", query, cwd=workspace, work=workspace / "work")
    assert done.returncode == 0, done.stderr
    assert "100 of 150 rows shown" in done.stdout and "shape:" not in done.stdout
    assert "│ 99 " in done.stdout and "│ 100 " not in done.stdout
    done = classfreq("sql", "--run", str(run_file), "--query", query, "--limit", "0", cwd=workspace,
                     work=workspace / "work")
    assert done.returncode == 0, done.stderr
    assert "│ 149 " in done.stdout and done.stdout.rstrip().endswith("150 rows")


@pytest.mark.parametrize("export", ["csv", "json", "parquet"])
def test_the_sql_command_exports_the_whole_result(workspace, database, export):
    run_file, _ = database
    out = workspace / "exports" / f"n.{export}"
    done = classfreq("sql", "--run", str(run_file), "--query", "select range as n from range(150)", "--format", export,
                     "--out", str(out), cwd=workspace, work=workspace / "work")
    assert done.returncode == 0, done.stderr
    assert f"wrote 150 rows to {out}" in done.stderr
    assert getattr(pl, f"read_{export}")(out)["n"].to_list() == list(range(150))
    assert [path.name for path in out.parent.iterdir()] == [out.name]  # no temporary file left beside it


def test_the_sql_command_writes_csv_to_the_terminal_and_parquet_only_to_a_file(workspace, database):
    run_file, _ = database
    done = classfreq("sql", "--run", str(run_file), "--query", "select display_name from classes order by 1",
                     "--format", "csv", cwd=workspace, work=workspace / "work")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "display_name\njack-o'-lantern\npotter's wheel\n"
    done = classfreq("sql", "--run", str(run_file), "--query", "select 1", "--format", "parquet",
                     cwd=workspace, work=workspace / "work")
    assert done.returncode == 2 and "Traceback" not in done.stderr and "OUT=" in done.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_sql_passes_the_query_file_and_options_on_unchanged(workspace, database):
    run_file, _ = database
    query_file = workspace / "it's $HOME.sql"
    query_file.write_text("select display_name from classes where display_name like 'potter%'")
    out = workspace / "it's $5.csv"

    def make_sql(**variables: str) -> subprocess.CompletedProcess:
        # the Makefile's own recipe, with the classfreq of this interpreter and no venv to build first
        return subprocess.run(["make", "-s", "-C", str(REPO), "-o", ".venv/.installed", "sql", f"RUN={run_file}",
                               f"CLASSFREQ={sys.executable} -m pipeline.cli",
                               *(f"{name}={value}" for name, value in variables.items())],
                              env=child_environment(workspace / "work"), capture_output=True, text=True, timeout=120)

    done = make_sql(Q="select 'US$5' as price, 'it''s' as quote,\n$$x$$ as dollars", FORMAT="csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "price,quote,dollars\nUS$5,it's,x\n"
    done = make_sql(FILE=str(query_file), FORMAT="csv", OUT=str(out), LIMIT="1")
    assert done.returncode == 0, done.stderr
    assert out.read_text() == "display_name\npotter's wheel\n"


def test_the_shell_runs_statements_until_end_of_input_and_refuses_writes_like_sql(workspace, database):
    run_file, _ = database
    statements = ("select display_name\nfrom classes order by 1;\ncopy classes to 'classes.csv';\n"
                  "select text from documents;\n")
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "shell", "--run", str(run_file)], input=statements,
                          cwd=workspace, env=child_environment(workspace / "work"), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "jack-o'-lantern" in done.stdout and "a tench" in done.stdout
    assert "classfreq sql is read-only" in done.stderr and not (workspace / "classes.csv").exists()


def test_an_export_may_not_overwrite_the_work_folder_or_an_input_of_the_run(workspace, database):
    run_file, _ = database
    before = {path: path.read_bytes() for path in (workspace / "work").rglob("*") if path.is_file()}
    for out in (next((workspace / "work").rglob("classfreq.duckdb")), run_file):
        done = classfreq("sql", "--run", str(run_file), "--query", "select 1", "--format", "csv", "--out", str(out),
                         cwd=workspace, work=workspace / "work")
        assert done.returncode == 2 and "Traceback" not in done.stderr and "write the export somewhere else" in done.stderr
    assert {path: path.read_bytes() for path in (workspace / "work").rglob("*") if path.is_file()} == before
