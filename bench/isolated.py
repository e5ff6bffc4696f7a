"""Each production run measured in a fresh process of its own, and the lexicon built in another before it.

A process keeps memory it has freed (its allocators hold on to it), so a run measured in the benchmark's
own process would carry what the runs before it, the lexicon build (WordNet) or the baseline left behind.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from pipeline.core.config import RunConfig
from pipeline.runner import run_pipeline

from .memory import PeakMemory


def in_fresh_process(function: Callable, *arguments) -> Any:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *arguments).result()


def build_lexicon(run: RunConfig) -> dict:
    """The run's synonyms stage (it skips when the lexicon is already built), and its manifest."""
    return run_pipeline(run, ["synonyms"])[0].manifest


def measured_run(run: RunConfig, stages: list[str]) -> tuple[float, dict[str, int], dict[str, dict]]:
    """Seconds, peak memory (of this process and its workers, and of this process alone, with what it held before
    the run) and the stages' manifests of one forced run."""
    with PeakMemory() as memory:
        started = time.perf_counter()
        manifests = {result.stage: result.manifest for result in run_pipeline(run, stages, force=True)}
        seconds = time.perf_counter() - started
    return seconds, {"total": memory.peak_total, "main": memory.peak_main, "before": memory.start_main}, manifests
