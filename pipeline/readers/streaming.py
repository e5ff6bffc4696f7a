"""Readers turn one input file into records: a key, a conversation id and ordered (role, text) turns.

Readers stream: a record is yielded as soon as it is parsed, so no input is ever held whole (the
COCO annotation format is the exception: it is one JSON object by design). A bad record is yielded
as an `InputError` naming its place ("record 3" in a JSON array, "line 7" in a line format, "row 2"
in Parquet), the field and the reason, so the ingest shell can apply the run's input policy. A
problem that ends the file early (truncation, unreadable data) is raised where it happens, after
the good records before it; a file that cannot be read at all raises `FileError` before any record.

Text files are decoded as UTF-8 with a tolerated BOM; undecodable bytes are kept as surrogate
escapes so that only the records containing them are rejected, not the whole file, each reject naming
the byte offset of the first. Line formats end a line at \n only (a \r before it is part of the line end).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
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
# far deeper than any real record, far shallower than the recursion limit of the JSON decoders (about 1000)
MAX_JSON_DEPTH = 100
TOO_DEEP = f"nested deeper than {MAX_JSON_DEPTH} levels"
NOT_UTF8 = "not valid UTF-8"
LONE_CR = "contains a lone carriage return"
BREAK = "; the rest of the file was not read"
_BOM = b"\xef\xbb\xbf"

Build = Callable[[Any, int, str], "Record"]


@dataclass(frozen=True)
class Record:
    position: int
    key: str
    turns: tuple[tuple[str, str], ...]
    conversation: str | None = None
    # the id as the file gives it (text or integer); None when the record is keyed by its position
    id: str | int | None = None


def checked_text(value: str, path: Path, record: str, field: str | None) -> str:
    """The text itself, unless it holds bytes that were not UTF-8 or a NUL (binary or zero-filled data)."""
    if "\x00" in value:
        raise InputError(path, record, "contains a NUL character (binary or zero-filled data?)", field, value)
    if _SURROGATE.search(value):
        raise InputError(path, record, NOT_UTF8, field, value)
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
    if item.get("id") is None:
        return Record(position, str(position), tuple(turns))
    return Record(position, _key(item["id"], path, record, "id"), tuple(turns), id=item["id"])


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
    if not id_field or row.get(id_field) is None:
        return Record(position, str(position), tuple(turns))
    return Record(position, _key(row[id_field], path, record, id_field), tuple(turns), id=row[id_field])


class _UniqueIds:
    """The ids of one file so far, each with the position it first came at. A LLaVA item is a whole conversation, so
    its id comes once; flat records with the same `id_field` are the turns of one conversation (as documented), but
    an integer id and a text id that read alike (1 and "1") are not, and clash."""

    def __init__(self, path: Path, field: Any, whole_conversations: bool) -> None:
        self.path, self.field, self.whole_conversations = path, str(field), whole_conversations
        self.texts: dict[str, int] = {}
        self.integers: dict[str, int] = {}

    def check(self, record: Record, label: str) -> None:
        is_integer = isinstance(record.id, int)
        same, other = (self.integers, self.texts) if is_integer else (self.texts, self.integers)
        place = label.rpartition(" ")[0]  # "record", "line" or "row", as the positions are counted
        if record.key in same and self.whole_conversations:
            raise InputError(self.path, label, "repeated id", self.field, record.id,
                             detail=f"(first at {place} {same[record.key]})")
        if record.key in other:
            kinds = ("an integer", "text") if is_integer else ("text", "an integer")
            raise InputError(self.path, label, "id type clash", self.field, record.id,
                             detail=f"({kinds[0]} here, {kinds[1]} at {place} {other[record.key]})")
        same.setdefault(record.key, record.position)


def _no_byte() -> int | None:
    return None


def _guarded(items: Iterable[tuple[int, str, Any]], build: Build, ids: _UniqueIds | None = None,
             bad_byte: Callable[[], int | None] = _no_byte) -> Iterator[Record | InputError]:
    """Records built from the items, or the InputError of each bad one; `bad_byte` gives the byte offset in the file
    of the first undecodable byte of the item being built."""
    for position, record, raw in items:
        if isinstance(raw, InputError):
            yield raw
            continue
        try:
            built = build(raw, position, record)
            if ids is not None and built.id is not None:
                ids.check(built, record)
            yield built
        except InputError as error:
            if error.reason == NOT_UTF8 and (offset := bad_byte()) is not None:
                error.detailed(f"at byte {offset}")
            yield error


def _text_start(path: Path) -> int:
    """Where the text of a UTF-8 file starts: after its BOM, if it has one; refuses UTF-16 with a clear reason."""
    with open(path, "rb") as probe:
        start = probe.read(3)
    if start[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise FileError(path, "the file is UTF-16; convert it to UTF-8")
    return len(_BOM) if start == _BOM else 0


def open_text(path: Path) -> IO[str]:
    """A UTF-8 text file (BOM tolerated, bad bytes kept as surrogate escapes); refuses UTF-16 with a clear reason."""
    _text_start(path)
    return open(path, encoding="utf-8-sig", errors="surrogateescape", newline="")


def _first_bad_byte(text: str, start: int, end: int, base: int) -> int | None:
    """The byte offset of the first undecodable byte in text[start:end], where text[0] is at byte `base`."""
    found = _SURROGATE.search(text, start, end)
    return None if found is None else base + len(text[: found.start()].encode("utf-8", "surrogateescape"))


class _Lines:
    """The lines of a text file, cut at \n only and each decoded on its own, remembering the lines of the record
    being read and the byte offset of each, for the record's `bad_byte`."""

    def __init__(self, handle, offset: int) -> None:
        self.handle, self.offset = handle, offset
        self.record: list[tuple[int, str]] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        raw = next(self.handle)
        line = raw.decode("utf-8", "surrogateescape")
        self.record.append((self.offset, line))
        self.offset += len(raw)
        return line

    def next_record(self) -> None:
        self.record.clear()

    def bad_byte(self) -> int | None:
        for offset, line in self.record:
            if (found := _first_bad_byte(line, 0, len(line), offset)) is not None:
                return found
        return None


