"""Ingestion: sources → `documents` Parquet shards, one row per text unit (a caption or a turn)."""

from __future__ import annotations

import os
import re
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Self

import msgspec
import numpy as np
import polars as pl

from ..core.config import Source
from ..core.errors import ClassfreqError, FileError, InputError
from ..core.progress import progress
from ..core.shards import SHARD_PARQUET, write_parquet
from ..core.stage import file_sha256, file_stat
from .fast import (
    FAST_FORMATS,
    Batch,
    NotClean,
    fast_batches,
    strip_placeholders_series,
)
from .hub import download_dataset_file
from .streaming import READERS, Record, read_hub_dataset

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
# batches decoded ahead of the thread that builds their documents, and shards waiting to be written
IN_FLIGHT = 2
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
        # reading a named pipe or a device blocks or never ends; a folder is not one file either
        if not source.path.is_file():
            raise FileError(source.path, "is not a regular file")
        return source.path
    hub = source.hub
    if hub is not None and hub.repo and hub.file:
        try:
            return download_dataset_file(hub.repo, hub.file, source.path or Path(hub.file))
        except ClassfreqError as error:
            raise ClassfreqError(f"source {source.name!r}: {error}") from None
    raise ClassfreqError(f"source {source.name!r}: no file at {source.path}")


def check_sources_present(sources: tuple[Source, ...]) -> None:
    """Every source's file, found or fetched before any is read: one error names each that is missing, with
    where to put it, so that an offline set-up is completed in one go rather than one file per attempt."""
    problems = []
    for source in sources:
        if source.format == "hf":  # streamed: there is no file to look for
            continue
        try:
            resolve_source_path(source)
        except ClassfreqError as error:
            problems.append(error)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        listed = "\n".join("- " + str(problem).replace("\n", "\n  ") for problem in problems)
        raise ClassfreqError(f"{len(problems)} of the run's {len(sources)} sources have no file to read:\n{listed}")


def read_source(source: Source) -> Iterator[Record | InputError]:
    if source.format == "hf":
        return read_hub_dataset(source.options, source.hub)
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
    write_parquet(pl.DataFrame(rows, schema=DOCUMENT_SCHEMA), path, **SHARD_PARQUET)
    return path.name


def fast_ingest_enabled() -> bool:
    """CLASSFREQ_FAST_INGEST=off reads every source with the streaming readers (for comparisons and diagnosis)."""
    return os.environ.get("CLASSFREQ_FAST_INGEST", "on") != "off"


def ingest_source(source: Source, directory: Path, shard_size: int, policy: str, fast: bool | None = None) -> dict[str, Any]:
    """Reads one source into shards; returns its counts, rejects, shard names and which reader read it.

    A source in a fast format is read by its vectorized reader first; at the first sign of input that
    is not clean, what it wrote is removed and the source is read again by the streaming reader, which
    alone reports bad records. Both write the same shards.
    """
    declined = None
    if (fast_ingest_enabled() if fast is None else fast) and source.format in FAST_FORMATS:
        written: list[str] = []
        try:
            return {**ingest_source_fast(source, directory, shard_size, written), "reader": "fast"}
        except NotClean as reason:
            declined = str(reason)
            for name in written:
                (directory / name).unlink(missing_ok=True)
    result = ingest_source_streaming(source, directory, shard_size, policy)
    result["reader"] = "streaming"
    if declined:
        result["reader_note"] = f"the fast reader declined: {declined}"
    return result


def ingest_source_streaming(source: Source, directory: Path, shard_size: int, policy: str) -> dict[str, Any]:
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


def batch_documents(batch: Batch, source: str, stage: str) -> tuple[pl.DataFrame, int]:
    """`record_documents` over a whole batch: the documents of its turns whose text is not empty once stripped,
    and how many turns were empty."""
    turns = batch.build()
    turns = turns.with_columns(strip_placeholders_series(turns.get_column("text")))
    # "source:record" is the start of every doc_id, and the conversation id of every record without a key
    prefix = pl.col("prefix")
    single_turns = turns.get_column("turn").max() == 0
    doc_id = pl.concat_str([prefix, pl.lit(":0")]) if single_turns else pl.concat_str(
        [prefix, pl.lit(":"), pl.col("turn").cast(pl.String)])
    keyed = turns.get_column("key").null_count() < len(turns)
    conversation = pl.coalesce(pl.concat_str([pl.lit(f"{source}:"), pl.col("key")]), prefix) if keyed else prefix
    documents = (
        turns.lazy()
        .filter(pl.col("text") != "")
        .with_columns(pl.concat_str([pl.lit(f"{source}:"), pl.col("record").cast(pl.String)]).alias("prefix"))
        .select(
            doc_id.alias("doc_id"),
            pl.lit(source, dtype=pl.String).alias("source"),
            pl.lit(stage, dtype=pl.String).alias("stage"),
            pl.col("record"),
            conversation.alias("conversation_id"),
            pl.col("turn"),
            pl.col("role"),
            pl.col("text"),
        )
        .collect()
    )
    return documents, turns.height - documents.height


