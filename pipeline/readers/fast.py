"""Vectorized readers for clean files: the same records as `readers`, as columns, without a Python object per record.

A fast reader reads a file in blocks of whole records and yields one `Batch` per block: the turns of its
records as columns (record position, turn index, role, raw text, conversation key). It only accepts what
the streaming reader would accept unchanged, and checks that block by block with vectorized tests: strict
typed JSON decoding (msgspec), valid UTF-8, no NUL character, known speakers, the header's column count,
no stray carriage return, no JSON nested deeper than the streaming reader takes, no id that it rejects. At the
first sign of anything else it raises `NotClean`, and ingest reads that source again with the streaming reader,
which names each bad record exactly. So a fast reader never has to describe a bad record, and never accepts a
record that the streaming reader would reject or read otherwise.

Formats: llava, json (arrays), jsonl, csv, tsv, parquet. Others (coco, flickr8k, hf) stream.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain, repeat
from operator import attrgetter
from pathlib import Path
from typing import Any, Literal

import numpy as np
import polars as pl

from .streaming import MAX_CSV_FIELD_CHARS, MAX_JSON_DEPTH, ROLES, arrow_value_type, is_arrow_text, parquet_batches

try:
    import msgspec
except ImportError:  # without it the JSON formats stream
    msgspec = None

FAST_FORMATS = ("llava", "json", "jsonl", "csv", "tsv", "parquet")
# bytes read per block; a block holds whole records, so one longer than this grows it, up to _MAX_BLOCK.
# Blocks in flight are most of ingest's memory: 4 MiB keeps 5M captions at 0.38 GiB (16 MiB: 0.62) at the same speed
BLOCK_BYTES = 4 << 20
_MAX_BLOCK = 256 << 20
_BOM = b"\xef\xbb\xbf"
_JSON_WS = b" \t\r\n"
# the characters Python's str.strip() and the regex \s treat as whitespace (str.isspace); tested against Python
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
_WS_CLASS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in PY_WHITESPACE) + "]"
# the same pattern as ingest's `\s*<image>\s*`, in the regex syntax of polars
PLACEHOLDER_PATTERN = f"{_WS_CLASS}*<image>{_WS_CLASS}*"


class NotClean(Exception):
    """Something in the file that only the streaming reader describes exactly: ingest reads the source with it."""


@dataclass
class Batch:
    """The records of one block: `records` of them, and `build`, which gives their turns as columns (record, turn,
    role, text, key) and may still raise NotClean. The reader holds the GIL while it decodes; what `build` does
    (polars) lets go of it, so ingest calls it on another thread. JSON records also give their `ids` (null for a
    record keyed by its position) and which of them were integers in the file (None: none were)."""

    records: int
    build: Callable[[], pl.DataFrame]
    ids: pl.Series | None = None
    integer_ids: pl.Series | None = None

    @classmethod
    def of(cls, records: int, turns: pl.DataFrame) -> Batch:
        return cls(records, lambda: turns)


def strip_placeholders_series(texts: pl.Series) -> pl.Series:
    """`ingest.strip_placeholders` over a column: `<image>` with the whitespace around it becomes one space (the
    regex runs on the texts that hold one), then the texts are stripped of Python's whitespace."""
    has = texts.str.contains("<image>", literal=True)
    if has.any():
        rows = has.arg_true()
        texts = texts.clone().scatter(rows, texts.gather(rows).str.replace_all(PLACEHOLDER_PATTERN, " "))
    return texts.str.strip_chars(PY_WHITESPACE)


def fast_batches(fmt: str, path: Path, options: dict[str, Any]) -> Iterator[Batch]:
    """The batches of a file in a fast format; raises NotClean where the streaming reader must take over."""
    if fmt in ("csv", "tsv"):
        return _delimited_batches(path, options)
    if fmt == "parquet":
        return _parquet_batches(path, options)
    if msgspec is None:
        raise NotClean("msgspec is not installed")
    flat = fmt != "llava" and bool(options.get("fields") or options.get("text_field"))
    shape = _FlatShape(options) if flat else _LlavaShape()
    batches = _jsonl_batches(path, shape) if fmt == "jsonl" else _json_array_batches(path, shape)
    return _checked_ids(batches, whole_conversations=not flat)


