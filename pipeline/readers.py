"""Readers turn one input file into records: a key, a conversation id and ordered (role, text) turns.

Readers stream: a record is yielded as soon as it is parsed, so no input is ever held whole (the
COCO annotation format is the exception: it is one JSON object by design). A bad record is yielded
as a `Rejected` with its position and reason, so the ingest shell can apply the run's input policy.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ClassfreqError, InputError

ROLES = {"human": "human", "user": "human", "gpt": "gpt", "assistant": "gpt", "caption": "caption"}
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Record:
    position: int
    key: str
    turns: tuple[tuple[str, str], ...]
    conversation: str | None = None


@dataclass(frozen=True)
class Rejected:
    position: int
    field: str | None
    reason: str


def _text(value: Any, path: Path, position: int, field: str) -> str:
    if isinstance(value, str):
        return value
    kind = "null" if value is None else type(value).__name__
    raise InputError(path, position, f"expected text, got {kind}", field)


def llava_record(item: Any, path: Path, position: int) -> Record:
    """One item of a LLaVA JSON array: {id, image?, conversations: [{from, value}, ...]}."""
    if not isinstance(item, dict):
        raise InputError(path, position, f"expected an object, got {type(item).__name__}")
    conversations = item.get("conversations")
    if conversations is None:
        raise InputError(path, position, "missing", "conversations")
    if not isinstance(conversations, list):
        raise InputError(path, position, f"expected a list, got {type(conversations).__name__}", "conversations")
    turns = []
    for turn_index, turn in enumerate(conversations):
        field = f"conversations[{turn_index}]"
        if not isinstance(turn, dict):
            raise InputError(path, position, "expected an object", field)
        speaker = turn.get("from")
        if speaker not in ROLES:
            raise InputError(path, position, f"unknown speaker {speaker!r} (expected human or gpt)", f"{field}.from")
        turns.append((ROLES[speaker], _text(turn.get("value"), path, position, f"{field}.value")))
    key = item.get("id", position)
    return Record(position, str(key), tuple(turns))


def fields_record(row: dict[str, Any], options: dict[str, Any], path: Path, position: int) -> Record:
    """A flat record whose text columns are named by the source: `text_field` or `fields = {column: role}`."""
    fields = options.get("fields") or {options.get("text_field", "text"): "caption"}
    turns = []
    for column, role in fields.items():
        if role not in ROLES:
            raise ClassfreqError(f"{path}: fields maps {column!r} to unknown role {role!r}")
        if column not in row:
            raise InputError(path, position, "missing", str(column))
        turns.append((ROLES[role], _text(row[column], path, position, str(column))))
    id_field = options.get("id_field")
    key = row.get(id_field, position) if id_field else position
    return Record(position, str(key), tuple(turns))


def _guarded(records: Iterable[tuple[int, Any]], build) -> Iterator[Record | Rejected]:
    for position, raw in records:
        try:
            yield build(raw, position)
        except InputError as error:
            yield Rejected(position, error.field, error.reason)


def iter_json_array(path: Path) -> Iterator[tuple[int, Any]]:
    """Streams the items of a top-level JSON array without loading the file."""
    decoder = json.JSONDecoder()
    with open(path, encoding="utf-8-sig") as handle:
        buffer, offset, at_end = handle.read(_CHUNK), 0, False

        def skip(chars: str) -> None:
            nonlocal buffer, offset, at_end
            while True:
                while offset < len(buffer) and buffer[offset] in chars:
                    offset += 1
                if offset < len(buffer) or at_end:
                    return
                buffer, offset = handle.read(_CHUNK), 0
                at_end = not buffer

        skip(" \t\r\n")
        if offset >= len(buffer):
            raise InputError(path, 0, "the file is empty (expected a JSON array)")
        if buffer[offset] != "[":
            raise InputError(path, 0, "expected a JSON array starting with '['")
        offset += 1
        position = 0
        while True:
            skip(" \t\r\n,")
            if offset >= len(buffer):
                raise InputError(path, position, "the JSON array ends early (truncated file?)")
            if buffer[offset] == "]":
                return
            while True:
                try:
                    item, end = decoder.raw_decode(buffer, offset)
                    break
                except json.JSONDecodeError as error:
                    more = handle.read(_CHUNK)
                    if not more:
                        raise InputError(path, position, f"invalid or truncated JSON: {error.msg}") from None
                    buffer, offset = buffer[offset:] + more, 0
            yield position, item
            position += 1
            # advance within the buffer: slicing it after every item copied the whole chunk each time
            offset = end


def read_llava(path: Path, options: dict[str, Any]) -> Iterator[Record | Rejected]:
    return _guarded(iter_json_array(path), lambda item, position: llava_record(item, path, position))


def _flat_or_llava(path: Path, options: dict[str, Any]):
    if options.get("fields") or options.get("text_field"):
        return lambda row, position: fields_record(row, options, path, position)
    return lambda item, position: llava_record(item, path, position)


def read_jsonl(path: Path, options: dict[str, Any]) -> Iterator[Record | Rejected]:
    build = _flat_or_llava(path, options)

    def lines() -> Iterator[tuple[int, Any]]:
        with open(path, encoding="utf-8-sig") as handle:
            for line_number, line in enumerate(handle, start=1):
                if line.strip():
                    try:
                        yield line_number, json.loads(line)
                    except json.JSONDecodeError as error:
                        yield line_number, InputError(path, f"line {line_number}", f"invalid JSON: {error.msg}")

    for position, raw in lines():
        if isinstance(raw, InputError):
            yield Rejected(position, None, raw.reason)
            continue
        try:
            yield build(raw, position)
        except InputError as error:
            yield Rejected(position, error.field, error.reason)


def read_json(path: Path, options: dict[str, Any]) -> Iterator[Record | Rejected]:
    return _guarded(iter_json_array(path), _flat_or_llava(path, options))


def read_delimited(path: Path, options: dict[str, Any]) -> Iterator[Record | Rejected]:
    delimiter = options.get("delimiter") or ("\t" if path.suffix.lower() in {".tsv", ".txt"} else ",")
    header = options.get("header", True)
    text_field = options.get("text_field", "text")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, quoting=csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL)
        columns = next(reader, None) if header else None
        if header and columns is None:
            raise InputError(path, 0, "the file is empty (expected a header row)")
        if header and not options.get("fields") and text_field not in columns:
            raise InputError(path, "header", f"no column named {text_field!r} (columns: {', '.join(columns)})")
        for line_number, values in enumerate(reader, start=2 if header else 1):
            if not values:
                continue
            row = dict(zip(columns, values)) if columns else dict(enumerate(values))
            try:
                yield fields_record(row, options, path, line_number)
            except InputError as error:
                yield Rejected(line_number, error.field, error.reason)


def read_parquet(path: Path, options: dict[str, Any]) -> Iterator[Record | Rejected]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as error:  # pyarrow raises several types for unreadable files
        raise InputError(path, 0, f"not a readable Parquet file: {error}") from None
    needed = list((options.get("fields") or {options.get("text_field", "text"): "caption"}).keys())
    missing = [column for column in needed if column not in parquet.schema_arrow.names]
    if missing:
        raise InputError(path, "schema", f"no column {missing[0]!r} (columns: {', '.join(parquet.schema_arrow.names)})")
    position = 0
    for batch in parquet.iter_batches(batch_size=65536):
        for row in batch.to_pylist():
            try:
                yield fields_record(row, options, path, position)
            except InputError as error:
                yield Rejected(position, error.field, error.reason)
            position += 1


def read_coco(path: Path, options: dict[str, Any]) -> Iterator[Record | Rejected]:
    with open(path, encoding="utf-8-sig") as handle:
        try:
            data = json.load(handle)
        except json.JSONDecodeError as error:
            raise InputError(path, 0, f"invalid COCO json: {error.msg}") from None
    annotations = data.get("annotations") if isinstance(data, dict) else None
    if not isinstance(annotations, list):
        raise InputError(path, 0, "a COCO caption file needs an 'annotations' list", "annotations")
    for position, annotation in enumerate(annotations):
        try:
            caption = _text(annotation.get("caption"), path, position, "caption")
            image = annotation.get("image_id")
            yield Record(position, str(annotation.get("id", position)), (("caption", caption),), f"image {image}")
        except (InputError, AttributeError) as error:
            yield Rejected(position, getattr(error, "field", None), getattr(error, "reason", "expected an object"))


def read_flickr8k(path: Path, options: dict[str, Any]) -> Iterator[Record | Rejected]:
    """Flickr8k token file: `IMAGE.jpg#N<TAB>caption`; the image is the conversation."""
    with open(path, encoding="utf-8-sig") as handle:
        for line_number, line in enumerate(handle, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            key, tab, caption = line.partition("\t")
            if not tab:
                yield Rejected(line_number, None, "expected IMAGE#N<TAB>caption")
                continue
            image = key.split("#", 1)[0]
            yield Record(line_number, key, (("caption", caption),), f"image {image}")


def read_hub_dataset(path: Path | None, options: dict[str, Any], hub: dict[str, str]) -> Iterator[Record | Rejected]:
    import datasets

    try:
        dataset = datasets.load_dataset(
            hub["dataset"], hub.get("config"), split=hub.get("split", "train"), streaming=True
        )
    except Exception as error:  # the hub client raises many types; the user needs the message
        raise ClassfreqError(f"could not open the Hugging Face dataset {hub['dataset']!r}: {error}") from None
    build = _flat_or_llava(Path(hub["dataset"]), options)
    return _guarded(enumerate(dataset), build)


READERS = {
    "llava": read_llava,
    "jsonl": read_jsonl,
    "json": read_json,
    "csv": read_delimited,
    "tsv": read_delimited,
    "parquet": read_parquet,
    "coco": read_coco,
    "flickr8k": read_flickr8k,
}
FORMATS = (*READERS, "hf")