@contextmanager
def open_lines(path: Path) -> Iterator[_Lines]:
    start = _text_start(path)
    with open(path, "rb") as handle:
        handle.seek(start)
        yield _Lines(handle, start)


class _Span:
    """Where the item being built lies in the decoded text of a JSON array, for the item's `bad_byte`."""

    text, start, end, base = "", 0, 0, 0

    def bad_byte(self) -> int | None:
        return _first_bad_byte(self.text, self.start, self.end, self.base)


def json_depth(value: Any) -> int:
    """How deeply a decoded JSON value nests (a scalar 0, [] 1, [{}] 2), found without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        if children is not None:
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _too_deep(value: Any, text: str, start: int, end: int) -> bool:
    # a value nests no deeper than it has brackets: most values are not walked
    return text.count("[", start, end) + text.count("{", start, end) > MAX_JSON_DEPTH and json_depth(value) > MAX_JSON_DEPTH


def iter_json_array(path: Path, span: _Span | None = None) -> Iterator[tuple[int, str, Any]]:
    """Streams the items of a top-level JSON array without loading the file; `span` follows the item being yielded."""
    decoder = json.JSONDecoder()
    span = span or _Span()
    with open_text(path) as handle:
        buffer, offset, at_end = handle.read(_CHUNK), 0, False
        # the byte offset of buffer[0]: the bytes of the text dropped from the buffer so far
        span.base = _text_start(path)

        def dropped(text: str) -> int:
            return len(text.encode("utf-8", "surrogateescape"))

        def skip() -> None:
            nonlocal buffer, offset, at_end
            while True:
                while offset < len(buffer) and buffer[offset] in " \t\r\n":
                    offset += 1
                if offset < len(buffer) or at_end:
                    return
                span.base += dropped(buffer)
                buffer, offset = handle.read(_CHUNK), 0
                at_end = not buffer

        def broken(position: int, reason: str) -> InputError:
            return InputError(path, position, reason + BREAK, value=buffer[offset:offset + 80])

        def ends_early(position: int) -> InputError:
            return InputError(path, position, "the JSON array ends early (truncated file?); the rest of the file is missing")

        skip()
        if offset >= len(buffer):
            raise FileError(path, "the file is empty (expected a JSON array)")
        if buffer[offset] != "[":
            raise FileError(path, "expected a JSON array starting with '['", value=buffer[offset:offset + 40])
        offset += 1
        position = 0
        skip()
        if buffer[offset:offset + 1] != "]":
            while True:
                if offset >= len(buffer):
                    raise ends_early(position)
                while True:
                    try:
                        item, end = decoder.raw_decode(buffer, offset)
                        break
                    except RecursionError:
                        raise broken(position, TOO_DEEP) from None
                    except json.JSONDecodeError as error:
                        continues = error.pos >= len(buffer) - _JSON_TAIL or error.msg.startswith("Unterminated string")
                        more = handle.read(_CHUNK) if continues else ""
                        if not more:
                            raise broken(position, "truncated JSON" if continues else f"invalid JSON ({error.msg})") from None
                        span.base += dropped(buffer[:offset])
                        buffer, offset = buffer[offset:] + more, 0
                record = f"record {position}"
                if _too_deep(item, buffer, offset, end):
                    item = InputError(path, record, TOO_DEEP)
                span.text, span.start, span.end = buffer, offset, end
                yield position, record, item
                position += 1
                # advance within the buffer: slicing it after every item copied the whole chunk each time
                offset = end
                skip()
                if offset >= len(buffer):
                    raise ends_early(position)
                if buffer[offset] == "]":
                    break
                if buffer[offset] != ",":
                    raise broken(position, "invalid JSON (Expecting ',' delimiter)")
                offset += 1
                skip()
                if buffer[offset:offset + 1] == "]":
                    raise broken(position, "invalid JSON (Illegal trailing comma before end of array)")
        offset += 1
        skip()
        if offset < len(buffer):
            raise broken(position, "content after the end of the JSON array")


def _llava(path: Path) -> Build:
    return lambda item, position, record: llava_record(item, path, position, record)


def _flat_or_llava(path: Path, options: dict[str, Any]) -> tuple[Build, _UniqueIds]:
    """How to build a record of a JSON object, and the ids to check: `id_field` of flat records, `id` of LLaVA items."""
    if options.get("fields") or options.get("text_field"):
        build = lambda row, position, record: fields_record(row, options, path, position, record)  # noqa: E731
        return build, _UniqueIds(path, options.get("id_field"), whole_conversations=False)
    return _llava(path), _UniqueIds(path, "id", whole_conversations=True)


def _read_json_array(path: Path, build: Build, ids: _UniqueIds) -> Iterator[Record | InputError]:
    span = _Span()
    return _guarded(iter_json_array(path, span), build, ids, span.bad_byte)


def read_llava(path: Path, options: dict[str, Any]) -> Iterator[Record | InputError]:
    return _read_json_array(path, _llava(path), _UniqueIds(path, "id", whole_conversations=True))


def read_json(path: Path, options: dict[str, Any]) -> Iterator[Record | InputError]:
    return _read_json_array(path, *_flat_or_llava(path, options))


def _json_lines(lines: _Lines, path: Path) -> Iterator[tuple[int, str, Any]]:
    for line_number, line in enumerate(lines, start=1):
        record = f"line {line_number}"
        # a BOM inside the file is where two files were concatenated
        line = line.lstrip("\ufeff").rstrip("\r\n")
        if line.strip():
            try:
                value = json.loads(line)
                yield line_number, record, InputError(path, record, TOO_DEEP) if _too_deep(value, line, 0, len(line)) else value
            except RecursionError:
                yield line_number, record, InputError(path, record, TOO_DEEP)
            except json.JSONDecodeError as error:
                yield line_number, record, InputError(path, record, f"invalid JSON ({error.msg})", value=line)
        lines.next_record()


def read_jsonl(path: Path, options: dict[str, Any]) -> Iterator[Record | InputError]:
    build, ids = _flat_or_llava(path, options)
    with open_lines(path) as lines:
        yield from _guarded(_json_lines(lines, path), build, ids, lines.bad_byte)


def _csv_rows(reader, lines: _Lines, path: Path) -> Iterator[tuple[int, list[str] | InputError]]:
    """(first line of the row, values), or an InputError for a row the csv module cannot parse; never stops early."""
    while True:
        start = reader.line_num + 1
        lines.next_record()
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # the csv module ends a row at a \r, and then finds the rest of the line outside any row
            lone_cr = str(error).startswith("new-line character seen in unquoted field")
            yield start, InputError(path, f"line {start}", LONE_CR if lone_cr else f"malformed CSV ({error})")
            continue
        yield start, values


def read_delimited(path: Path, options: dict[str, Any]) -> Iterator[Record | InputError]:
    delimiter = options.get("delimiter") or ("\t" if path.suffix.lower() in {".tsv", ".txt"} else ",")
    header = options.get("header", True)
    text_field = options.get("text_field", "text")
    csv.field_size_limit(MAX_CSV_FIELD_CHARS)
    with open_lines(path) as lines:
        quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
        rows = _csv_rows(csv.reader(lines, delimiter=delimiter, quoting=quoting, strict=True), lines, path)
        columns = None
        if header:
            first = next(rows, None)
            if first is None:
                raise FileError(path, "the file is empty (expected a header row)")
            if isinstance(first[1], InputError):
                raise FileError(path, first[1].reason, "header")
            columns = first[1]
            # a row read as a dict keeps one of two equal names: the other column would be lost unseen
            repeated = next((column for i, column in enumerate(columns) if column in columns[:i]), None)
            if repeated is not None:
                raise FileError(path, f"repeated column name {repeated!r}", "header")
            needed = list(options.get("fields") or [text_field])
            missing = [column for column in needed if column not in columns]
            if missing:
                raise FileError(path, f"no column named {missing[0]!r} (columns: {', '.join(columns)})", "header")
        build = lambda row, position, record: fields_record(row, options, path, position, record)  # noqa: E731
        # every id of a CSV row is text: ids never clash
        yield from _guarded(_delimited_items(rows, columns, path), build, bad_byte=lines.bad_byte)


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
        row, options, path, position, record))  # one column holds one type: ids never clash


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
    except RecursionError:
        raise FileError(path, TOO_DEEP) from None
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
    # the image is the conversation: without one, the captions of every image-less annotation would be one
    if annotation.get("image_id") is None:
        raise InputError(path, record, "missing", "image_id")
    image = _key(annotation["image_id"], path, record, "image_id")
    return Record(position, key, (("caption", caption),), f"image {image}")


def read_flickr8k(path: Path, options: dict[str, Any]) -> Iterator[Record | InputError]:
    """Flickr8k token file: `IMAGE.jpg#N<TAB>caption`; the image is the conversation."""
    with open_lines(path) as lines:
        for line_number, line in enumerate(lines, start=1):
            record = f"line {line_number}"
            line = line.rstrip("\r\n")
            if line.strip():
                key, tab, caption = line.partition("\t")
                try:
                    if "\r" in line:  # an old line end, or a break inside a caption: which, only the file's author knows
                        raise InputError(path, record, LONE_CR, value=line)
                    if not tab:
                        raise InputError(path, record, "expected IMAGE#N<TAB>caption", value=line)
                    key = checked_text(key, path, record, "image")
                    yield Record(line_number, key, (("caption", checked_text(caption, path, record, "caption")),),
                                 f"image {key.split('#', 1)[0]}")
                except InputError as error:
                    if error.reason == NOT_UTF8:
                        error.detailed(f"at byte {lines.bad_byte()}")
                    yield error
            lines.next_record()


def read_hub_dataset(options: dict[str, Any], hub: Hub) -> Iterator[Record | InputError]:
    import datasets

    try:
        dataset = datasets.load_dataset(hub.dataset, hub.config, split=hub.split, streaming=True)
    except Exception as error:  # the hub client raises many types; the user needs the message
        raise ClassfreqError(f"could not open the Hugging Face dataset {hub.dataset!r}: {error}") from None
    rows = ((position, f"row {position}", row) for position, row in enumerate(dataset))
    return _guarded(rows, *_flat_or_llava(Path(hub.dataset), options))


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
