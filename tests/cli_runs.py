"""Runs as a user makes them: a run .toml on disk and the `classfreq` command in a child process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str | Path):
        return json.dumps(str(value), ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML for {value!r}")


def write_run(path: Path, run: dict[str, Any]) -> Path:
    """A run file: top-level keys, tables such as [options] and [curation], and [[sources]] / [[accuracy]] arrays of tables."""
    lines = [f"{key} = {toml_value(value)}" for key, value in run.items() if not isinstance(value, dict | list)]
    for table, entries in run.items():
        if isinstance(entries, dict) and entries:
            lines += ["", f"[{table}]"] + [f"{key} = {toml_value(value)}" for key, value in entries.items()]
    for table in ("sources", "accuracy"):
        for entry in run.get(table, []):
            lines += ["", f"[[{table}]]"] + [f"{key} = {toml_value(value)}" for key, value in entry.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def child_environment(work: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "CLASSFREQ_WORK": str(work), "CLASSFREQ_PROGRESS": "off", "HF_HUB_OFFLINE": "1",
            "HF_DATASETS_OFFLINE": "1", **extra}


def classfreq(*arguments: str, cwd: Path, work: Path, timeout: float = 120, **extra: str) -> subprocess.CompletedProcess:
    """`classfreq <arguments>` to completion, as a separate process."""
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *arguments], cwd=cwd, env=child_environment(work, **extra),
                          capture_output=True, text=True, timeout=timeout)


def start_classfreq(*arguments: str, cwd: Path, work: Path, **extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline.cli", *arguments], cwd=cwd,
                            env=child_environment(work, **extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_until_paused(process: subprocess.Popen, label: str, timeout: float = 120) -> None:
    """Reads the child's stderr until it reports it is paused at `label` (see pipeline.stage.pause_point)."""
    import selectors

    selector = selectors.DefaultSelector()
    selector.register(process.stderr, selectors.EVENT_READ)
    seen = []
    while True:
        if not selector.select(timeout):
            raise AssertionError(f"no pause at {label} within {timeout}s; stderr so far: {''.join(seen)}")
        line = process.stderr.readline()
        if not line:
            raise AssertionError(f"the run ended (status {process.wait()}) before pausing at {label}: {''.join(seen)}")
        seen.append(line)
        if line.strip() == f"paused at {label}":
            return
