"""Stage 1, ingest: sources → `documents` Parquet shards, one row per text unit (a caption or a turn)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from .config import RunConfig, Source
from .errors import ClassfreqError, InputError
from .progress import progress
from .readers import FORMATS, READERS, Record, Rejected, read_hub_dataset
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
INPUT_POLICIES = ("fail", "skip")


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
            from huggingface_hub import hf_hub_download

            return Path(hf_hub_download(hub["repo"], hub["file"], repo_type="dataset"))
        except Exception as error:  # offline, gated, or missing: all end in the same advice
            target = source.path or Path(hub["file"])
            raise ClassfreqError(
                f"source {source.name!r}: no local file at {target}, and downloading {hub['file']} from the Hugging Face "
                f"hub ({hub['repo']}) failed: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}\n"
                f"Download it (https://huggingface.co/datasets/{hub['repo']}) and put it at {target}, "
                "or point the run's path at your copy."
            ) from None
    raise ClassfreqError(f"source {source.name!r}: no file at {source.path}")


def read_source(source: Source) -> Iterator[Record | Rejected]:
    if source.format not in FORMATS:
        raise ClassfreqError(f"source {source.name!r}: unknown format {source.format!r} (known: {', '.join(FORMATS)})")
    if source.format == "hf":
        return read_hub_dataset(source.path, source.options, source.hub or {})
    return READERS[source.format](resolve_source_path(source), source.options)


def _write_shard(rows: list[dict[str, Any]], directory: Path, source: str, index: int) -> str:
    path = directory / f"{source}-{index:05d}.parquet"
    pl.DataFrame(rows, schema=DOCUMENT_SCHEMA).write_parquet(path)
    return path.name


def ingest_source(source: Source, directory: Path, shard_size: int, policy: str) -> dict[str, Any]:
    """Streams one source into shards; returns its counts, rejects and shard names."""
    shards, rows, index = [], [], 0
    counts: Counter = Counter()
    rejects: list[dict[str, Any]] = []
    with progress(desc=f"ingest {source.name}", unit=" records") as bar:
        for item in read_source(source):
            bar.update()
            if isinstance(item, Rejected):
                where = f"record {item.position}" + (f", field {item.field!r}" if item.field else "")
                if policy == "fail":
                    raise ClassfreqError(
                        f"{source.path or source.hub}: {where}: {item.reason}\n"
                        "(set options.input_policy = \"skip\" to write bad records to a rejects file and go on)"
                    )
                rejects.append({"source": source.name, "record": item.position, "field": item.field, "reason": item.reason})
                continue
            documents, empty = record_documents(item, source.name, source.stage)
            counts["records"] += 1
            counts["empty_texts"] += empty
            rows.extend(documents)
            if len(rows) >= shard_size:
                shards.append(_write_shard(rows, directory, source.name, index))
                counts["documents"] += len(rows)
                rows, index = [], index + 1
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
    policy = run.option("input_policy", "fail")
    if policy not in INPUT_POLICIES:
        raise ClassfreqError(f"options.input_policy must be one of {', '.join(INPUT_POLICIES)}, got {policy!r}")
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
                    "shards": result["shards"],
                }
            )
        if all_rejects:
            pl.DataFrame(all_rejects).write_parquet(output_dir / "rejects.parquet")
            out.outputs["rejects"] = str(output_dir / "rejects.parquet")
            out.rejects = dict(Counter(r["reason"] for r in all_rejects))
        out.details["sources"] = provenance
        return out

    return run_stage(run.work_dir, "ingest", inputs, body, force=force)
