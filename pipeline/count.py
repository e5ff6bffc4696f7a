"""Stage 5, count: documents' summary, lexicon and mentions into DuckDB, and the frequency tables from `sql/`.

Every mention gets a weight under each disambiguation policy (`sql/load_mentions.sql`; the view
`mention_weights` lists them long); the run's policy (`options.policy`) gives `class_frequency` and
`class_frequency_by_scope` their n_docs, n_mentions and n_conversations, with the raw counts (policy
keep) beside them, and `class_frequency_by_policy` holds every policy side by side. The mention shards
carry each text unit's source, stage, role and conversation, and the context words of flagged terms,
so the count never reads the documents or lemma streams beyond their summary columns.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from .config import RunConfig
from .devset import DEVSET
from .errors import ClassfreqError
from .evaluate import write_evaluation
from .match import match_lemmas, term_index
from .normalize import UNIT_SCHEMA
from .sql import drop_relation, quote_identifier, replace_table, run_sql, tables_exist
from .stage import StageOutput, database_transaction, file_stat, require_manifest, run_stage

POLICIES = ("keep", "drop", "split", "context")
#: The policy with the best precision at recall >= 0.9 on the development set (`make evaluate`).
DEFAULT_POLICY = "context"
COUNT_TABLES = ("classes", "lexicon", "class_context", "hypernym_terms", "documents_summary", "mentions",
                "uncounted_mentions", "hypernym_mentions", "mention_weights", "class_frequency_by_policy",
                "class_frequency", "class_frequency_by_scope")


def run_policy(run: RunConfig) -> str:
    policy = run.option("policy", DEFAULT_POLICY)
    if policy not in POLICIES:
        where = run.file or run.name
        raise ClassfreqError(f"{where}: options.policy must be one of {', '.join(POLICIES)}, got {policy!r}")
    return policy


def _parquet_files(directory: str) -> list[str]:
    return sorted(str(p) for p in Path(directory).glob("*.parquet") if p.name != "rejects.parquet")


def parent_matches(lemmas: pl.DataFrame, lexicon: pl.DataFrame, parents: pl.DataFrame) -> pl.DataFrame:
    """Pure core: matches of the classes' hypernym terms (UNIT_SCHEMA's columns, term) in lemma streams.

    Class terms are matched too, so a class name hides the parent inside it ("tabby cat" is not
    also "cat"); only the parent matches are returned.
    """
    index = term_index(pl.concat([lexicon.select("term"), parents.select("term")]))
    found = match_lemmas(lemmas, index)
    return found.filter(pl.col("term").is_in(parents["term"].unique().implode())).select(*UNIT_SCHEMA, "term")


def count(run: RunConfig, force: bool = False):
    ingested = require_manifest(run.work_dir, "ingest", "count")
    normalized = require_manifest(run.work_dir, "normalize", "count")
    lexicon = require_manifest(run.work_dir, "synonyms", "count")
    matched = require_manifest(run.work_dir, "match", "count")
    policy = run_policy(run)
    inputs = {stage: manifest["fingerprint"] for stage, manifest in
              {"ingest": ingested, "normalize": normalized, "synonyms": lexicon, "match": matched}.items()}
    inputs["policy"] = policy
    # off by default: a second matching pass, and parent terms such as "dog" stand for a hundred classes
    hypernyms = bool(run.option("hypernyms", False))
    inputs["hypernyms"] = hypernyms
    inputs["devset"] = file_stat(DEVSET) if DEVSET.exists() else None
    files = {
        "lemma_files": _parquet_files(normalized["outputs"]["lemmas"]),
        "mention_files": _parquet_files(matched["outputs"]["mentions"]),
    }

    def body(_output_dir: Path, _digest: str) -> StageOutput:
        terms = pl.read_parquet(lexicon["outputs"]["lexicon"])
        parents = pl.read_parquet(lexicon["outputs"]["hypernym_terms"])
        hypernym_matches = pl.concat(
            [parent_matches(pl.read_parquet(path, columns=[*UNIT_SCHEMA, "lemmas"]), terms, parents)
             for path in files["lemma_files"] if hypernyms] or [pl.DataFrame(schema={**UNIT_SCHEMA, "term": pl.String})]
        )
        with database_transaction(run.database, "count") as connection:
            # row order is no table's definition; keeping it makes DuckDB hold large inserts in memory
            connection.execute("set preserve_insertion_order = false")
            for table in ("classes", "lexicon", "class_context", "hypernym_terms"):
                connection.execute(f"create or replace table {quote_identifier(table)} as select * from read_parquet($path)",
                                   {"path": lexicon["outputs"][table]})
            replace_table(connection, "hypernym_matches", hypernym_matches)
            run_sql(connection, "load_documents_summary", {"lemma_files": files["lemma_files"]})
            run_sql(connection, "load_mentions", {"mention_files": files["mention_files"]})
            run_sql(connection, "load_uncounted_mentions", {"mention_files": files["mention_files"]})
            run_sql(connection, "load_hypernym_mentions")
            connection.execute("drop table hypernym_matches")
            drop_relation(connection, "mention_weights")  # a table before it became a view of `mentions`
            run_sql(connection, "mention_weights")
            run_sql(connection, "load_class_documents")
            run_sql(connection, "class_frequency_by_policy")
            run_sql(connection, "class_frequency", {"policy": policy})
            run_sql(connection, "class_frequency_by_scope", {"policy": policy})
            rows = {"devset_occurrences": write_evaluation(connection, run) if DEVSET.exists() else 0}
            rows |= {table: connection.execute(f"select count(*) from {quote_identifier(table)}").fetchall()[0][0] for table in COUNT_TABLES}
        return StageOutput(outputs={"database": str(run.database)}, rows=rows,
                           details={"policy": policy, "hypernyms": hypernyms})

    return run_stage(run.work_dir, "count", inputs, body, force=force, writes_files=False,
                     outputs_exist=lambda manifest: tables_exist(run.database, COUNT_TABLES))