def _checked_ids(batches: Iterator[Batch], whole_conversations: bool) -> Iterator[Batch]:
    """The batches, then NotClean if an id repeats where the streaming reader rejects it: any repeat in items that are
    whole conversations, else an integer id and a text id that read alike. The ids' 64-bit hashes are checked once,
    at the end (ingest removes what was written, as for any late NotClean): 8 bytes an id, and a collision (about 1
    in 10^7 for a million ids) only makes the source stream."""
    texts, integers = [], []
    for batch in batches:
        if batch.ids.null_count() < len(batch.ids):
            if batch.integer_ids is None:
                texts.append(batch.ids.drop_nulls().hash())
            else:
                integers.append(batch.ids.filter(batch.integer_ids).hash())
                texts.append(batch.ids.filter(~batch.integer_ids).drop_nulls().hash())
        yield batch
    if whole_conversations:
        if texts + integers and (seen := pl.concat(texts + integers, rechunk=False)).n_unique() < len(seen):
            raise NotClean("a repeated id")
    elif integers and texts and pl.concat(integers).is_in(pl.concat(texts).implode()).any():
        raise NotClean("an integer id and a text id that read alike")


def _strings(values: list[Any]) -> pl.Series:
    """A text column from Python strings (None for a null)."""
    return pl.Series(values, dtype=pl.String)


def _turns_frame(record: np.ndarray, turn: np.ndarray, role: pl.Series, text: pl.Series, key: pl.Series) -> pl.DataFrame:
    """The turns of a batch. A null key means: the record's position is its key."""
    return pl.DataFrame({
        "record": pl.Series(record, dtype=pl.Int64),
        "turn": pl.Series(turn, dtype=pl.Int32),
        "role": role,
        "text": text,
        "key": key,
    })


def _keys(ids: list[Any]) -> tuple[pl.Series, pl.Series | None]:
    """Conversation keys as the streaming reader makes them: the id as text (an integer in decimal); null for none.
    And which ids were integers, if any were."""
    kinds = set(map(type, ids))
    if not kinds <= {str, int, type(None)}:
        raise NotClean("an id that is not text or an integer")
    integers = pl.Series(list(map(isinstance, ids, repeat(int))), dtype=pl.Boolean) if int in kinds else None
    if int in kinds:
        try:
            ids = [str(i) if type(i) is int else i for i in ids]
        except ValueError:  # an integer too long for str(); the streaming reader says what happens
            raise NotClean("an integer id too long to print") from None
    return _strings(ids), integers


def _no_keys(count: int) -> pl.Series:
    return pl.repeat(None, count, dtype=pl.String, eager=True)


def _flat_turns(columns: list[pl.Series], roles: list[str], keys: pl.Series, positions: np.ndarray) -> pl.DataFrame:
    """Turns of flat records: each text column is one turn, in the order of the source's fields."""
    count, width = len(positions), len(columns)
    if width == 1:
        text = columns[0]
    else:
        text = pl.DataFrame({f"c{i}": c for i, c in enumerate(columns)}).select(
            pl.concat_list(pl.all()).alias("text")).get_column("text").explode()
        keys = keys.gather(np.repeat(np.arange(count), width))
    role = pl.Series(roles, dtype=pl.String).gather(np.tile(np.arange(width), count))
    return _turns_frame(np.repeat(positions, width), np.tile(np.arange(width, dtype=np.int32), count), role, text, keys)


def _check_texts(*series: pl.Series) -> None:
    """Texts without null or NUL: the streaming reader rejects both."""
    for values in series:
        if values.null_count() or values.str.contains("\x00", literal=True).any():
            raise NotClean("a null or a NUL character")


