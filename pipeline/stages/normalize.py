"""Stage normalize: lower-cases, tokenizes and lemmatizes every document shard into lemma-stream shards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.shards import ShardTask, shard_files
from ..core.stage import StageOutput
from ..core.step import Stage, StageContext
from ..text.normalize import LEMMA_SHARD_PARQUET, TOKEN_PATTERN, UNIT_SCHEMA, lemma_shard, warm_up

TASK = ShardTask(columns=(*UNIT_SCHEMA, "text"), process=lemma_shard, write_options=LEMMA_SHARD_PARQUET)


def parameters(context: StageContext) -> dict[str, Any]:
    return {"token_pattern": TOKEN_PATTERN, "lemmas": "spacy-lookups-data en"}


def body(context: StageContext, output_dir: Path) -> StageOutput:
    shards = shard_files(context.upstream["ingest"]["outputs"]["documents"])
    words = sum(context.executor.map_shards(TASK, shards, [str(output_dir / Path(s).name) for s in shards],
                                            desc="normalize"))
    return StageOutput(outputs={"lemmas": str(output_dir)}, rows={"words": words},
                       details={"executor": context.executor.name})


STAGE = Stage(name="normalize", summary=__doc__.splitlines()[0], needs=("ingest",), body=body,
              parameters=parameters, maps_shards=True, warm_up=warm_up)
