"""Shards over a process pool: all cores by default, one shard in memory per worker, workers kept between stages."""

from __future__ import annotations

import atexit
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

import polars as pl
import pyarrow.parquet as pq

from .errors import ClassfreqError
from .progress import progress

EXECUTORS = ("local", "ray")
# rows a worker holds at once. Normalizing a shard of 200,000 LLaVA-like turns (9.5M words) whole peaked
# at 1.08 GB per worker; in batches of 100,000 at 0.82 GB, 50,000 at 0.59 GB, 20,000 at 0.40 GB, at
# about the same speed
BATCH_ROWS = 20_000


def chosen_executor(options: dict) -> str:
    """The run's executor: the local process pool, or Ray Data (`pipeline.ray_executor`)."""
    executor = options.get("executor", "local")
    if executor not in EXECUTORS:
        raise ClassfreqError(f"options.executor must be one of {', '.join(EXECUTORS)}, got {executor!r}")
    return executor


def worker_count(requested: int | None) -> int:
    return requested if requested and requested > 0 else (os.cpu_count() or 1)


def map_shards(function: Callable, *argument_lists: Sequence, workers: int | None = 0, desc: str = "") -> list:
    """Applies `function` to each shard's arguments, in order; in-process when there is one shard or one worker."""
    calls = list(zip(*argument_lists))
    count = min(worker_count(workers), len(calls))
    with progress(total=len(calls), desc=desc, unit=" shards") as bar:
        if count <= 1:
            results = []
            for arguments in calls:
                results.append(function(*arguments))
                bar.update()
            return results
        pool = _pool(count)
        futures = [pool.submit(function, *arguments) for arguments in calls]
        try:
            for future in as_completed(futures):
                future.result()  # the first failure stops the stage
                bar.update()
            return [future.result() for future in futures]
        except BaseException as error:
            for future in futures:  # the pool outlives this call: shards not yet started must not run
                future.cancel()
            if isinstance(error, BrokenProcessPool):
                _POOLS.pop(count, None)
            raise


_POOLS: dict[int, ProcessPoolExecutor] = {}


def _pool(count: int) -> ProcessPoolExecutor:
    """One pool per size for the life of the process: workers start once (a spawn costs a second or two), not per stage."""
    if count not in _POOLS:
        # spawn, not fork: polars' thread pool does not survive a fork
        _POOLS[count] = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn"))
        atexit.register(_POOLS[count].shutdown)
    return _POOLS[count]


def read_batches(path: str, columns: list[str]) -> Iterator[pl.DataFrame]:
    """A shard's rows in batches, so a worker holds one batch and its results, never a whole shard."""
    for batch in pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS, columns=columns):
        yield pl.from_arrow(batch)


def write_batches(frames: Iterable[pl.DataFrame], target: str, schema: dict) -> None:
    """One Parquet file from frames of `schema`, written as they come; an empty file when there are none."""
    writer = None
    try:
        for frame in frames:
            table = frame.to_arrow()
            writer = writer or pq.ParquetWriter(target, table.schema, compression="zstd")
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    if writer is None:
        pl.DataFrame(schema=schema).write_parquet(target)
