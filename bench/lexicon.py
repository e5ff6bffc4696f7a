"""The lexicon, built in a child process before a production run is measured.

Building it loads WordNet into the process that builds it, and that memory would otherwise stay in the
benchmark's own process and count against every production run after it.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from pipeline.config import RunConfig
from pipeline.runner import run_pipeline


def build_lexicon(run: RunConfig) -> None:
    """The run's synonyms stage in a child process (it skips when the lexicon is already built)."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        pool.submit(_synonyms, run).result()


def _synonyms(run: RunConfig) -> None:
    run_pipeline(run, ["synonyms"])
