"""Stage ingest: reads the run's sources into `documents` Parquet shards, with rejects and provenance."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import polars as pl

from ..core.shards import write_parquet
from ..core.stage import StageOutput
from ..core.step import Stage, StageContext
from ..readers.sources import REJECT_SCHEMA, ingest_sources, source_identity


def _settings(context: StageContext) -> tuple[str, int]:
    run = context.run
    return run.options.input_policy, run.options.shard_size


def parameters(context: StageContext) -> dict[str, Any]:
    policy, shard_size = _settings(context)
    return {"sources": [source_identity(s) for s in context.run.sources], "policy": policy, "shard_size": shard_size}


def body(context: StageContext, output_dir: Path) -> StageOutput:
    policy, shard_size = _settings(context)
    ingested = ingest_sources(context.run.sources, output_dir, shard_size, policy)
    out = StageOutput(outputs={"documents": str(output_dir)}, rows=ingested["rows"],
                      details={"sources": ingested["provenance"]})
    if ingested["rejects"]:
        write_parquet(pl.DataFrame(ingested["rejects"], schema=REJECT_SCHEMA), output_dir / "rejects.parquet")
        out.outputs["rejects"] = str(output_dir / "rejects.parquet")
        out.rejects = dict(Counter(r["reason"] for r in ingested["rejects"]))
    return out


STAGE = Stage(name="ingest", summary=__doc__.splitlines()[0], needs=(), body=body,
              parameters=parameters)
