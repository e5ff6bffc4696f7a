"""Stage 5, count: documents' summary, lexicon and mentions into DuckDB, and the frequency tables from `sql/`."""

from __future__ import annotations

from pathlib import Path

from .config import RunConfig
from .sql import quote_identifier, run_sql, tables_exist
from .stage import StageOutput, database_transaction, require_manifest, run_stage

COUNT_TABLES = ("classes", "lexicon", "documents_summary", "mentions", "class_frequency", "class_frequency_by_scope")


def _parquet_files(directory: str) -> list[str]:
    return sorted(str(p) for p in Path(directory).glob("*.parquet") if p.name != "rejects.parquet")


def count(run: RunConfig, force: bool = False):
    ingested = require_manifest(run.work_dir, "ingest", "count")
    normalized = require_manifest(run.work_dir, "normalize", "count")
    lexicon = require_manifest(run.work_dir, "synonyms", "count")
    matched = require_manifest(run.work_dir, "match", "count")
    inputs = {stage: manifest["fingerprint"] for stage, manifest in
              {"ingest": ingested, "normalize": normalized, "synonyms": lexicon, "match": matched}.items()}
    files = {
        "document_files": _parquet_files(ingested["outputs"]["documents"]),
        "lemma_files": _parquet_files(normalized["outputs"]["lemmas"]),
        "mention_files": _parquet_files(matched["outputs"]["mentions"]),
    }

    def body(_output_dir: Path, _digest: str) -> StageOutput:
        with database_transaction(run.database, "count") as connection:
            connection.execute("create or replace table classes as select * from read_parquet($path)",
                               {"path": lexicon["outputs"]["classes"]})
            connection.execute("create or replace table lexicon as select * from read_parquet($path)",
                               {"path": lexicon["outputs"]["lexicon"]})
            run_sql(connection, "load_documents_summary", {k: files[k] for k in ("document_files", "lemma_files")})
            run_sql(connection, "load_mentions", {k: files[k] for k in ("document_files", "mention_files")})
            run_sql(connection, "class_frequency")
            run_sql(connection, "class_frequency_by_scope")
            rows = {table: connection.execute(f"select count(*) from {quote_identifier(table)}").fetchone()[0] for table in COUNT_TABLES}
        return StageOutput(outputs={"database": str(run.database)}, rows=rows)

    return run_stage(run.work_dir, "count", inputs, body, force=force, writes_files=False,
                     outputs_exist=lambda manifest: tables_exist(run.database, COUNT_TABLES))
