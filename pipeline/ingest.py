"""Stage 1, ingest: sources → `documents` Parquet shards, one row per text unit (a caption or a turn)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from .config import INPUT_POLICIES, RunConfig, Source
from .errors import ClassfreqError, FileError, InputError
from .hub import download_dataset_file
from .progress import progress
from .readers import FORMATS, READERS, Record, read_hub_dataset
from .stage import StageOutput, file_sha256, file_stat, run_stage

DOCUMENT_SCHEMA = {
    "doc_id": pl.String,
    "source": pl.String,
    "stage": pl.String,
    "record": pl.Int64,
    "conversation_id": pl.String,
    "turn": pl.Int32,
    "role": pl.String,
    "text": pl.String,
}
_IMAGE_PLACEHOLDER = re.compile(r"\s*<image>\s*")
SKIP_HINT = '(set options.input_policy = "skip" to write bad records to a rejects file and go on)'
REJECT_SCHEMA = {name: pl.String for name in ("source", "path", "record", "field", "reason", "value")}


def strip_placeholders(text: str) -> str:
    # the substring test first: the pattern's leading \s* makes the regex try every position of every text
    if "<image>" not in text:
        return text.strip()
    return _IMAGE_PLACEHOLDER.sub(" ", text).strip()


def record_documents(record: Record, source: str, stage: str) -> tuple[list[dict[str, Any]], int]:
    """The documents of one record, and how many of its turns were empty once placeholders were removed."""
    conversation = f"{source}:{record.conversation or record.key}"
    documents, empty = [], 0
    for turn, (role, raw) in enumerate(record.turns):
        text = strip_placeholders(raw)
        if not text:
            empty += 1
            continue
        documents.append(
            {
                "doc_id": f"{source}:{record.position}:{turn}",
                "source": source,
                "stage": stage,
                "record": record.position,
                "conversation_id": conversation,
                "turn": turn,
                "role": role,
                "text": text,
            }
        )
    return documents, empty


def resolve_source_path(source: Source) -> Path:
    """The local file of a source; downloads it from the hub when there is none and the network allows."""
    if source.path and source.path.exists():
        return source.path
    hub = source.hub or {}
    if "repo" in hub and "file" in hub:
        try:
            return download_dataset_file(hub["repo"], hub["file"], source.path or Path(hub["file"]))
        except ClassfreqError as error:
            raise ClassfreqError(f"source {source.name!r}: {error}") from None
    raise ClassfreqError(f"source {source.name!r}: no file at {source.path}")


def read_source(source: Source) -> Iterator[Record | InputError]:
    if source.format not in FORMATS:
        raise ClassfreqError(f"source {source.name!r}: unknown format {source.format!r} (known: {', '.join(FORMATS)})")
    if source.format == "hf":
        return read_hub_dataset(source.path, source.options, source.hub or {})
    path = resolve_source_path(source)
    if path.stat().st_size == 0:
        raise FileError(path, "the file is empty")
    return READERS[source.format](path, source.options)


def until_broken(items: Iterator[Record | InputError]) -> Iterator[Record | InputError]:
    """The items of a reader; where the file breaks off (truncation, unreadable data), that break is the last item."""
    iterator = iter(items)
    while True:
        try:
            item = next(iterator)
        except StopIteration:
            return
        except FileError:
            raise
        except InputError as error:
            yield error
            return
        yield item


def _write_shard(rows: list[dict[str, Any]], directory: Path, source: str, index: int) -> str:
    path = directory / f"{source}-{index:05d}.parquet"
    pl.DataFrame(rows, schema=DOCUMENT_SCHEMA).write_parquet(path)
    return path.name


def ingest_source(source: Source, directory: Path, shard_size: int, policy: str) -> dict[str, Any]:
    """Streams one source into shards; returns its counts, rejects and shard names.

    Under the `fail` policy the first bad record stops the run with its place and reason; under
    `skip` it becomes a row of the rejects file and the source goes on.
    """
    shards, rows, index = [], [], 0
    counts: Counter = Counter()
    rejects: list[dict[str, Any]] = []
    with progress(desc=f"ingest {source.name}", unit=" records") as bar:
        for item in until_broken(read_source(source)):
            bar.update()
            if isinstance(item, InputError):
                if policy == "fail":
                    raise ClassfreqError(f"{item}\n{SKIP_HINT}") from None
                rejects.append({"source": source.name, **item.as_row()})
                continue
            documents, empty = record_documents(item, source.name, source.stage)
            counts["records"] += 1
            counts["empty_texts"] += empty
            rows.extend(documents)
            if len(rows) >= shard_size:
                shards.append(_write_shard(rows, directory, source.name, index))
                counts["documents"] += len(rows)
                rows, index = [], index + 1
    if not counts["records"] and not rejects:
        raise FileError(source.path or source.hub, "no records found")
    if rows or not shards:
        shards.append(_write_shard(rows, directory, source.name, index))
        counts["documents"] += len(rows)
    return {"counts": dict(counts), "rejects": rejects, "shards": shards}


def source_identity(source: Source) -> dict[str, Any]:
    identity = {"name": source.name, "stage": source.stage, "format": source.format, "options": source.options}
    if source.path and source.path.exists():
        identity["file"] = file_stat(source.path)
    else:
        identity["hub"] = source.hub
    return identity


def ingest(run: RunConfig, force: bool = False):
    policy = run.option("input_policy", INPUT_POLICIES[0])
    shard_size = int(run.option("shard_size", 200_000))
    inputs = {"sources": [source_identity(s) for s in run.sources], "policy": policy, "shard_size": shard_size}

    def body(output_dir: Path, _digest: str) -> StageOutput:
        out = StageOutput(outputs={"documents": str(output_dir)})
        all_rejects: list[dict[str, Any]] = []
        provenance = []
        for source in run.sources:
            result = ingest_source(source, output_dir, shard_size, policy)
            all_rejects.extend(result["rejects"])
            out.rows[source.name] = result["counts"].get("documents", 0)
            path = resolve_source_path(source) if source.format != "hf" else None
            provenance.append(
                {
                    "source": source.name,
                    "stage": source.stage,
                    "format": source.format,
                    "path": str(path) if path else None,
                    "hub": source.hub,
                    "bytes": path.stat().st_size if path else None,
                    "sha256": file_sha256(path) if path else None,
                    **result["counts"],
                    "rejects": len(result["rejects"]),
                    "rejects_by_reason": dict(Counter(r["reason"] for r in result["rejects"])),
                    "shards": result["shards"],
                }
            )
        if all_rejects:
            pl.DataFrame(all_rejects, schema=REJECT_SCHEMA).write_parquet(output_dir / "rejects.parquet")
            out.outputs["rejects"] = str(output_dir / "rejects.parquet")
            out.rejects = dict(Counter(r["reason"] for r in all_rejects))
        out.details["sources"] = provenance
        return out

    return run_stage(run.work_dir, "ingest", inputs, body, force=force)