class ShardWriter:
    """Shards cut where the streaming ingest cuts them: after the record that brings a shard to `shard_size` rows.

    Shards are written on a thread of their own, at most two waiting; `close` (or leaving the `with` block)
    waits for every write, so nothing is written once the writer is closed.
    """

    def __init__(self, directory: Path, source: str, shard_size: int, written: list[str]):
        self.directory, self.source, self.shard_size = directory, source, shard_size
        self.pending: list[pl.DataFrame] = []
        self.pending_rows = 0
        self.shards = written
        self.documents = 0
        self._thread = ThreadPoolExecutor(max_workers=1)
        self._writes: deque[Future] = deque()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        for future in self._writes:
            future.cancel()
        self._thread.shutdown(wait=True)

    def add(self, documents: pl.DataFrame) -> None:
        if not len(documents):
            return
        records = documents.get_column("record").to_numpy()
        # rows up to and including each record's last document
        ends = np.append(np.flatnonzero(records[1:] != records[:-1]), len(records) - 1) + 1
        start = 0
        while True:
            k = int(np.searchsorted(ends, start + self.shard_size - self.pending_rows, side="left"))
            if k == len(ends):
                break
            self._write([*self.pending, documents.slice(start, int(ends[k]) - start)])
            start = int(ends[k])
        if start < len(documents):
            self.pending.append(documents.slice(start))
            self.pending_rows += len(documents) - start

    def close(self) -> None:
        if self.pending or not self.shards:
            self._write(self.pending)
        while self._writes:
            self._writes.popleft().result()

    def _write(self, frames: list[pl.DataFrame]) -> None:
        frame = pl.concat(frames) if frames else pl.DataFrame(schema=DOCUMENT_SCHEMA)
        path = self.directory / f"{self.source}-{len(self.shards):05d}.parquet"
        self.shards.append(path.name)
        self.documents += len(frame)
        self.pending, self.pending_rows = [], 0
        self._writes.append(self._thread.submit(write_parquet, frame, path, **SHARD_PARQUET))
        while len(self._writes) > IN_FLIGHT:
            self._writes.popleft().result()


def ingest_source_fast(source: Source, directory: Path, shard_size: int, written: list[str]) -> dict[str, Any]:
    """One source through its vectorized reader into the shards the streaming ingest writes; NotClean where it cannot.

    The reader (which holds the GIL while it decodes) runs on this thread; building and writing the documents
    of the batch before (polars, which lets go of it) on a second one, at most two batches ahead.
    """
    path = resolve_source_path(source)
    if path.stat().st_size == 0:
        raise NotClean("the file is empty")
    writer = ShardWriter(directory, source.name, shard_size, written)

    def store(batch: Batch) -> int:
        documents, empty = batch_documents(batch, source.name, source.stage)
        writer.add(documents)
        return empty

    records = empty = 0
    in_flight: deque[Future] = deque()
    with writer, ThreadPoolExecutor(max_workers=1) as worker, progress(desc=f"ingest {source.name}", unit=" records") as bar:
        try:
            for batch in fast_batches(source.format, path, source.options):
                in_flight.append(worker.submit(store, batch))
                records += batch.records
                bar.update(batch.records)
                del batch
                while len(in_flight) > IN_FLIGHT:
                    empty += in_flight.popleft().result()
            while in_flight:
                empty += in_flight.popleft().result()
            if not records:
                raise NotClean("no records")
            writer.close()
        finally:
            for future in in_flight:  # on the way out with an error: nothing may be written after the caller cleans up
                future.cancel()
    counts = {"records": records, "empty_texts": empty, "documents": writer.documents}
    return {"counts": counts, "rejects": [], "shards": list(writer.shards)}


def source_identity(source: Source) -> dict[str, Any]:
    identity = {"name": source.name, "stage": source.stage, "format": source.format, "options": source.options}
    if source.path and source.path.exists():
        identity["file"] = file_stat(source.path)
    else:
        identity["hub"] = msgspec.structs.asdict(source.hub) if source.hub else None
    return identity


def ingest_sources(sources: tuple[Source, ...], directory: Path, shard_size: int, policy: str) -> dict[str, Any]:
    """Every source into document shards in `directory`: rows per source, the rejects, and each source's
    provenance (its file, size and SHA-256, counts, rejects per reason, shards, and which reader read it)."""
    check_sources_present(sources)
    rows: dict[str, int] = {}
    rejects: list[dict[str, Any]] = []
    provenance = []
    # each local file is hashed on a thread while it is read (hashlib lets go of the GIL)
    with ThreadPoolExecutor(max_workers=1) as hasher:
        for source in sources:
            local = source.format != "hf" and source.path is not None and source.path.is_file()
            digest = hasher.submit(file_sha256, source.path) if local else None
            result = ingest_source(source, directory, shard_size, policy)
            rejects.extend(result["rejects"])
            rows[source.name] = result["counts"].get("documents", 0)
            path = resolve_source_path(source) if source.format != "hf" else None
            sha256 = digest.result() if digest is not None and path == source.path else (
                file_sha256(path) if path else None)
            provenance.append(
                {
                    "source": source.name,
                    "stage": source.stage,
                    "format": source.format,
                    "path": str(path) if path else None,
                    "hub": msgspec.structs.asdict(source.hub) if source.hub else None,
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
    return {"rows": rows, "rejects": rejects, "provenance": provenance}
