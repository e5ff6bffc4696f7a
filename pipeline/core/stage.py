"""The shell every stage shares: fingerprints, manifests, atomic outputs, skipping, the work-dir lock.

A stage writes its outputs into a new folder of its own, then writes its manifest with an atomic
rename. The manifest is the commit point: a run killed at any moment leaves the previous manifest
pointing at the previous, complete outputs, and a stage that fails removes what it had written.
Database changes happen in one transaction (`database_transaction`), committed just before the
manifest is written.
"""

from __future__ import annotations

import fcntl
import functools
import glob
import hashlib
import json
import os
import secrets
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from .errors import ClassfreqError
from .paths import PACKAGE_DIR, SQL_DIR
from .shards import shard_files


def file_stat(path: Path) -> dict[str, Any]:
    """Cheap identity of an input file: changes whenever its content is rewritten."""
    stat = path.stat()
    return {"path": str(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_file_identity(path: Path, role: str) -> dict[str, Any]:
    """What the report's provenance shows of an input a stage read: recorded by that stage, never looked up later."""
    return {"role": role, "path": str(path), "bytes": path.stat().st_size, "sha256": file_sha256(path)}


@functools.cache
def code_fingerprint() -> str:
    """Changes whenever any module of the package or any SQL file changes, subfolders included, so a fixed bug
    never hides behind a skip. (Curated CSVs are inputs of the stages that read them, by their file identity.)"""
    digest = hashlib.sha256()
    for root, pattern in ((PACKAGE_DIR, "*.py"), (SQL_DIR, "*.sql")):
        for path in sorted(root.rglob(pattern)):
            digest.update(f"{root.name}/{path.relative_to(root).as_posix()}\0".encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def fingerprint(payload: Any) -> str:
    text = json.dumps({"version": __version__, "code": code_fingerprint(), "payload": payload}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


PAUSE_VARIABLE = "CLASSFREQ_TEST_PAUSE_AT"


def pause_point(label: str) -> None:
    """Test hook: with CLASSFREQ_TEST_PAUSE_AT=<label>, say so on stderr and wait to be killed.

    Lets a test SIGKILL a stage at a known moment instead of racing a timer. Labels:
    `write:<file name>` (a file's new content is written but not yet renamed into place; a stage's
    manifest is `write:<stage>.json`) and `<stage>:commit` (database changes made, not committed).
    """
    if os.environ.get(PAUSE_VARIABLE) == label:
        sys.stderr.write(f"paused at {label}\n")
        sys.stderr.flush()
        while True:
            time.sleep(60)


def write_atomic(path: Path, data: bytes | str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_abandoned_temporaries(path)
        with open(temporary, "wb") as handle:
            handle.write(data.encode() if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        pause_point(f"write:{path.name}")
        os.replace(temporary, path)
    except OSError as error:  # a full disk or a read-only folder: the file the user must make room for
        temporary.unlink(missing_ok=True)
        raise ClassfreqError(f"cannot write {path}: {error.strerror or error}") from None
    except BaseException:  # interrupted: the previous file stays whole and no temporary is left behind
        temporary.unlink(missing_ok=True)
        raise


def _remove_abandoned_temporaries(path: Path) -> None:
    """Temporary files of `path` left by killed processes (a live writer's file is left alone)."""
    prefix = f".{path.name}."
    for temporary in path.parent.glob(glob.escape(prefix) + "*.tmp"):
        pid = temporary.name[len(prefix):-len(".tmp")]
        if pid.isdigit() and not _process_alive(int(pid)):
            temporary.unlink(missing_ok=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def database_transaction(database: Path, stage: str) -> Iterator[Any]:
    """A connection whose changes are committed together at the end, or not at all if anything fails or the process dies."""
    import duckdb

    from .sql import connect

    with connect(database) as connection:
        connection.begin()
        yield connection
        pause_point(f"{stage}:commit")
        try:
            connection.commit()
        except duckdb.Error as error:  # a full disk or a read-only folder: nothing of this stage is kept
            raise ClassfreqError(f"cannot write {database}: {str(error).splitlines()[0]}") from None


def manifest_path(work_dir: Path, stage: str) -> Path:
    return work_dir / "manifests" / f"{stage}.json"


def read_manifest(work_dir: Path, stage: str) -> dict[str, Any] | None:
    path = manifest_path(work_dir, stage)
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):  # edited or damaged by hand: the stage runs again
        return None


def require_manifest(work_dir: Path, stage: str, needed_by: str) -> dict[str, Any]:
    manifest = read_manifest(work_dir, stage)
    if manifest is None:
        raise ClassfreqError(
            f"{needed_by} needs the outputs of {stage}, which has not run in {work_dir}: run `classfreq {stage}` first"
        )
    return manifest


def document_shards(work_dir: Path) -> list[str]:
    """The documents Parquet shards of the run's current ingest, or none before ingest ran."""
    manifest = read_manifest(work_dir, "ingest")
    return shard_files(manifest["outputs"]["documents"]) if manifest else []


@dataclass
class StageResult:
    stage: str
    skipped: bool
    manifest: dict[str, Any]
    #: why a stage that does not apply to the run did not run (no manifest then)
    not_run: str | None = None

    @property
    def summary(self) -> str:
        """One line, then the stage's warnings (a skipped stage repeats them: its outputs still have them)."""
        if self.not_run:
            return f"{self.stage}: not run: {self.not_run}"
        if self.skipped:
            line = f"{self.stage}: inputs and parameters unchanged, nothing to do (fingerprint {self.manifest['fingerprint']})"
        else:
            line = f"{self.stage}: done in {self.manifest['seconds']:.1f}s"
        return "\n".join([line, *(f"  warning: {warning}" for warning in self.manifest.get("warnings", []))])


@dataclass
class StageOutput:
    """What a stage body reports: where its outputs are and how many rows, rejects, and notes it produced."""

    outputs: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    rejects: dict[str, int] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    #: what a user must know of the outputs (counts a policy cuts, terms that never count), one sentence each
    warnings: list[str] = field(default_factory=list)


def run_stage(
    work_dir: Path,
    stage: str,
    inputs: dict[str, Any],
    body: Callable[[Path, str], StageOutput],
    outputs_exist: Callable[[dict[str, Any]], bool] = lambda manifest: True,
    force: bool = False,
    writes_files: bool = True,
) -> StageResult:
    """Runs `body(output_dir, fingerprint)` unless a manifest with the same fingerprint exists.

    `inputs` holds everything the outputs depend on (input file identities, parameters, upstream
    fingerprints); the body writes only under `output_dir`, a new folder for this attempt, so even a
    forced rerun never touches the outputs the current manifest points at. If the body fails, its
    folder is removed. Stages that write only to the database (`writes_files=False`) commit one
    transaction instead.
    """
    digest = fingerprint(inputs)
    previous = read_manifest(work_dir, stage)
    if not force and previous and previous.get("fingerprint") == digest and outputs_exist(previous):
        return StageResult(stage, True, previous)
    output_dir = work_dir / f"{stage}-{digest}-{secrets.token_hex(3)}"
    if writes_files:
        output_dir.mkdir(parents=True)
    started = time.time()
    try:
        produced = body(output_dir, digest)
    except BaseException:
        shutil.rmtree(output_dir, ignore_errors=True)
        raise
    manifest = {
        "stage": stage,
        "version": __version__,
        "fingerprint": digest,
        "inputs": inputs,
        "output_dir": str(output_dir) if writes_files else None,
        "outputs": produced.outputs,
        "rows": produced.rows,
        "rejects": produced.rejects,
        "details": produced.details,
        "warnings": produced.warnings,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
        "seconds": round(time.time() - started, 3),
    }
    write_atomic(manifest_path(work_dir, stage), json.dumps(manifest, indent=2, sort_keys=True))
    _remove_stale_outputs(work_dir, stage, keep=output_dir)
    return StageResult(stage, False, manifest)


def _remove_stale_outputs(work_dir: Path, stage: str, keep: Path) -> None:
    for stale in work_dir.glob(f"{stage}-*"):
        if stale != keep and stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)


@contextmanager
def work_dir_lock(work_dir: Path) -> Iterator[None]:
    """Refuses a second run on the same work directory instead of letting both write."""
    work_dir.mkdir(parents=True, exist_ok=True)
    handle = open(work_dir / ".lock", "w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise ClassfreqError(
            f"another classfreq process is working in {work_dir}; wait for it to finish (the lock is {work_dir / '.lock'})"
        ) from None
    try:
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()
