"""Readers turn one input file into records: a key, a conversation id and ordered (role, text) turns.

Readers stream: a record is yielded as soon as it is parsed, so no input is ever held whole (the
COCO annotation format is the exception: it is one JSON object by design). A bad record is yielded
as an `InputError` naming its place ("record 3" in a JSON array, "line 7" in a line format, "row 2"
in Parquet), the field and the reason, so the ingest shell can apply the run's input policy. A
problem that ends the file early (truncation, unreadable data) is raised where it happens, after
the good records before it; a file that cannot be read at all raises `FileError` before any record.

Text files are decoded as UTF-8 with a tolerated BOM; undecodable bytes are kept as surrogate
escapes so that only the records containing them are rejected, not the whole file.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..core.config import Hub
from ..core.errors import ClassfreqError, FileError, InputError

ROLES = {"human": "human", "user": "human", "gpt": "gpt", "assistant": "gpt", "caption": "caption"}
_CHUNK = 1 << 20
# undecodable bytes (surrogate escapes) and unpaired \ud800-style JSON escapes: neither is text
_SURROGATE = re.compile("[\ud800-\udfff]")
# the csv module's guard against a runaway quoted field; far above any real text (a 10 MB caption passes)
MAX_CSV_FIELD_CHARS = 1 << 28
# how close to the end of the buffer a JSON error must be to mean "the item continues in the next chunk"
_JSON_TAIL = 16

Build = Callable[[Any, int, str], "Record"]


@dataclass(frozen=True)
class Record:
    position: int
    key: str
    turns: tuple[tuple[str, str], ...]
    conversation: str | None = None


def checked_text(value: str, path: Path, record: str, field: str | None) -> str:
    """The text itself, unless it holds bytes that were not UTF-8 or a NUL (binary or zero-filled data)."""
    if "\x00" in value:
        raise InputError(path, record, "contains a NUL character (binary or zero-filled data?)", field, value)
    if _SURROGATE.search(value):
        raise InputError(path, record, "not valid UTF-8", field, value)
    return value


def _text(value: Any, path: Path, record: str, field: str) -> str:
    if isinstance(value, str):
        return checked_text(value, path, record, field)
    kind = "null" if value is None else type(value).__name__
    raise InputError(path, record, f"expected text, got {kind}", field, None if value is None else value)


def _key(value: Any, path: Path, record: str, field: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InputError(path, record, "expected an id (text or integer)", field, value)
    return checked_text(str(value), path, record, field)


def llava_record(item: Any, path: Path, position: int, record: str) -> Record:
    """One item of a LLaVA JSON array: {id, image?, conversations: [{from, value}, ...]}."""
    if not isinstance(item, dict):
        raise InputError(path, record, f"expected an object, got {type(item).__name__}")
    conversations = item.get("conversations")
    if conversations is None:
        raise InputError(path, record, "missing", "conversations")
    if not isinstance(conversations, list):
        raise InputError(path, record, f"expected a list, got {type(conversations).__name__}", "conversations")
    turns = []
    for turn_index, turn in enumerate(conversations):
        field = f"conversations[{turn_index}]"
        if not isinstance(turn, dict):
            raise InputError(path, record, f"expected an object, got {type(turn).__name__}", field)
        speaker = turn.get("from")
        if speaker not in ROLES:
            raise InputError(path, record, "unknown speaker (expected human or gpt)", f"{field}.from", speaker)
        turns.append((ROLES[speaker], _text(turn.get("value"), path, record, f"{field}.value")))
    key = _key(item["id"], path, record, "id") if item.get("id") is not None else str(position)
    return Record(position, key, tuple(turns))


def fields_record(row: dict[Any, Any], options: dict[str, Any], path: Path, position: int, record: str) -> Record:
    """A flat record whose text columns are named by the source: `text_field` or `fields = {column: role}`."""
    if not isinstance(row, dict):
        raise InputError(path, record, f"expected an object, got {type(row).__name__}")
    fields = options.get("fields") or {options.get("text_field", "text"): "caption"}
    turns = []
    for column, role in fields.items():
        if role not in ROLES:
            raise ClassfreqError(f"{path}: fields maps {column!r} to unknown role {role!r}")
        if column not in row:
            raise InputError(path, record, "missing", str(column))
        turns.append((ROLES[role], _text(row[column], path, record, str(column))))
    id_field = options.get("id_field")
    key = _key(row[id_field], path, record, id_field) if id_field and row.get(id_field) is not None else str(position)
    return Record(position, key, tuple(turns))


def _guarded(items: Iterable[tuple[int, str, Any]], build: Build) -> Iterator[Record | InputError]:
    for position, record, raw in items:
        if isinstance(raw, InputError):
            yield raw
            continue
        try:
            yield build(raw, position, record)
        except InputError as error:
            yield error


def open_text(path: Path) -> IO[str]:
    """A UTF-8 text file (BOM tolerated, bad bytes kept as surrogate escapes); refuses UTF-16 with a clear reason."""
    with open(path, "rb") as probe:
        start = probe.read(2)
    if start in (b"\xff\xfe", b"\xfe\xff"):
        raise FileError(path, "the file is UTF-16; convert it to UTF-8")
    return open(path, encoding="utf-8-sig", errors="surrogateescape", newline="")


def iter_json_array(path: Path) -> Iterator[tuple[int, str, Any]]:
    """Streams the items of a top-level JSON array without loading the file."""
    decoder = json.JSONDecoder()
    with open_text(path) as handle:
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
            raise FileError(path, "the file is empty (expected a JSON array)")
        if buffer[offset] != "[":
            raise FileError(path, "expected a JSON array starting with '['", value=buffer[offset:offset + 40])
        offset += 1
        position = 0
        while True:
            skip(" \t\r\n,")
            if offset >= len(buffer):
                raise InputError(path, position, "the JSON array ends early (truncated file?); the rest of the file is missing")
            if buffer[offset] == "]":
                return
            while True:
                try:
                    item, end = decoder.raw_decode(buffer, offset)
                    break
                except json.JSONDecodeError as error:
                    continues = error.pos >= len(buffer) - _JSON_TAIL or error.msg.startswith("Unterminated string")
                    more = handle.read(_CHUNK) if continues else ""
                    if not more:
                        ending = "truncated JSON" if continues else f"invalid JSON ({error.msg})"
                        raise InputError(path, position, f"{ending}; the rest of the file was not read",
                                         value=buffer[offset:offset + 80]) from None
                    buffer, offset = buffer[offset:] + more, 0
            yield position, f"record {position}", item
            position += 1
            # advance within the buffer: slicing it after every item copied the whole chunk each time
            offset = end


def _llava(path: Path) -> Build:
    return lambda item, position, record: llava_record(item, path, position, record)


def _flat_or_llava(path: Path, options: dict[str, Any]) -> Build:
    if options.get("fields") or options.get("text_field"):
        return lambda row, position, record: fields_record(row, options, path, position, record)
    return _llava(path)


def read_llava(path: Path, options: dict[str, Any]) -> Iterator[Record | InputError]:
    return _guarded(iter_json_array(path), _llava(path))


def read_json(path: Path, options: dict[str, Any]) -> Iterator[Record | InputError]:
    return _guarded(iter_json_array(path), _flat_or_llava(path, options))


def _json_lines(path: Path) -> Iterator[tuple[int, str, Any]]:
    with open_text(path) as handle:
        for line_number, line in enumerate(handle, start=1):
            record = f"line {line_number}"
            # a BOM inside the file is where two files were concatenated
            line = line.lstrip("\ufeff").rstrip("\r\n")
            if not line.strip():
                continue
            try:
                yield line_number, record, json.loads(line)
            except json.JSONDecodeError as error:
                yield line_number, record, InputError(path, record, f"invalid JSON ({error.msg})", value=line)


def read_jsonl(path: Path, options: dict[str, Any]) -> Iterator[Record | InputError]:
    return _guarded(_json_lines(path), _flat_or_llava(path, options))


def _csv_rows(reader, path: Path) -> Iterator[tuple[int, list[str] | InputError]]:
    """(first line of the row, values), or an InputError for a row the csv module cannot parse; never stops early."""
    while True:
        start = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield start, InputError(path, f"line {start}", f"malformed CSV ({error})")
            continue
        yield start, values


def read_delimited(path: Path, options: dict[str, Any]) -> Iterator[Record | InputError]:
    delimiter = options.get("delimiter") or ("\t" if path.suffix.lower() in {".tsv", ".txt"} else ",")
    header = options.get("header", True)
    text_field = options.get("text_field", "text")
    csv.field_size_limit(MAX_CSV_FIELD_CHARS)
    with open_text(path) as handle:
        quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
        rows = _csv_rows(csv.reader(handle, delimiter=delimiter, quoting=quoting, strict=True), path)
        columns = None
        if header:
            first = next(rows, None)
            if first is None:
                raise FileError(path, "the file is empty (expected a header row)")
            if isinstance(first[1], InputError):
                raise FileError(path, first[1].reason, "header")
            columns = first[1]
            needed = list(options.get("fields") or [text_field])
            missing = [column for column in needed if column not in columns]
            if missing:
                raise FileError(path, f"no column named {missing[0]!r} (columns: {', '.join(columns)})", "header")
        build = lambda row, position, record: fields_record(row, options, path, position, record)  # noqa: E731
        yield from _guarded(_delimited_items(rows, columns, path), build)


def _delimited_items(rows, columns: list[str] | None, path: Path) -> Iterator[tuple[int, str, Any]]:
    for line_number, values in rows:
        record = f"line {line_number}"
        if isinstance(values, InputError) or not values:
            if values:
                yield line_number, record, values
            continue
        if columns is not None and len(values) != len(columns):
            # an unquoted delimiter inside a text, or a cut line: the text column may hold the wrong part
            yield line_number, record, InputError(
                path, record, f"has {len(values)} columns, the header has {len(columns)}", value=values)
            continue
        yield line_number, record, dict(zip(columns, values)) if columns else dict(enumerate(values))


def read_parquet(path: Path, options: dict[str, Any]) -> Iterator[Record | InputError]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as error:  # pyarrow raises several types for unreadable files
        raise FileError(path, f"not a readable Parquet file ({error})") from None
    schema = parquet.schema_arrow
    needed = list((options.get("fields") or {options.get("text_field", "text"): "caption"}).keys())
    for column in needed:
        if column not in schema.names:
            raise FileError(path, f"no column {column!r} (columns: {', '.join(schema.names)})", "schema")
        kind = schema.field(column).type
        if not is_arrow_text(kind):
            raise FileError(path, f"column {column!r} has type {arrow_value_type(kind)}, expected text", "schema")
    yield from _guarded(_parquet_rows(parquet, path), lambda row, position, record: fields_record(
        row, options, path, position, record))


def arrow_value_type(kind):
    """An Arrow column type, with dictionary encoding looked through."""
    import pyarrow as pa

    return kind.value_type if pa.types.is_dictionary(kind) else kind


def is_arrow_text(kind) -> bool:
    import pyarrow as pa

    kind = arrow_value_type(kind)
    return pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)


def parquet_batches(parquet, damaged: Callable[[int, Exception], Exception]) -> Iterator[tuple[int, Any]]:
    """A Parquet file's record batches, each with the row it starts at; a damaged page (one of several pyarrow
    errors) raises what `damaged(row, error)` makes of it, and ends the file."""
    position = 0
    batches = parquet.iter_batches(batch_size=65536)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except Exception as error:  # noqa: BLE001
            raise damaged(position, error) from None
        yield position, batch
        position += batch.num_rows


def _parquet_rows(parquet, path: Path) -> Iterator[tuple[int, str, Any]]:
    def damaged(position: int, error: Exception) -> InputError:
        return InputError(path, f"row {position}", f"unreadable Parquet data ({error}); the rest of the file was not read")

    for start, batch in parquet_batches(parquet, damaged):
        for position, row in enumerate(batch.to_pylist(), start):
            yield position, f"row {position}", row


def read_coco(path: Path, options: dict[str, Any]) -> Iterator[Record | InputError]:
    with open_text(path) as handle:
        content = handle.read()
    if not content.strip():
        raise FileError(path, "the file is empty (expected a COCO caption json)")
    try:
        data = json.loads(content)
    except json.JSONDecodeError as error:
        raise FileError(path, f"not valid JSON ({error}); truncated file?") from None
    annotations = data.get("annotations") if isinstance(data, dict) else None
    if not isinstance(annotations, list):
        raise FileError(path, "a COCO caption file needs an 'annotations' list", field="annotations")
    items = ((position, f"annotation {position}", annotation) for position, annotation in enumerate(annotations))
    return _guarded(items, lambda annotation, position, record: coco_record(annotation, path, position, record))


def coco_record(annotation: Any, path: Path, position: int, record: str) -> Record:
    if not isinstance(annotation, dict):
        raise InputError(path, record, f"expected an object, got {type(annotation).__name__}")
    caption = _text(annotation.get("caption"), path, record, "caption")
    key = _key(annotation.get("id", position), path, record, "id")
    image = annotation.get("image_id")
    return Record(position, key, (("caption", caption),), f"image {image}")


def read_flickr8k(path: Path, options: dict[str, Any]) -> Iterator[Record | InputError]:
    """Flickr8k token file: `IMAGE.jpg#N<TAB>caption`; the image is the conversation."""
    with open_text(path) as handle:
        for line_number, line in enumerate(handle, start=1):
            record = f"line {line_number}"
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            key, tab, caption = line.partition("\t")
            try:
                if not tab:
                    raise InputError(path, record, "expected IMAGE#N<TAB>caption", value=line)
                key = checked_text(key, path, record, "image")
                yield Record(line_number, key, (("caption", checked_text(caption, path, record, "caption")),),
                             f"image {key.split('#', 1)[0]}")
            except InputError as error:
                yield error


def read_hub_dataset(options: dict[str, Any], hub: Hub) -> Iterator[Record | InputError]:
    import datasets

    try:
        dataset = datasets.load_dataset(hub.dataset, hub.config, split=hub.split, streaming=True)
    except Exception as error:  # the hub client raises many types; the user needs the message
        raise ClassfreqError(f"could not open the Hugging Face dataset {hub.dataset!r}: {error}") from None
    rows = ((position, f"row {position}", row) for position, row in enumerate(dataset))
    return _guarded(rows, _flat_or_llava(Path(hub.dataset), options))


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
