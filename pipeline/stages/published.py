"""Stage published: counts class names the way Zhang et al. 2024 did (sentences, display names, quirks included)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from ..core.shards import ShardTask, shard_files
from ..core.sql import replace_table, row_count, run_sql
from ..core.stage import StageOutput, database_transaction
from ..core.step import Stage, StageContext
from ..text.published import name_counts, resolve_splitter, sentence_totals, vocabulary

PUBLISHED_TABLES = ("published_names", "published_name_counts", "published_sentences")


def _splitter(context: StageContext) -> tuple[str, str]:
    return resolve_splitter(context.run.options.vlmclassifier.sentence_splitter)


def parameters(context: StageContext) -> dict[str, Any]:
    return {"sentence_splitter": _splitter(context)[0]}


def body(context: StageContext, output_dir: Path) -> StageOutput:
    run = context.run
    splitter, why = _splitter(context)
    classes_file = context.upstream["synonyms"]["outputs"]["classes"]
    shards = shard_files(context.upstream["ingest"]["outputs"]["documents"])
    targets = [str(output_dir / Path(shard).name) for shard in shards]
    task = ShardTask(columns=("stage", "role", "text"),
                     process=functools.partial(name_counts, classes_file=classes_file, splitter=splitter))
    sentences = sentence_totals(context.executor.map_shards(task, shards, targets, desc="published"))
    names = vocabulary(classes_file, splitter).names
    with database_transaction(run.database, "published") as connection:
        replace_table(connection, "published_names", names)
        replace_table(connection, "published_sentences", sentences)
        run_sql(connection, "load_published_counts", {"count_files": targets})
        n_counts = row_count(connection, "published_name_counts")
    return StageOutput(
        outputs={"counts": str(output_dir), "database": str(run.database)},
        rows={"names": names.height, "name_counts": n_counts, "sentences": int(sentences["n_sentences"].sum())},
        details={"sentence_splitter": splitter, "why": why,
                 "names_changed_by_tokenization": names.filter("key_changed")["display_name"].to_list()},
    )


STAGE = Stage(name="published", summary=__doc__.splitlines()[0], needs=("ingest", "synonyms"), body=body,
              parameters=parameters, tables=PUBLISHED_TABLES, maps_shards=True)