def _check_keys(keys: pl.Series) -> None:
    """Keys without NUL (a null key stands for the record's position)."""
    if keys.str.contains("\x00", literal=True).any():
        raise NotClean("a NUL character in an id")


# --- JSON: LLaVA items and flat objects, decoded by msgspec against a strict type --------------------


class _LlavaShape:
    """{id?, conversations: [{from, value}, ...]}: the speaker one of ROLES, the value text, the id text or integer."""

    def __init__(self) -> None:
        speaker = Literal[tuple(ROLES)]  # type: ignore[valid-type]
        turn = msgspec.defstruct("Turn", [("speaker", speaker, msgspec.field(name="from")), ("value", str)], gc=False)
        self.item = msgspec.defstruct("Item", [("conversations", list[turn]), ("id", str | int | None, None)], gc=False)

    depth = 3  # item, conversations, turn

    def turns(self, items: list[Any], positions: np.ndarray) -> tuple[pl.Series, pl.Series | None, int, Callable[[], pl.DataFrame]]:
        """The records' ids (and which were integers), how many brackets open in their typed fields, and how to build
        their turns."""
        conversations = list(map(_CONVERSATIONS, items))
        lengths = np.fromiter(map(len, conversations), dtype=np.int64, count=len(conversations))
        flat = list(chain.from_iterable(conversations))
        text = _strings(list(map(_VALUE, flat)))
        speakers = pl.Series(list(map(_SPEAKER, flat)), dtype=pl.String)
        keys, integers = _keys(list(map(_ID, items)))

        def build() -> pl.DataFrame:
            owner = np.repeat(np.arange(len(lengths)), lengths)
            turn = np.arange(len(owner), dtype=np.int64) - (np.cumsum(lengths) - lengths)[owner]
            role = speakers.replace_strict(ROLES, return_dtype=pl.String)
            return _turns_frame(positions[owner], turn.astype(np.int32), role, text, keys.gather(owner))

        return keys, integers, 2 * len(items) + len(flat), build


_CONVERSATIONS, _VALUE, _SPEAKER, _ID = attrgetter("conversations"), attrgetter("value"), attrgetter("speaker"), attrgetter("id")


class _FlatShape:
    """Objects whose text columns are named by the source (`text_field`, or `fields = {column: role}`)."""

    def __init__(self, options: dict[str, Any]) -> None:
        fields = options.get("fields") or {options.get("text_field", "text"): "caption"}
        if not all(isinstance(column, str) for column in fields) or not all(role in ROLES for role in fields.values()):
            raise NotClean("a field that no JSON object can have, or an unknown role")
        self.columns = list(fields)
        self.roles = [ROLES[role] for role in fields.values()]
        id_field = options.get("id_field")
        # an id_field that is not text names no key of a JSON object: every record is keyed by its position
        self.id_field = id_field if id_field and isinstance(id_field, str) else None
        members: list[tuple] = [(f"t{i}", str, msgspec.field(name=column)) for i, column in enumerate(self.columns)]
        if self.id_field is not None and self.id_field not in self.columns:
            members.append(("key", str | int | None, msgspec.field(default=None, name=self.id_field)))
        self.item = msgspec.defstruct("Row", members, gc=False)

    depth = 1

    def turns(self, items: list[Any], positions: np.ndarray) -> tuple[pl.Series, pl.Series | None, int, Callable[[], pl.DataFrame]]:
        columns = [_strings(list(map(attrgetter(f"t{i}"), items))) for i in range(len(self.columns))]
        integers = None
        if self.id_field is None:
            keys = _no_keys(len(items))
        elif self.id_field in self.columns:
            keys = columns[self.columns.index(self.id_field)]
        else:
            keys, integers = _keys(list(map(attrgetter("key"), items)))
        return keys, integers, len(items), lambda: _flat_turns(columns, self.roles, keys, positions)


