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
from .parallel import chosen_executor, start_workers, stop_workers, wait_for_workers
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


#: Stages that run shards on the process pool. The pool starts with the run and stops whenever the next stage
#: needs no workers, so their memory is not held through the count; the next parallel stage starts it again.
PARALLEL_STAGES = {"normalize", "match", "published"}


def run_pipeline(
    run: RunConfig, stages: Iterable[str] | None = None, force: bool = False,
    on_result: Callable[[StageResult], None] = lambda result: None,
) -> list[StageResult]:
    """Runs the named stages (all by default) in order, holding the work directory's lock."""
    results = []
    names = list(stages or STAGES)
    try:
        if PARALLEL_STAGES & set(names) and chosen_executor(run.options) == "local":
            start_workers(run.option("workers", 0))
        with work_dir_lock(run.work_dir):
            for index, name in enumerate(names):
                results.append(STAGES[name](run, force=force))
                on_result(results[-1])
                following = names[index + 1] if index + 1 < len(names) else None
                if name in PARALLEL_STAGES and following is not None and following not in PARALLEL_STAGES:
                    stop_workers()
    finally:  # a stage that failed before the pool was needed must not leave it half-started behind the error
        wait_for_workers()
    return results
