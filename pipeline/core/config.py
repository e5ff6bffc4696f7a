"""A run: a small TOML file naming the sources, the class set, the accuracy inputs and the options."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ClassfreqError
from .paths import RUNS_DIR, work_root

STAGES_OF_TEXT = ("pretrain", "instruct", "other")
INPUT_POLICIES = ("fail", "skip")
EXECUTORS = ("local", "ray")
# run, class-set and source names become file names (work/<run>/, synonyms/<set>/, shards
# <source>-00000.parquet) and DuckDB file lists, so they may not hold path separators or glob characters
_NAME = re.compile(r"^\w[\w.-]*$")
_VARIABLE = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}")


def expand(value: str) -> str:
    """Expands ${VAR} and ${VAR:-default} so shipped runs work on any machine."""

    def substitute(match: re.Match) -> str:
        name, default = match.group(1), match.group(2)
        found = os.environ.get(name)
        if found:
            return found
        if default is not None:
            return default
        raise ClassfreqError(f"the run refers to ${{{name}}}, which is not set")

    return _VARIABLE.sub(substitute, value)


@dataclass(frozen=True)
class Source:
    name: str
    stage: str
    format: str
    path: Path | None = None
    hub: dict[str, str] | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AccuracyInput:
    path: Path
    format: str = "auto"
    model: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunConfig:
    name: str
    class_set: str
    sources: tuple[Source, ...]
    accuracy: tuple[AccuracyInput, ...] = ()
    classes_file: Path | None = None
    options: dict[str, Any] = field(default_factory=dict)
    file: Path | None = None

    @property
    def work_dir(self) -> Path:
        return work_root() / self.name

    @property
    def database(self) -> Path:
        return self.work_dir / "classfreq.duckdb"

    def option(self, key: str, default: Any) -> Any:
        return self.options.get(key, default)


def resolve_run_file(run: str | Path) -> Path:
    candidate = Path(run)
    if candidate.suffix == ".toml" and candidate.exists():
        return candidate
    shipped = RUNS_DIR / f"{run}.toml"
    if shipped.exists():
        return shipped
    known = sorted(p.stem for p in RUNS_DIR.glob("*.toml"))
    raise ClassfreqError(f"no run named {str(run)!r}: give a .toml file or one of {', '.join(known)}")


def load_run(run: str | Path) -> RunConfig:
    path = resolve_run_file(run)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ClassfreqError(f"{path}: not valid TOML: {error}") from None
    return parse_run(raw, path)


def _path(value: str | None) -> Path | None:
    return Path(expand(value)) if value else None


def parse_run(raw: dict[str, Any], file: Path | None = None) -> RunConfig:
    where = str(file) if file else "run"
    name = raw.get("name") or (file.stem if file else None)
    if not name:
        raise ClassfreqError(f"{where}: a run needs a name")
    _check_name(name, f"{where}: the run name")
    if "class_set" not in raw:
        raise ClassfreqError(f"{where}: a run needs class_set (e.g. \"imagenet1k\")")
    _check_name(str(raw["class_set"]), f"{where}: class_set")
    sources = []
    for index, entry in enumerate(raw.get("sources", [])):
        entry = dict(entry)
        for key in ("name", "stage", "format"):
            if key not in entry:
                raise ClassfreqError(f"{where}: sources[{index}] needs {key!r}")
        _check_name(str(entry["name"]), f"{where}: sources[{index}] name")
        if entry["stage"] not in STAGES_OF_TEXT:
            raise ClassfreqError(
                f"{where}: sources[{index}] ({entry['name']}): stage must be one of {', '.join(STAGES_OF_TEXT)}"
            )
        if not entry.get("path") and not entry.get("hub"):
            raise ClassfreqError(f"{where}: sources[{index}] ({entry['name']}) needs a path or a hub id")
        sources.append(
            Source(
                name=entry.pop("name"),
                stage=entry.pop("stage"),
                format=entry.pop("format"),
                path=_path(entry.pop("path", None)),
                hub=entry.pop("hub", None),
                options=entry,
            )
        )
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        raise ClassfreqError(f"{where}: source names must be unique, got {names}")
    if not sources:
        raise ClassfreqError(f"{where}: a run needs at least one [[sources]] entry")
    accuracy = []
    for index, entry in enumerate(raw.get("accuracy", [])):
        entry = dict(entry)
        if "path" not in entry:
            raise ClassfreqError(f"{where}: accuracy[{index}] needs a path")
        accuracy.append(
            AccuracyInput(
                path=_path(entry.pop("path")),
                format=entry.pop("format", "auto"),
                model=entry.pop("model", None),
                options=entry,
            )
        )
    return RunConfig(
        name=name,
        class_set=raw["class_set"],
        classes_file=_path(raw.get("classes_file")),
        sources=tuple(sources),
        accuracy=tuple(accuracy),
        options=_checked_options(dict(raw.get("options", {})), where),
        file=file,
    )


def _check_name(name: str, what: str) -> None:
    if not _NAME.match(name):
        raise ClassfreqError(f"{what} {name!r} must be letters, digits, '_', '.' or '-' (it names files)")


def _checked_options(options: dict[str, Any], where: str) -> dict[str, Any]:
    policy = options.get("input_policy", INPUT_POLICIES[0])
    if policy not in INPUT_POLICIES:
        raise ClassfreqError(f"{where}: options.input_policy must be one of {', '.join(INPUT_POLICIES)}, got {policy!r}")
    for key, smallest in (("shard_size", 1), ("workers", 0)):
        value = options.get(key, smallest)
        if isinstance(value, bool) or not isinstance(value, int) or value < smallest:
            raise ClassfreqError(f"{where}: options.{key} must be an integer >= {smallest}, got {value!r}")
    return options
