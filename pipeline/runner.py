"""Runs a run's stages in order, for the CLI and for notebooks: `run_pipeline(load_run("demo"))`.

The order, the skipping and the worker pool all come from the stages' declarations (`pipeline.stages`):
a stage runs after every stage it needs; the executor is built here from the run's options and passed
to every stage; the pool runs while stages that map shards run, and stops before one that does not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from .core.config import RunConfig
from .core.errors import ClassfreqError
from .core.stage import StageResult, work_dir_lock
from .core.step import Executor, Stage
from .executors.local import LocalExecutor
from .executors.ray import RayExecutor
from .stages import STAGES


def ordered(stages: Sequence[Stage]) -> tuple[Stage, ...]:
    """The stages with each one after every stage it needs or uses, in declaration order otherwise."""
    names = {stage.name for stage in stages}
    for stage in stages:
        unknown = sorted(set(stage.needs + stage.uses) - names)
        if unknown:
            raise ValueError(f"stage {stage.name!r} is declared to read {unknown}, which are not stages")
    placed: list[Stage] = []
    waiting = list(stages)
    while waiting:
        done = {stage.name for stage in placed}
        ready = next((stage for stage in waiting if set(stage.needs + stage.uses) <= done), None)
        if ready is None:
            raise ValueError(f"the stages {[stage.name for stage in waiting]} need each other")
        placed.append(ready)
        waiting.remove(ready)
    return tuple(placed)


def upstream_of(*names: str, run: RunConfig | None = None) -> list[str]:
    """The stages `names` read, directly or through others, and `names` themselves, in order. With a run: only
    what they read under its options, and nothing through a stage that does not apply to it."""
    by_name = {stage.name: stage for stage in STAGES}
    left_out = not_applicable(run, ordered(STAGES)) if run is not None else {}
    wanted, pending = set(), list(names)
    while pending:
        stage = by_name[pending.pop()]
        if stage.name in wanted:
            continue
        wanted.add(stage.name)
        if run is None:
            pending.extend(stage.needs + stage.uses)
        elif stage.name in names or stage.name not in left_out:
            pending.extend(stage.reads(run))
    return [stage.name for stage in ordered(STAGES) if stage.name in wanted]


def build_executor(run: RunConfig, stages: Iterable[Stage]) -> Executor:
    """The run's executor; the local pool's workers warm up for the stages of this run that map shards."""
    if run.options.executor == "ray":
        return RayExecutor(run.options)
    return LocalExecutor(run.options.workers, [stage.warm_up for stage in stages if stage.maps_shards and stage.warm_up])


def selected_stages(names: Iterable[str] | None) -> tuple[Stage, ...]:
    """The named stages (every stage without names) in the order they run."""
    every = ordered(STAGES)
    if names is None:
        return every
    wanted = list(names)
    unknown = sorted(set(wanted) - {stage.name for stage in every})
    if unknown:
        raise ClassfreqError(f"no stage named {', '.join(unknown)}: the stages are {', '.join(s.name for s in every)}")
    return tuple(stage for stage in every if stage.name in wanted)


def not_applicable(run: RunConfig, stages: Sequence[Stage]) -> dict[str, str]:
    """The stages that do not apply to the run, and those that need one of them, each with the reason."""
    left_out: dict[str, str] = {}
    for stage in stages:
        reason = stage.not_applicable(run)
        missing = [need for need in stage.needs if need in left_out]
        if reason or missing:
            left_out[stage.name] = reason or f"it needs {', '.join(missing)}, which did not run"
    return left_out


def run_pipeline(
    run: RunConfig, stages: Iterable[str] | None = None, force: bool = False,
    on_result: Callable[[StageResult], None] = lambda result: None,
) -> list[StageResult]:
    """Runs the named stages in order, holding the work directory's lock. Without names, every stage that
    applies to the run: a run without [[accuracy]] stops at the frequency tables and a report of the counts.

    A named stage runs after every stage it reads, each checked first and rerun when its inputs changed (a
    source edited since the last ingest reruns ingest before `count`), so no output rests on stale inputs;
    `force` reruns the named stages only."""
    named = None if stages is None else selected_stages(stages)
    selected = selected_stages(None if named is None else upstream_of(*(stage.name for stage in named), run=run))
    left_out = not_applicable(run, selected)
    refused = [f"{stage.name}: {left_out[stage.name]}" for stage in named or () if stage.name in left_out]
    if refused:
        raise ClassfreqError(f"run {run.name!r}: " + "; ".join(refused))
    forced = {stage.name for stage in (named or selected)} if force else set()
    executor = build_executor(run, [stage for stage in selected if stage.name not in left_out])
    results = []
    try:
        if any(stage.maps_shards for stage in selected if stage.name not in left_out):
            executor.start()
        with work_dir_lock(run.work_dir):
            for index, stage in enumerate(selected):
                if stage.name in left_out:
                    results.append(StageResult(stage.name, True, {}, not_run=left_out[stage.name]))
                else:
                    results.append(stage.run(run, executor, stage.name in forced))
                on_result(results[-1])
                following = selected[index + 1] if index + 1 < len(selected) else None
                if stage.maps_shards and following is not None and not following.maps_shards:
                    executor.release()
    finally:  # a stage that failed before the pool was needed must not leave it half-started behind the error
        executor.close()
    return results
