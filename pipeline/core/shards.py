"""Shard tasks: what an executor runs. Kept apart from the stage protocol so that a worker process imports
polars and this module only (no DuckDB, no stages)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from .errors import ClassfreqError

#: How document, lemma and mention shards are written: zstd at level 1 writes as fast as LZ4 and a fifth
#: faster than polars' default level 3, for 10% more bytes than level 3 and two fifths of LZ4's (captions).
SHARD_PARQUET = {"compression": "zstd", "compression_level": 1}


@dataclass(frozen=True)
class ShardTask:
    """A pure batch function over Parquet shards: the columns it reads from each input shard, and `process`,
    which turns them into the output shard's rows and what the shard reports back (words, mentions, totals).
    Everything in it is pickled to the workers: module-level functions, or `functools.partial` of them."""

    columns: tuple[str, ...]
    process: Callable[[pl.DataFrame], tuple[pl.DataFrame, Any]]
    write_options: dict[str, Any] = field(default_factory=dict)


_IO_REASON = re.compile(r"underlying IO error: (.*)$")


def write_parquet(frame: pl.DataFrame, target: str | Path, **options: Any) -> None:
    """`frame.write_parquet`, where a full disk or an unwritable folder is a message naming the file (polars
    reports the operating system's error inside a ComputeError) and no partial file is left."""
    try:
        frame.write_parquet(target, **options)
    except (OSError, pl.exceptions.ComputeError) as error:
        found = _IO_REASON.search(str(error))
        if isinstance(error, pl.exceptions.ComputeError) and not found:
            raise  # not the disk: a bug to see whole, not a user's problem
        Path(target).unlink(missing_ok=True)
        raise ClassfreqError(f"cannot write {target}: {found.group(1) if found else error.strerror or error}") from None


def run_shard(task: ShardTask, source: str, target: str) -> Any:
    """One shard through a task, file to file: what every executor runs, in a worker or in this process."""
    rows, summary = task.process(pl.read_parquet(source, columns=list(task.columns)))
    write_parquet(rows, target, **task.write_options)
    return summary


def shard_files(directory: str | Path) -> list[str]:
    """The Parquet shards a stage wrote into `directory`, in order (ingest's rejects file is not one)."""
    return sorted(str(path) for path in Path(directory).glob("*.parquet") if path.name != "rejects.parquet")
