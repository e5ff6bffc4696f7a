"""The step interface: how a stage is declared, and what an executor runs for it.

A `Stage` is declared once, in its module under `pipeline.stages`: its name, the stages whose outputs it
reads (`needs`), the parameters its outputs depend on, its body, and what it writes (database tables, a
folder of files, files elsewhere). The runner derives the order, the skipping and the worker pool from
these declarations, and hands each body a `StageContext` with the upstream manifests and the executor.

An executor (`pipeline.executors`) knows only `ShardTask`: a pure batch function that maps one Parquet
shard to another, after datatrove's `PipelineStep` and executors. It never imports a stage.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .config import RunConfig
from .shards import ShardTask
from .sql import tables_exist
from .stage import StageOutput, StageResult, file_sha256, require_manifest, run_stage


class Executor(Protocol):
    """Runs shard tasks. The runner builds one per run from its options and passes it to every stage."""

    name: str

    def start(self) -> None:
        """Called before the run's first stage when some stage of the run maps shards (workers may warm up)."""

    def release(self) -> None:
        """Called after a stage that maps shards when the next one does not: workers give their memory back."""

    def close(self) -> None:
        """Called once the run ends, whether it succeeded or not."""

    def map_shards(self, task: ShardTask, sources: Sequence[str], targets: Sequence[str], desc: str) -> list[Any]:
        """`shards.run_shard(task, source, target)` for each pair, returning the summaries in the order of `sources`."""


@dataclass(frozen=True)
class StageContext:
    """What a stage's body gets: the run, the manifests of the stages it needs, and the run's executor."""

    run: RunConfig
    stage: str
    upstream: dict[str, dict[str, Any]]
    executor: Executor
    #: the stage was asked to run whatever its inputs: nothing kept between runs stands in for its work
    force: bool = False

    def manifest(self, stage: str) -> dict[str, Any]:
        """The manifest of a stage this one needs, or of one it reads only under some options (which must have run)."""
        return self.upstream.get(stage) or require_manifest(self.run.work_dir, stage, self.stage)


def _no_parameters(context: StageContext) -> dict[str, Any]:
    return {}


def _no_files(run: RunConfig) -> tuple[Path, ...]:
    return ()


def _always_applies(run: RunConfig) -> str | None:
    return None


@dataclass(frozen=True)
class Stage:
    """A stage, declared once.

    `parameters` returns what the outputs depend on beyond the upstream stages' fingerprints (input file
    identities, options); `body(context, output_dir)` does the work and writes under `output_dir` (a new
    folder when `writes_folder`), into the database (`tables`, committed in one transaction) or to
    `files(run)`. A rerun with the same fingerprint skips while every declared output still exists.
    """

    name: str
    summary: str
    needs: tuple[str, ...]
    body: Callable[[StageContext, Path], StageOutput]
    #: stages it reads only under some options (through `context.manifest`): run before it, not required
    uses: tuple[str, ...] = ()
    parameters: Callable[[StageContext], dict[str, Any]] = _no_parameters
    tables: tuple[str, ...] = ()
    writes_folder: bool = True
    files: Callable[[RunConfig], tuple[Path, ...]] = _no_files
    maps_shards: bool = False
    #: run once in each worker when the pool starts, so the first shard does not pay for imports and tables
    warm_up: Callable[[], None] | None = None
    #: why the stage does not apply to a run (None: it does); `classfreq all` leaves it and what needs it out
    not_applicable: Callable[[RunConfig], str | None] = _always_applies
    #: which of `uses` it reads under a run's options (all of them unless said): a stage run alone brings only
    #: those up to date
    used: Callable[[RunConfig], tuple[str, ...]] | None = None

    def reads(self, run: RunConfig) -> tuple[str, ...]:
        """The stages whose outputs this one reads in `run`."""
        return self.needs + (self.uses if self.used is None else self.used(run))

    def outputs_exist(self, run: RunConfig, manifest: dict[str, Any]) -> bool:
        """Every declared output is there, and each file is still the one this stage wrote (not a copy of
        another run's, nor edited)."""
        folder = manifest.get("output_dir")
        written = manifest.get("details", {}).get("files_written", {})
        return ((not self.writes_folder or (folder is not None and Path(folder).is_dir()))
                and (not self.tables or tables_exist(run.database, self.tables))
                and all(path.exists() and written.get(str(path)) == file_sha256(path) for path in self.files(run)))

    def run(self, run: RunConfig, executor: Executor, force: bool = False) -> StageResult:
        upstream = {name: require_manifest(run.work_dir, name, self.name) for name in self.needs}
        context = StageContext(run, self.name, upstream, executor, force)
        inputs = {**{name: manifest["fingerprint"] for name, manifest in upstream.items()}, **self.parameters(context)}

        def body(output_dir: Path, _digest: str) -> StageOutput:
            produced = self.body(context, output_dir)
            produced.details["files_written"] = {str(path): file_sha256(path) for path in self.files(run)}
            return produced

        return run_stage(run.work_dir, self.name, inputs, body,
                         outputs_exist=lambda manifest: self.outputs_exist(run, manifest), force=force,
                         writes_files=self.writes_folder)
