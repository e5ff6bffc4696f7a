"""A run: a small TOML file naming the sources, the class set, the accuracy inputs and the options.

The file's schema is the structs below (msgspec, unknown keys forbidden), and their defaults are the only
defaults of the run: a run is checked whole when it is loaded, before any stage, and `RunFileError` names
the place, the key and the reason (with the closest valid key for a typo).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta, Struct, field

from .errors import ClassfreqError
from .paths import RUNS_DIR, work_root
from .policies import DEFAULT_POLICY, POLICIES
from .runfile_errors import RunFileError, explain
from .textfiles import read_user_text

_VARIABLE = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}")
# run, class-set and source names become file names (work/<run>/, synonyms/<set>/, shards
# <source>-00000.parquet) and DuckDB file lists, so they may not hold path separators, glob characters
# or a trailing newline (`$` would let one through)
NAME_PATTERN = r"^\w[\w.-]*\Z"
Name = Annotated[str, Meta(pattern=NAME_PATTERN)]

TextStage = Literal["pretrain", "instruct", "other"]
SourceFormat = Literal["llava", "jsonl", "json", "csv", "tsv", "parquet", "coco", "flickr8k", "hf"]
Role = Literal["human", "user", "gpt", "assistant", "caption"]
InputPolicy = Literal["fail", "skip"]
Executor = Literal["local", "ray"]
Policy = Literal[POLICIES]
Method = Literal["classfreq", "vlmclassifier"]
Splitter = Literal["auto", "punkt", "punkt_builtin", "none"]
AccuracyFormat = Literal["auto", "csv", "tsv", "json", "openclip_results", "predictions"]
ScoringRule = Literal["open_world", "substring"]
KeyMode = Literal["names", "indices"]
Scale = Literal["auto", "fraction", "percent"]
#: the paper's bootstrap size, and the floor below which its intervals are too noisy to print
MIN_RESAMPLES = 1000
#: the bootstrap's seed unless a run sets one
DEFAULT_SEED = 20240607
#: a resample is a row of weights per class: 100,000 of them for 1,000 classes is 0.8 GB at once
MAX_RESAMPLES = 100_000
#: beyond this a pool only costs memory: each worker holds a shard
MAX_WORKERS = 256


def expand(value: str) -> str:
    """Expands ${VAR} and ${VAR:-default} so shipped runs work on any machine."""

    def substitute(match: re.Match) -> str:
        name, default = match.group(1), match.group(2)
        found = os.environ.get(name)
        if found:
            return found
        if default is not None:
            return default
        raise ValueError(f"refers to ${{{name}}}, which is not set")

    return _VARIABLE.sub(substitute, value)


class _Table(Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """A TOML table of the run file: unknown keys are errors, not silently ignored."""


class Hub(_Table):
    """Where a source lives on the Hugging Face hub: a dataset file (`repo`, `file`), or a dataset (`dataset`)."""

    repo: str | None = None
    file: str | None = None
    dataset: str | None = None
    config: str | None = None
    split: str = "train"


class Source(_Table):
    name: Name
    stage: TextStage
    format: SourceFormat
    path: Path | None = None
    hub: Hub | None = None
    # how the readers find the text (see docs/runs.md): a header row, the text column (a name, or an index
    # without a header), the id column, or several text columns each with its speaker
    header: bool = True
    text_field: str | Annotated[int, Meta(ge=0)] | None = None
    id_field: str | None = None
    fields: dict[str, Role] | None = None
    delimiter: Annotated[str, Meta(min_length=1, max_length=1)] | None = None

    @property
    def options(self) -> dict[str, Any]:
        """The reader's settings, as the readers take them: those left unset (None) fall to the reader's own rule
        (the delimiter from the file's suffix, column `text`, or a LLaVA layout for JSON without `fields`)."""
        settings = {name: getattr(self, name) for name in ("header", "text_field", "id_field", "fields", "delimiter")}
        return {name: value for name, value in settings.items() if value is not None}


class AccuracyInput(_Table):
    path: Path
    format: AccuracyFormat = "auto"
    model: str | None = None
    # columns of a CSV/TSV file
    class_column: str = "class"
    accuracy_column: str = "accuracy"
    count_column: str = "n"
    # fields and scoring of a predictions file
    rule: ScoringRule = "open_world"
    label_field: str = "label"
    text_field: str = "pred"
    choices_field: str = "choices"
    #: how class keys resolve: by wnid, then by name (display name, lemma, normalized, fuzzy); or by wnid, then
    #: by class index, which a run must ask for: numbers are also names ("3", "1")
    keys: KeyMode = "names"
    #: how values are read: fractions, percent, or "auto" (see docs/runs.md)
    scale: Scale = "auto"

    @property
    def options(self) -> dict[str, Any]:
        """Everything of the entry but the file: what its accuracy depends on beside the file's content."""
        return {name: getattr(self, name) for name in self.__struct_fields__ if name != "path"}


class VlmclassifierOptions(_Table):
    """How the published method (Zhang et al.'s vlmclassifier) is reproduced."""

    sentence_splitter: Splitter = "auto"
    human_turns: bool = True


class RunOptions(_Table):
    input_policy: InputPolicy = "fail"
    #: text units per shard: a worker holds one shard's lemma lists (about 0.3 GB for 100,000 long answers),
    #: and more, smaller shards keep both cores busy to the end of a stage
    shard_size: Annotated[int, Meta(ge=1)] = 100_000
    workers: Annotated[int, Meta(ge=0, le=MAX_WORKERS)] = 0
    executor: Executor = "local"
    ray_address: str | None = None
    policy: Policy = DEFAULT_POLICY
    # off by default: a second matching pass, and parent terms such as "dog" stand for a hundred classes
    hypernyms: bool = False
    method: Method = "classfreq"
    vlmclassifier: VlmclassifierOptions = field(default_factory=VlmclassifierOptions)
    max_unresolved_share: Annotated[float, Meta(ge=0.0, le=1.0)] = 0.05
    reference_model: str | None = None
    bootstrap_resamples: Annotated[int, Meta(ge=MIN_RESAMPLES, le=MAX_RESAMPLES)] = MIN_RESAMPLES
    bootstrap_seed: Annotated[int, Meta(ge=0, le=2**63 - 1)] = DEFAULT_SEED


class RunCuration(_Table):
    """A run's own curation: CSV files with the columns of the shipped ones in synonyms/, whose rows join the class
    set's, so a user's class list needs no edit of the repository (see docs/runs.md)."""

    additions: Path | None = None
    exclusions: Path | None = None
    blocking_compounds: Path | None = None

    @property
    def files(self) -> dict[str, Path]:
        """The files given, by the kind of curation they hold."""
        return {kind: getattr(self, kind) for kind in self.__struct_fields__ if getattr(self, kind) is not None}


class RunFile(_Table):
    """The run file as written: `name` defaults to the file's name."""

    class_set: Name
    name: Name | None = None
    classes_file: Path | None = None
    curation: RunCuration = field(default_factory=RunCuration)
    options: RunOptions = field(default_factory=RunOptions)
    sources: tuple[Source, ...] = ()
    accuracy: tuple[AccuracyInput, ...] = ()


@dataclasses.dataclass(frozen=True)
class RunConfig:
    name: str
    class_set: str
    sources: tuple[Source, ...]
    accuracy: tuple[AccuracyInput, ...] = ()
    classes_file: Path | None = None
    curation: RunCuration = RunCuration()
    options: RunOptions = RunOptions()
    file: Path | None = None
    #: the run file's path, size and SHA-256 as it was read: the report's provenance names the run that made it
    file_identity: dict[str, Any] | None = None

    @property
    def work_dir(self) -> Path:
        return work_root() / self.name

    @property
    def database(self) -> Path:
        return self.work_dir / "classfreq.duckdb"

    @property
    def report(self) -> Path:
        """Beside the run's database, so that two work folders never share (or overwrite) one report."""
        return self.work_dir / "report.html"


def resolve_run_file(run: str | Path) -> Path:
    candidate = Path(run)
    if candidate.suffix == ".toml":
        return candidate  # read_user_text names it when it is missing or not a file
    shipped = RUNS_DIR / f"{run}.toml"
    if shipped.exists():
        return shipped
    known = sorted(p.stem for p in RUNS_DIR.glob("*.toml"))
    raise ClassfreqError(f"no run named {str(run)!r}: give a .toml file or one of {', '.join(known)}")


def load_run(run: str | Path) -> RunConfig:
    path = resolve_run_file(run)
    text = read_user_text(path, "run file")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ClassfreqError(f"{path}: not valid TOML: {error}") from None
    data = path.read_bytes()
    identity = {"path": str(path), "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    return dataclasses.replace(parse_run(raw, path), file_identity=identity)


def _decode_path(kind: type, value: Any) -> Any:
    if kind is Path:
        if not isinstance(value, str | Path):
            raise TypeError("Expected `str`")
        if not str(value):
            raise ValueError("an empty path names no file")
        return Path(expand(str(value)))
    raise NotImplementedError


def parse_run(raw: dict[str, Any], file: Path | None = None) -> RunConfig:
    where = str(file) if file else "run"
    try:
        parsed = msgspec.convert(raw, RunFile, dec_hook=_decode_path)
    except msgspec.ValidationError as error:
        raise RunFileError(where, explain(str(error), raw, RunFile)) from None
    name = parsed.name or (file.stem if file else None)
    if not name:
        raise RunFileError(where, "a run needs a name")
    if not re.match(NAME_PATTERN, name):
        raise RunFileError(where, f"the run's name {name!r} (from the file's name) must be letters, digits, '_', '.' "
                                  "or '-', since it names folders: give `name = ...`")
    _check_sources(parsed.sources, where)
    return RunConfig(name=name, class_set=parsed.class_set, sources=parsed.sources, accuracy=parsed.accuracy,
                     classes_file=parsed.classes_file, curation=parsed.curation, options=parsed.options, file=file)


def _check_sources(sources: tuple[Source, ...], where: str) -> None:
    """What the schema cannot say: at least one source, unique names, somewhere to read each from."""
    if not sources:
        raise RunFileError(where, "a run needs at least one [[sources]] entry")
    names = [source.name for source in sources]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise RunFileError(where, f"source names must be unique: {', '.join(map(repr, repeated))} is repeated")
    for index, source in enumerate(sources):
        if source.path is None and source.hub is None:
            raise RunFileError(where, f"sources[{index}] ({source.name}) needs a path or a hub id")
        if source.format == "hf" and (source.hub is None or not source.hub.dataset):
            raise RunFileError(where, f"sources[{index}] ({source.name}): format \"hf\" needs hub = {{ dataset = ... }}")
