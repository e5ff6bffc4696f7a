"""The `classfreq` command: a thin layer over the stage functions, which a notebook can call directly."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from .config import RunConfig, load_run
from .errors import ClassfreqError
from .runner import STAGES, run_pipeline

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)

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


def run_stages(run_name: str, names: list[str], force: bool) -> None:
    with reported_errors():
        run_pipeline(load_run(run_name), names, force, on_result=lambda result: typer.echo(result.summary, err=True))


def _stage_command(name: str) -> None:
    def command(run: RunOption = "demo", force: ForceOption = False) -> None:
        run_stages(run, [name], force)

    command.__doc__ = (sys.modules[STAGES[name].__module__].__doc__ or "").strip().split("\n")[0]
    app.command(name)(command)


for _name in STAGES:
    _stage_command(_name)


@app.command("all")
def run_all(run: RunOption = "demo", force: ForceOption = False) -> None:
    """Every stage in order; stages whose inputs are unchanged are skipped."""
    run_stages(run, list(STAGES), force)


@app.command()
def setup() -> None:
    """Makes WordNet available to NLTK (NLTK data, download, or a system WordNet folder)."""
    from .wordnet import ensure_wordnet

    with reported_errors():
        typer.echo(f"WordNet: {ensure_wordnet()}", err=True)


@app.command()
def sql(
    run: RunOption = "demo",
    query: Annotated[str, typer.Option("--query", "-q", help="A SQL query.")] = "",
    file: Annotated[Path | None, typer.Option("--file", "-f", help="A .sql file with one query.")] = None,
    limit: Annotated[int, typer.Option(help="Rows to print at most.")] = 100,
) -> None:
    """Runs a query against a run's DuckDB file, read-only, and prints the table."""
    import polars as pl

    from .sql import connect, query_frame

    with reported_errors():
        if bool(query) == bool(file):
            raise ClassfreqError('give a query (Q="select ...") or a file (FILE=sql/queries/x.sql), not both or neither')
        if file and not file.exists():
            raise ClassfreqError(f"no such query file: {file}")
        text = query or file.read_text(encoding="utf-8")
        config: RunConfig = load_run(run)
        with connect(config.database, read_only=True) as connection:
            try:
                frame = query_frame(connection, text)
            except Exception as error:  # duckdb's errors carry the useful message
                raise ClassfreqError(f"query failed: {error}") from None
        with pl.Config(tbl_rows=limit, tbl_cols=-1, fmt_str_lengths=60, tbl_width_chars=200):
            typer.echo(frame.head(limit))


if __name__ == "__main__":
    app()


