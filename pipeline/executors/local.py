"""The local executor: shards over a process pool, all cores by default, one shard in memory per worker, workers
kept between stages. It runs `ShardTask`s and knows no stage."""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from ..core.progress import progress
from ..core.shards import ShardTask, run_shard

WarmUp = Callable[[], None]


class LocalExecutor:
    """The step interface over this module's pool: `workers` processes (0: one per core), each running
    `warm_ups` when it starts."""

    name = "local"

    def __init__(self, workers: int | None = 0, warm_ups: Sequence[WarmUp] = ()) -> None:
        self.workers = workers
        self.warm_ups = tuple(warm_ups)
        self.preload = preloaded_modules(self.warm_ups)

    def start(self) -> None:
        start_workers(self.workers, self.warm_ups)

    def release(self) -> None:
        stop_workers()

    def close(self) -> None:
        wait_for_workers()

    def map_shards(self, task: ShardTask, sources: Sequence[str], targets: Sequence[str], desc: str) -> list:
        return map_shards(run_shard, [task] * len(sources), sources, targets, workers=self.workers, desc=desc,
                          preload=self.preload)


def preloaded_modules(warm_ups: Sequence[WarmUp]) -> list[str]:
    """The modules a pool's server process imports once for its workers: those of the warm-up functions."""
    return sorted({warm_up.__module__ for warm_up in warm_ups})


def worker_count(requested: int | None) -> int:
    return requested if requested and requested > 0 else (os.cpu_count() or 1)


def map_shards(function: Callable, *argument_lists: Sequence, workers: int | None = 0, desc: str = "",
               preload: Sequence[str] = ()) -> list:
    """Applies `function` to each shard's arguments, in order; in-process when there is one shard or one worker.
    A pool this call starts (none was started, or `stop_workers` ended it) imports `preload` in its server."""
    calls = list(zip(*argument_lists))
    count = worker_count(workers)
    with progress(total=len(calls), desc=desc, unit=" shards") as bar:
        if min(count, len(calls)) <= 1:
            results = []
            for arguments in calls:
                results.append(function(*arguments))
                bar.update()
            return results
        pool = _pool(count, preload)  # the one `start_workers` warmed up, even for fewer shards than workers
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
                with _POOLS_LOCK:
                    _POOLS.pop(count, None)
            raise


def start_workers(workers: int | None = 0, warm_ups: Sequence[WarmUp] = ()) -> None:
    """Starts the pool on a thread of its own, each worker running `warm_ups` (module-level functions, whose
    modules the forkserver imports once), and returns at once: starting a worker waits for the forkserver to
    import the pipeline (about 0.3 s), which would otherwise hold up the stage that runs meanwhile (ingest). A
    parallel stage that needs the pool before it is started waits for it."""
    global _starting
    wait_for_workers()
    count = worker_count(workers)
    if count > 1:
        _starting = threading.Thread(target=_warm_pool, args=(count, tuple(warm_ups)), name="classfreq workers",
                                     daemon=True)
        _starting.start()


def stop_workers() -> None:
    """Ends the pools' workers: what they allocated for their shards goes back to the system before a stage that
    needs no workers (the count) allocates its own."""
    wait_for_workers()
    with _POOLS_LOCK:
        while _POOLS:
            _, pool = _POOLS.popitem()
            pool.shutdown()


def wait_for_workers() -> None:
    """Returns once the workers `start_workers` began starting are started (or failed to), so that no thread is
    still starting them when this process moves on to stop them or to exit."""
    global _starting
    if _starting is not None:
        _starting.join()
        _starting = None


def _warm_pool(count: int, warm_ups: tuple[WarmUp, ...]) -> None:
    with _POOLS_LOCK:  # held while the workers start: a stage that asks for the pool meanwhile waits
        pool = _pool_unlocked(count, preloaded_modules(warm_ups))
        try:
            for _ in range(count):
                pool.submit(_warm_up, warm_ups)
        except Exception:  # noqa: BLE001 (no one to tell on this thread: the stage that needs the pool starts it again, and fails there)
            _POOLS.pop(count, None)
            pool.shutdown(wait=False, cancel_futures=True)


def _warm_up(warm_ups: tuple[WarmUp, ...]) -> None:
    for warm_up in warm_ups:
        warm_up()


_POOLS: dict[int, ProcessPoolExecutor] = {}
_POOLS_LOCK = threading.Lock()
_starting: threading.Thread | None = None


def _pool(count: int, preload: Sequence[str]) -> ProcessPoolExecutor:
    """One pool per size for the life of the process: workers start once, not per stage."""
    with _POOLS_LOCK:
        return _pool_unlocked(count, preload)


def _pool_unlocked(count: int, preload: Sequence[str]) -> ProcessPoolExecutor:
    if count not in _POOLS:
        _POOLS[count] = ProcessPoolExecutor(count, mp_context=_worker_context(preload))
        atexit.register(_POOLS[count].shutdown)
    return _POOLS[count]


def _worker_context(preload: Sequence[str]) -> multiprocessing.context.BaseContext:
    """Workers forked from a server process that imported the main script and the `preload` modules once, instead of
    each spawned worker importing polars, pyarrow and the pipeline (about 0.5 s of CPU each, taken from ingest,
    which runs meanwhile).
    The server runs no polars code, so polars' thread pool never starts there (this process has one, and a
    plain fork of it would not be safe); it starts with the first pool and keeps that moment's environment.
    Spawn where there is no forkserver (Windows)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # "__main__" too: otherwise each worker imports the main script itself (the `classfreq` command imports
    # DuckDB, plotly and the CLI, about 0.2 s of CPU); run as `python -m`, the main module is never imported
    context.set_forkserver_preload(["__main__", *preload])
    return context