def _decoded(decode: Callable[[], Any]) -> Any:
    try:
        return decode()
    except (msgspec.MsgspecError, UnicodeDecodeError, ValueError):
        raise NotClean("not strictly valid JSON records of the expected shape") from None
    except RecursionError:
        raise NotClean("JSON nested too deeply to decode") from None


_OPEN, _CLOSE = 0x7B, 0x7D  # '{' and '}'; '[' and ']' are the same bytes with 0x20 cleared


def _json_depth(data: np.ndarray) -> int:
    """How deeply the valid JSON in `data` nests, brackets inside strings not counted."""
    quotes = np.flatnonzero(data == 0x22)
    # a quote is escaped by an odd number of backslashes before it
    backslashes = np.zeros(len(quotes), dtype=np.int64)
    before = quotes - 1
    more = (before >= 0) & (data[np.maximum(before, 0)] == 0x5C)
    while more.any():
        backslashes += more
        before -= 1
        more &= (before >= 0) & (data[np.maximum(before, 0)] == 0x5C)
    quotes = quotes[backslashes % 2 == 0]
    folded = data | 0x20
    opens, closes = np.flatnonzero(folded == _OPEN), np.flatnonzero(folded == _CLOSE)
    opens = opens[np.searchsorted(quotes, opens) % 2 == 0]
    closes = closes[np.searchsorted(quotes, closes) % 2 == 0]
    if not len(opens):
        return 0
    return int((np.arange(1, len(opens) + 1) - np.searchsorted(closes, opens)).max())


def _check_depth(data: np.ndarray, typed_opens: int, typed_depth: int, outer: int) -> None:
    """NotClean if an item of the block `data` (`outer` levels inside it) nests deeper than the streaming reader
    takes. The brackets of the typed fields are known: only a block with many more (in texts or in ignored fields,
    which msgspec skips unseen) is scanned."""
    extra_opens = np.count_nonzero((data | 0x20) == _OPEN) - typed_opens - outer
    if typed_depth + extra_opens > MAX_JSON_DEPTH and _json_depth(data) - outer > MAX_JSON_DEPTH:
        raise NotClean("JSON nested deeper than the streaming reader takes")


def _checked_batch(shape, items: list[Any], positions: np.ndarray, data: np.ndarray, outer: int) -> Batch:
    ids, integer_ids, typed_opens, build = shape.turns(items, positions)
    _check_depth(data, typed_opens, shape.depth, outer)

    def checked() -> pl.DataFrame:
        turns = build()
        _check_texts(turns.get_column("text"))
        _check_keys(turns.get_column("key"))
        return turns

    return Batch(len(items), checked, ids, integer_ids)


class _Buffer:
    """One bytearray reused for every block, so that reading a large file allocates (and faults in) no new memory."""

    def __init__(self, handle, size: int) -> None:
        self.handle, self.data, self.fill = handle, bytearray(size), 0

    def keep(self, start: int, prefix: bytes = b"") -> None:
        """Keeps data[start:fill], moved to the front after `prefix`."""
        rest = self.data[start:self.fill]
        self.data[: len(prefix)] = prefix
        self.data[len(prefix): len(prefix) + len(rest)] = rest
        self.fill = len(prefix) + len(rest)

    def read(self, size: int) -> int:
        if self.fill + size > len(self.data):
            self.data.extend(bytes(self.fill + size - len(self.data)))
        with memoryview(self.data) as view:
            count = self.handle.readinto(view[self.fill:self.fill + size])
        self.fill += count
        return count

    def view(self, end: int) -> np.ndarray:
        """data[:end] as an array, to be dropped before the buffer changes (a resize while it lives fails)."""
        return np.frombuffer(self.data, dtype=np.uint8, count=end)

    def decode(self, decoder, end: int, closing: bytes = b"") -> Any:
        """Decodes data[:end] + closing (one byte, written over data[end] for the call)."""
        saved = self.data[end] if closing else None
        if closing:
            self.data[end] = closing[0]
            end += 1
        try:
            with memoryview(self.data) as view, view[:end] as part:
                return decoder.decode(part)
        finally:
            if closing:
                self.data[end - 1] = saved


