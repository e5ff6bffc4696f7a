"""Stage count: documents' summary, lexicon and mentions into DuckDB, and the frequency tables from `sql/`.

Every mention gets a weight under each disambiguation policy (`sql/load_mentions.sql`; the view
`mention_weights` lists them long); the run's policy (`options.policy`) gives `class_frequency` and
`class_frequency_by_scope` their n_docs, n_mentions and n_conversations, with the raw counts (policy
keep) beside them, and `class_frequency_by_policy` holds every policy side by side. The mention shards
carry each text unit's source, stage, role and conversation, and the context words of flagged terms,
so the count never reads the documents or lemma streams beyond their summary columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from ..core.paths import DEVSET, LABELS_DIR
from ..core.policies import EXPECTED_POLICY, POLICIES
from ..core.shards import shard_files
from ..core.sql import drop_relation, load_parquet_table, replace_table, row_count, run_sql
from ..core.stage import StageOutput, database_transaction, file_stat
from ..core.step import Stage, StageContext
from ..stats.evaluation import write_evaluations
from ..stats.policy_checks import policy_warnings
from ..stats.sense_model import WORKING_TABLES, run_sense_model
from ..text.match import parent_matches_in_shards

COUNT_TABLES = ("classes", "lexicon", "class_context", "hypernym_terms", "sense_seeds", "mention_senses",
                "sense_collocations", "documents_summary", "mentions",
                "uncounted_mentions", "hypernym_mentions", "mention_weights", "class_frequency_by_policy",
                "class_frequency", "class_frequency_by_scope", "policy_cuts", "uncountable_terms")
LEXICON_TABLES = ("classes", "lexicon", "class_context", "hypernym_terms", "sense_seeds")


def parameters(context: StageContext) -> dict[str, Any]:
    return {"policy": context.run.options.policy, "hypernyms": context.run.options.hypernyms,
            "devset": file_stat(DEVSET) if DEVSET.exists() else None,
            "labels": [file_stat(path) for path in sorted(LABELS_DIR.glob("*.csv"))]}


def body(context: StageContext, _output_dir: Path) -> StageOutput:
    run, lexicon = context.run, context.upstream["synonyms"]["outputs"]
    policy, hypernyms = run.options.policy, run.options.hypernyms
    lemma_files = shard_files(context.upstream["normalize"]["outputs"]["lemmas"])
    mention_files = shard_files(context.upstream["match"]["outputs"]["mentions"])
    terms = pl.read_parquet(lexicon["lexicon"])
    hypernym_matches = parent_matches_in_shards(lemma_files if hypernyms else [], terms,
                                                pl.read_parquet(lexicon["hypernym_terms"]))
    with database_transaction(run.database, "count") as connection:
        run_sql(connection, "count_settings")
        run_sql(connection, "macros/scope_of")
        run_sql(connection, "macros/mention_key")
        for table in LEXICON_TABLES:
            load_parquet_table(connection, table, lexicon[table])
        replace_table(connection, "hypernym_matches", hypernym_matches)
        run_sql(connection, "load_documents_summary", {"lemma_files": lemma_files})
        run_sense_model(connection, mention_files)
        run_sql(connection, "load_mentions", {"mention_files": mention_files})
        run_sql(connection, "load_uncounted_mentions", {"mention_files": mention_files})
        run_sql(connection, "load_hypernym_mentions")
        drop_relation(connection, "hypernym_matches")
        drop_relation(connection, "mention_weights")  # a table before it became a view of `mentions`
        run_sql(connection, "mention_weights")
        run_sql(connection, "load_class_documents")
        run_sql(connection, "class_frequency_by_policy", {"policies": list(POLICIES), "expected_policy": EXPECTED_POLICY})
        run_sql(connection, "class_frequency", {"policy": policy})
        run_sql(connection, "class_frequency_by_scope", {"policy": policy, "expected_policy": EXPECTED_POLICY})
        warnings = policy_warnings(connection, policy, terms, pl.read_parquet(lexicon["class_context"]))
        for table in WORKING_TABLES:
            drop_relation(connection, table)
        rows = write_evaluations(connection, run) | {table: row_count(connection, table) for table in COUNT_TABLES}
    return StageOutput(outputs={"database": str(run.database)}, rows=rows, details={"policy": policy, "hypernyms": hypernyms},
                       warnings=warnings)


STAGE = Stage(name="count", summary=__doc__.splitlines()[0], needs=("ingest", "normalize", "synonyms", "match"),
              body=body, parameters=parameters, tables=COUNT_TABLES, writes_folder=False)
