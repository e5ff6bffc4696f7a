"""Ray Data executor: the normalize and match cores over `ray.data`, for corpora beyond one machine.

The same pure batch functions as the local process pool (`normalize_documents`, `match_lemmas`) run
as `map_batches` over the stage's Parquet shards, and Ray writes the output shards; the count stage
then aggregates them in DuckDB exactly as it does the local executor's. Chosen per run with
`options.executor = "ray"`; `options.ray_address` (or RAY_ADDRESS) names a cluster, otherwise Ray
starts locally with `options.workers` CPUs. Needs the `ray` extra: `pip install -e '.[ray]'`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import polars as pl

from .errors import ClassfreqError
from .match import MENTION_SCHEMA, match_lemmas, with_context_words
from .normalize import LEMMA_SCHEMA, UNIT_SCHEMA, normalize_documents
from .parallel import worker_count
from .progress import progress_enabled

BATCH_ROWS = 50_000


def _ray():
    try:
        import ray
        import ray.data
    except ImportError:
        raise ClassfreqError(
            "options.executor = \"ray\" needs Ray Data: pip install -e '.[ray]' (or use the local executor)"
        ) from None
    return ray


def start_ray(options: dict[str, Any]):
    """Connects to the run's cluster, or starts a local Ray with the run's worker count; reuses a running one."""
    ray = _ray()
    if not ray.is_initialized():
        address = options.get("ray_address") or os.environ.get("RAY_ADDRESS")
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=worker_count(options.get("workers", 0)), include_dashboard=False, log_to_driver=False)
    ray.data.DataContext.get_current().enable_progress_bars = progress_enabled()
    return ray


def _to_arrow(frame: pl.DataFrame):
    # plain (large) strings: Ray's Parquet writer and older readers do not all know Arrow's string views
    return frame.to_arrow(compat_level=pl.CompatLevel.oldest())


def _written(output_dir: Path, schema: dict) -> list[Path]:
    """The shards Ray wrote; one empty shard when there were no rows, so readers always find a file."""
    files = sorted(output_dir.glob("*.parquet"))
    if not files:
        files = [output_dir / "empty.parquet"]
        pl.DataFrame(schema=schema).write_parquet(files[0])
    return files


def normalize_batch(batch) -> Any:
    return _to_arrow(normalize_documents(pl.from_arrow(batch)))


def match_batch(batch, terms: pl.DataFrame, term_context: pl.DataFrame) -> Any:
    lemmas = pl.from_arrow(batch)
    return _to_arrow(with_context_words(lemmas, match_lemmas(lemmas, terms), term_context))


def normalize_with_ray(shards: list[str], output_dir: Path, options: dict[str, Any]) -> int:
    """Lemma-stream shards in `output_dir` from document shards; returns the number of words."""
    ray = start_ray(options)
    (
        ray.data.read_parquet(shards).select_columns([*UNIT_SCHEMA, "text"])
        .map_batches(normalize_batch, batch_format="pyarrow", batch_size=BATCH_ROWS)
        .write_parquet(str(output_dir))
    )
    files = _written(output_dir, LEMMA_SCHEMA)
    return int(pl.scan_parquet(files).select(pl.col("n_words").sum()).collect().item() or 0)


def match_with_ray(shards: list[str], terms: pl.DataFrame, term_context: pl.DataFrame, output_dir: Path,
                   options: dict[str, Any]) -> int:
    """Mention shards in `output_dir` from lemma-stream shards; returns the number of mentions."""
    ray = start_ray(options)
    (
        ray.data.read_parquet(shards).select_columns([*UNIT_SCHEMA, "lemmas"])
        .map_batches(match_batch, fn_kwargs={"terms": terms, "term_context": term_context}, batch_format="pyarrow", batch_size=BATCH_ROWS)
        .write_parquet(str(output_dir))
    )
    schema = {**UNIT_SCHEMA, **MENTION_SCHEMA, "context": pl.List(pl.String)}
    return pl.scan_parquet(_written(output_dir, schema)).select(pl.len()).collect().item()