def _json_array_batches(path: Path, shape) -> Iterator[Batch]:
    """A top-level JSON array, decoded in parts of whole items cut at item boundaries found by the first item's first key.

    A cut is taken only where `[` + the bytes before it + `]` decodes as a list of items: the decoder's state there
    equals its state on the whole file (same bytes, same start), outside any string and between two items. Where
    the guessed boundary is not one (the key also opens a nested object), the one before it is tried, then the
    source streams.
    """
    decoder = msgspec.json.Decoder(list[shape.item])
    position = 0
    with open(path, "rb") as handle:
        head = handle.read(min(1 << 16, BLOCK_BYTES))
        if head.startswith(_BOM):
            head = head[3:]
        start = len(head) - len(head.lstrip(_JSON_WS))
        if head[start:start + 1] != b"[":
            raise NotClean("not a JSON array")
        found = _FIRST_KEY.match(head, start + 1)
        if found is None or b"\\" in found.group(1):
            raise NotClean("the first item is not an object with a plain first key")
        key = found.group(1)
        buffer = _Buffer(handle, 2 * BLOCK_BYTES + len(head))
        buffer.data[: len(head) - start] = head[start:]
        buffer.fill = len(head) - start
        while True:
            if not buffer.read(BLOCK_BYTES):
                items = _decoded(lambda: buffer.decode(decoder, buffer.fill))
                yield _checked_batch(shape, items, np.arange(position, position + len(items)), buffer.view(buffer.fill), 1)
                return
            cuts = _item_boundaries(buffer.data, buffer.fill, key)
            if not cuts:
                if buffer.fill > _MAX_BLOCK:
                    raise NotClean("no item boundary in a whole block")
                continue
            for attempt, (end, resume) in enumerate(cuts):
                try:
                    items = _decoded(lambda end=end: buffer.decode(decoder, end, b"]"))
                    break
                except NotClean:
                    if attempt == len(cuts) - 1:
                        raise
            batch = _checked_batch(shape, items, np.arange(position, position + len(items)), buffer.view(end), 1)
            buffer.keep(resume, b"[")
            yield batch
            position += len(items)
            del items


_FIRST_KEY = re.compile(rb'[ \t\r\n]*\{[ \t\r\n]*("[^"]*")[ \t\r\n]*:')
_SPACE = frozenset(_JSON_WS)


def _item_boundaries(data: bytearray, size: int, key: bytes, wanted: int = 2) -> list[tuple[int, int]]:
    """The last places in data[:size], latest first, that read `}`, `,`, `{`, key, `:` (JSON whitespace allowed
    between): (end of the item before, start of the item after)."""
    found: list[tuple[int, int]] = []
    limit = size
    while len(found) < wanted:
        at = data.rfind(key, 0, limit)
        if at < 0:
            return found
        limit = at
        after = at + len(key)
        while after < size and data[after] in _SPACE:
            after += 1
        if after >= size or data[after] != 0x3A:  # ':'
            continue
        index, places = at - 1, []
        for char in (0x7B, 0x2C, 0x7D):  # '{', ',', '}', walking back
            while index >= 0 and data[index] in _SPACE:
                index -= 1
            if index < 0 or data[index] != char:
                break
            places.append(index)
            index -= 1
        if len(places) == 3:
            found.append((places[2] + 1, places[0]))
    return found


def _jsonl_batches(path: Path, shape) -> Iterator[Batch]:
    decoder = msgspec.json.Decoder(shape.item)
    first_line = 1
    for block in _line_blocks(path):
        lines = block.split(b"\n")
        if not lines[-1]:
            lines.pop()
        numbers = np.array([first_line + i for i, line in enumerate(lines) if line.strip()], dtype=np.int64)
        first_line += len(lines)
        lines = [line for line in lines if line.strip()]
        items = _decoded(lambda lines=lines: list(map(decoder.decode, lines)))
        yield _checked_batch(shape, items, numbers, np.frombuffer(block, dtype=np.uint8), 0)


