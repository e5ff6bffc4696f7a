"""Stage synonyms: builds the class set's lexicon (WordNet synonyms, curated additions and exclusions, flags)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.cache import reused_or_built
from ..core.config import RunConfig
from ..core.errors import ClassfreqError
from ..core.paths import SYNONYMS_DIR
from ..core.shards import write_parquet
from ..core.stage import StageOutput, file_stat, fingerprint, read_file_identity
from ..core.step import Stage, StageContext
from ..lexicon.classsets import load_class_set
from ..lexicon.synonyms import NAME_VARIANTS, class_set_lexicon, curation_paths, lexicon_summary, read_curation


def parameters(context: StageContext) -> dict[str, Any]:
    run = context.run
    read = [SYNONYMS_DIR / run.class_set / "classes.csv", *curation_paths(run.class_set).values()]
    files = [file_stat(path) for path in read if path.exists()]
    if run.classes_file:
        files.append(file_stat(run.classes_file))
    missing = [f"curation.{kind}: no file at {path}" for kind, path in run.curation.files.items() if not path.is_file()]
    if missing:
        raise ClassfreqError("; ".join(missing))
    # by kind: the same file given as additions or as exclusions makes another lexicon
    curation = {kind: file_stat(path) for kind, path in run.curation.files.items()}
    return {"class_set": run.class_set, "files": files, "curation": curation}


def build(run: RunConfig, output_dir: Path) -> dict[str, Any]:
    classes = load_class_set(run.class_set, run.classes_file)
    outputs = class_set_lexicon(classes, read_curation(run.class_set, run.curation.files), NAME_VARIANTS.get(run.class_set))
    for name, frame in outputs.items():
        write_parquet(frame, output_dir / f"{name}.parquet")
    return {"rows": {name: frame.height for name, frame in outputs.items()},
            "details": lexicon_summary(classes, outputs["lexicon"])}


def body(context: StageContext, output_dir: Path) -> StageOutput:
    # the key holds what the lexicon depends on (class set, class file, curation, code): another run with the
    # same class set reuses it instead of spending 10-15 s on WordNet again
    summary, reused = reused_or_built("lexicons", fingerprint(parameters(context)), output_dir,
                                      lambda folder: build(context.run, folder), rebuild=context.force)
    run = context.run
    # the run's own files, for the report's provenance (a cached lexicon was built from the same ones: its key
    # holds their identities)
    read = [read_file_identity(run.classes_file, "class file")] if run.classes_file else []
    read += [read_file_identity(path, f"curation: {kind}") for kind, path in run.curation.files.items()]
    return StageOutput(outputs={name: str(output_dir / f"{name}.parquet") for name in summary["rows"]},
                       rows=summary["rows"], details={**summary["details"], "reused_from_cache": reused, "files": read})


STAGE = Stage(name="synonyms", summary=__doc__.splitlines()[0], needs=(), body=body, parameters=parameters)
