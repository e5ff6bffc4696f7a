"""Stage match: finds the lexicon's terms in every lemma-stream shard, longest first, into mention shards."""

from __future__ import annotations

import functools
from pathlib import Path

import polars as pl

from ..core.shards import SHARD_PARQUET, ShardTask, shard_files
from ..core.stage import StageOutput
from ..core.step import Stage, StageContext
from ..text.match import flagged_terms, mention_shard, relative_words, term_context, term_index, warm_up
from ..text.normalize import UNIT_SCHEMA


def body(context: StageContext, output_dir: Path) -> StageOutput:
    lexicon = context.upstream["synonyms"]["outputs"]
    lexicon_rows = pl.read_parquet(lexicon["lexicon"])
    confirming = term_context(lexicon_rows, pl.read_parquet(lexicon["class_context"]))
    task = ShardTask(columns=(*UNIT_SCHEMA, "lemmas", "proper_names"),
                     process=functools.partial(mention_shard, terms=term_index(lexicon_rows), term_context=confirming,
                                               flagged_terms=flagged_terms(lexicon_rows),
                                               relatives=relative_words(pl.read_parquet(lexicon["sense_seeds"]))),
                     write_options=SHARD_PARQUET)
    shards = shard_files(context.upstream["normalize"]["outputs"]["lemmas"])
    found = sum(context.executor.map_shards(task, shards, [str(output_dir / Path(s).name) for s in shards],
                                            desc="match"))
    return StageOutput(outputs={"mentions": str(output_dir)}, rows={"mentions": found},
                       details={"executor": context.executor.name})


STAGE = Stage(name="match", summary=__doc__.splitlines()[0], needs=("normalize", "synonyms"), body=body,
              maps_shards=True, warm_up=warm_up)