def _line_blocks(path: Path) -> Iterator[bytes]:
    """Blocks of whole lines (the last may lack its line end); the file's BOM removed, carriage returns checked:
    the streaming readers split lines at \r too, so a \r that does not end a line (\r\n) leaves this path."""
    with open(path, "rb") as handle:
        buffer = _Buffer(handle, 2 * BLOCK_BYTES)
        buffer.read(4)
        if buffer.data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raise NotClean("UTF-16")
        buffer.keep(3 if buffer.data[:3] == _BOM else 0)
        while True:
            more = buffer.read(BLOCK_BYTES)
            if not buffer.fill:
                return
            cut = buffer.data.rfind(b"\n", 0, buffer.fill) + 1 if more else buffer.fill
            if not cut:
                if buffer.fill > _MAX_BLOCK:
                    raise NotClean("a line longer than a block")
                continue
            with memoryview(buffer.data) as view:
                block = bytes(view[:cut])
            buffer.keep(cut)
            if b"\r" in block and block.count(b"\r") != block.count(b"\r\n"):
                raise NotClean("a carriage return that does not end a line")
            yield block
            if not more:
                return


# --- CSV and TSV -------------------------------------------------------------------------------------


def _delimited_batches(path: Path, options: dict[str, Any]) -> Iterator[Batch]:
    """Lines split by the delimiter, as the csv module reads them: TSV without quoting, CSV with quoting. A block
    of CSV with a quote goes through the csv module itself (one row per line, else the source streams)."""
    delimiter = options.get("delimiter") or ("\t" if path.suffix.lower() in {".tsv", ".txt"} else ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '\r\n"\x00':
        raise NotClean("a delimiter the csv module may treat otherwise")
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    header = options.get("header", True)
    text_field = options.get("text_field", "text")
    fields = options.get("fields") or {text_field: "caption"}
    if not all(role in ROLES for role in fields.values()):
        raise NotClean("an unknown role")
    roles = [ROLES[role] for role in fields.values()]
    id_field = options.get("id_field") or None
    csv.field_size_limit(MAX_CSV_FIELD_CHARS)
    sep = delimiter.encode()
    columns: list[str] | None = None
    first_line = 1
    for block in _line_blocks(path):
        if b"\x00" in block:
            raise NotClean("a NUL character")
        lines, numbers = _lines(block, first_line)
        first_line += len(numbers)
        if header and columns is None:
            if not len(lines) or not len(lines[0]):
                raise NotClean("no header on line 1")
            columns = _parse_header(lines[0], delimiter, quoting)
            if len(set(columns)) < len(columns):
                raise NotClean("a repeated column name")
            lines, numbers = lines[1:], numbers[1:]
        empty = lines.str.len_bytes() == 0
        if empty.any():
            lines, numbers = lines.filter(~empty), numbers[~empty.to_numpy()]
        if not len(lines):
            continue
        if quoting == csv.QUOTE_MINIMAL and b'"' in block:
            values = _csv_module_rows(lines, delimiter)
        else:
            values = lines.str.split(delimiter) if sep in block else None
        texts = [_column(values, lines, columns, column, required=True) for column in fields]
        keys = _column(values, lines, columns, id_field, required=False) if id_field else None
        keys = _no_keys(len(lines)) if keys is None else keys
        if columns is not None and values is not None and (values.list.len() != len(columns)).any():
            raise NotClean("a row whose column count differs from the header's")
        if columns is not None and values is None and len(columns) != 1:
            raise NotClean("a row whose column count differs from the header's")
        yield Batch.of(len(lines), _flat_turns(texts, roles, keys, numbers))


def _lines(block: bytes, first_line: int) -> tuple[pl.Series, np.ndarray]:
    """The lines of a block without their line ends, and their numbers; NotClean unless the block is UTF-8."""
    try:
        text = pl.Series([block], dtype=pl.Binary).cast(pl.String)
    except pl.exceptions.PolarsError:
        raise NotClean("invalid UTF-8") from None
    lines = text.str.split("\n").explode()
    if block.endswith(b"\n"):
        lines = lines.slice(0, len(lines) - 1)
    if b"\r" in block:
        lines = lines.str.strip_suffix("\r")
    return lines, np.arange(first_line, first_line + len(lines), dtype=np.int64)


def _parse_header(line: str, delimiter: str, quoting: int) -> list[str]:
    try:
        rows = list(csv.reader([line], delimiter=delimiter, quoting=quoting, strict=True))
    except csv.Error:
        raise NotClean("a header the csv module cannot parse") from None
    if len(rows) != 1:
        raise NotClean("a header over several lines")
    return rows[0]


def _csv_module_rows(lines: pl.Series, delimiter: str) -> pl.Series:
    try:
        rows = list(csv.reader(lines.to_list(), delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, strict=True))
    except csv.Error:
        raise NotClean("a row the csv module cannot parse") from None
    if len(rows) != len(lines):
        raise NotClean("a quoted field over several lines")
    return pl.Series(rows, dtype=pl.List(pl.String))


def _column(values: pl.Series | None, lines: pl.Series, columns: list[str] | None, column: Any, required: bool) -> pl.Series | None:
    """A column of the rows: by header name, or by index."""
    if columns is not None:
        if not isinstance(column, str) or column not in columns:
            if required:
                raise NotClean("no such column")
            return None
        index = columns.index(column)
    else:
        if isinstance(column, bool) or not isinstance(column, int) or column < 0:
            if required:
                raise NotClean("a column that a headerless row cannot have")
            return None
        index = column
    if values is None:
        if index == 0:
            return lines
        if required:
            raise NotClean("a missing column")
        return None
    found = values.list.get(index, null_on_oob=True)
    if required and found.null_count():
        raise NotClean("a missing column")
    return found


# --- Parquet -----------------------------------------------------------------------------------------


def _parquet_batches(path: Path, options: dict[str, Any]) -> Iterator[Batch]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = options.get("fields") or {options.get("text_field", "text"): "caption"}
    if not all(role in ROLES for role in fields.values()):
        raise NotClean("an unknown role")
    roles = [ROLES[role] for role in fields.values()]
    try:
        parquet = pq.ParquetFile(path)
    except Exception:  # noqa: BLE001 (pyarrow raises several types for unreadable files)
        raise NotClean("not a readable Parquet file") from None
    schema = parquet.schema_arrow
    for column in fields:
        if column not in schema.names or not is_arrow_text(schema.field(column).type):
            raise NotClean("a missing or non-text column")
    id_field = options.get("id_field")
    if not (id_field and isinstance(id_field, str) and id_field in schema.names):
        id_field = None
    elif not (is_arrow_text(id_type := schema.field(id_field).type) or pa.types.is_integer(arrow_value_type(id_type))):
        raise NotClean("an id column that is neither text nor integer")
    wanted = list(dict.fromkeys([*fields, *([id_field] if id_field else [])]))
    # a damaged page: the streaming reader names the row
    for position, batch in parquet_batches(parquet, lambda _row, _error: NotClean("unreadable Parquet data")):
        try:
            batch.validate(full=True)  # the streaming reader turns every column into Python values: invalid UTF-8 fails
            frame = pl.from_arrow(pa.Table.from_batches([batch]).select(wanted).combine_chunks())
            texts = [frame.get_column(column).cast(pl.String) for column in fields]
            keys = frame.get_column(id_field).cast(pl.String) if id_field else _no_keys(batch.num_rows)
        except (pa.ArrowException, pl.exceptions.PolarsError):
            raise NotClean("Parquet data this reader cannot take as it is") from None
        positions = np.arange(position, position + batch.num_rows, dtype=np.int64)
        _check_texts(*texts)
        _check_keys(keys)
        yield Batch.of(batch.num_rows, _flat_turns(texts, roles, keys, positions))
