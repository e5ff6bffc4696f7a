"""Stage ingest: reads the run's sources into `documents` Parquet shards, with rejects and provenance."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl

from ..core.config import INPUT_POLICIES
from ..core.stage import StageOutput, file_sha256
from ..core.step import Stage, StageContext
from ..readers.sources import DEFAULT_SHARD_SIZE, REJECT_SCHEMA, ingest_source, resolve_source_path, source_identity


def _settings(context: StageContext) -> tuple[str, int]:
    run = context.run
    return run.option("input_policy", INPUT_POLICIES[0]), int(run.option("shard_size", DEFAULT_SHARD_SIZE))


def parameters(context: StageContext) -> dict[str, Any]:
    policy, shard_size = _settings(context)
    return {"sources": [source_identity(s) for s in context.run.sources], "policy": policy, "shard_size": shard_size}


def body(context: StageContext, output_dir: Path) -> StageOutput:
    policy, shard_size = _settings(context)
    out = StageOutput(outputs={"documents": str(output_dir)})
    all_rejects: list[dict[str, Any]] = []
    provenance = []
    # each local file is hashed on a thread while it is read (hashlib lets go of the GIL)
    with ThreadPoolExecutor(max_workers=1) as hasher:
        for source in context.run.sources:
            local = source.format != "hf" and source.path is not None and source.path.exists()
            digest = hasher.submit(file_sha256, source.path) if local else None
            result = ingest_source(source, output_dir, shard_size, policy)
            all_rejects.extend(result["rejects"])
            out.rows[source.name] = result["counts"].get("documents", 0)
            path = resolve_source_path(source) if source.format != "hf" else None
            sha256 = digest.result() if digest is not None and path == source.path else (
                file_sha256(path) if path else None)
            provenance.append(
                {
                    "source": source.name,
                    "stage": source.stage,
                    "format": source.format,
                    "path": str(path) if path else None,
                    "hub": source.hub,
                    "bytes": path.stat().st_size if path else None,
                    "sha256": sha256,
                    **result["counts"],
                    "rejects": len(result["rejects"]),
                    "rejects_by_reason": dict(Counter(r["reason"] for r in result["rejects"])),
                    "shards": result["shards"],
                    "reader": result["reader"],
                    **({"reader_note": result["reader_note"]} if "reader_note" in result else {}),
                }
            )
    if all_rejects:
        pl.DataFrame(all_rejects, schema=REJECT_SCHEMA).write_parquet(output_dir / "rejects.parquet")
        out.outputs["rejects"] = str(output_dir / "rejects.parquet")
        out.rejects = dict(Counter(r["reason"] for r in all_rejects))
    out.details["sources"] = provenance
    return out


STAGE = Stage(name="ingest", summary=__doc__.splitlines()[0], needs=(), body=body,
              parameters=parameters)
