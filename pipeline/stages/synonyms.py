"""Stage synonyms: builds the class set's lexicon (WordNet synonyms, curated additions and exclusions, flags)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from ..core.paths import SYNONYMS_DIR
from ..core.stage import StageOutput, file_stat
from ..core.step import Stage, StageContext
from ..lexicon.classsets import load_class_set
from ..lexicon.synonyms import (
    NAME_VARIANTS,
    build_lexicon,
    class_context,
    curation_paths,
    hypernym_terms,
    read_curation,
    wordnet_sense_stats,
)


def parameters(context: StageContext) -> dict[str, Any]:
    run = context.run
    read = [SYNONYMS_DIR / run.class_set / "classes.csv", *curation_paths(run.class_set).values()]
    files = [file_stat(path) for path in read if path.exists()]
    if run.classes_file:
        files.append(file_stat(run.classes_file))
    return {"class_set": run.class_set, "files": files}


def body(context: StageContext, output_dir: Path) -> StageOutput:
    run = context.run
    classes = load_class_set(run.class_set, run.classes_file)
    curation, variants = read_curation(run.class_set), NAME_VARIANTS.get(run.class_set)
    unflagged, _ = build_lexicon(classes, curation, name_variants=variants)
    senses = wordnet_sense_stats(classes, unflagged.filter(pl.col("status") != "blocked").select("class_id", "term", "text"))
    lexicon, dropped = build_lexicon(classes, curation, senses, variants)
    context_words = class_context(classes, lexicon, curation)
    parents = hypernym_terms(classes, lexicon)
    outputs = {"classes": classes, "lexicon": lexicon, "dropped_terms": dropped, "class_context": context_words,
               "hypernym_terms": parents}
    for name, frame in outputs.items():
        frame.write_parquet(output_dir / f"{name}.parquet")
    counted = lexicon.filter(pl.col("status") == "counted")
    return StageOutput(
        outputs={name: str(output_dir / f"{name}.parquet") for name in outputs},
        rows={name: frame.height for name, frame in outputs.items()},
        details={
            "classes_without_terms": classes.join(counted, on="class_id", how="anti").height,
            "shared_terms": counted.filter(pl.col("n_classes") > 1)["term"].n_unique(),
            "flagged_terms": counted.filter("flagged").height,
            "excluded_terms": lexicon.filter(pl.col("status") == "excluded").height,
            "blocking_compounds": lexicon.filter(pl.col("status") == "blocked")["term"].n_unique(),
        },
    )


STAGE = Stage(name="synonyms", summary=__doc__.splitlines()[0], needs=(), body=body, parameters=parameters)
