"""The stages in order, for the CLI and for notebooks: `run_pipeline(load_run("demo"))`."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .accuracy import accuracy
from .config import RunConfig
from .correlate import correlate
from .count import count
from .ingest import ingest
from .match import match
from .normalize import normalize
from .parallel import chosen_executor, start_workers
from .published import published
from .report import report
from .sensitivity import sensitivity
from .stage import StageResult, work_dir_lock
from .synonyms import synonyms

STAGES: dict[str, Callable[..., StageResult]] = {
    "ingest": ingest,
    "normalize": normalize,
    "synonyms": synonyms,
    "match": match,
    "count": count,
    "published": published,
    "accuracy": accuracy,
    "correlate": correlate,
    "sensitivity": sensitivity,
    "report": report,
}


def run_pipeline(
    run: RunConfig, stages: Iterable[str] | None = None, force: bool = False,
    on_result: Callable[[StageResult], None] = lambda result: None,
) -> list[StageResult]:
    """Runs the named stages (all by default) in order, holding the work directory's lock."""
    results = []
    names = list(stages or STAGES)
    if {"normalize", "match"} & set(names) and chosen_executor(run.options) == "local":
        start_workers(run.option("workers", 0))
    with work_dir_lock(run.work_dir):
        for name in names:
            results.append(STAGES[name](run, force=force))
            on_result(results[-1])
    return results
