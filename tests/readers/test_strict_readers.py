"""Input that the readers used to take loosely (content after a JSON array, repeated ids, a lone carriage return, deep
nesting, a named pipe, ...): each ends as a named reject or file error, the fast reader declines it or agrees
exactly, and nothing is lost, merged or crashes silently."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.config import Source
from pipeline.core.errors import ClassfreqError, FileError, InputError
from pipeline.readers.fast import _json_depth as fast_json_depth
from pipeline.readers.sources import ingest_sources, read_source, until_broken
from pipeline.readers.streaming import json_depth

from ..cli_runs import classfreq, write_run
from .test_bad_input import llava_bytes, llava_item, outcomes
from .test_fast_ingest import block_bytes, ingest_both  # noqa: F401 (block_bytes is a fixture)

BREAK = "; the rest of the file was not read"
DEPTH = "nested deeper than 100 levels"
BAD_BYTE = b"\xff"


def messages(tmp_path, fmt, content: bytes, name="input", **options) -> list[str]:
    """The messages of the rejects a reader yields."""
    path = tmp_path / name
    path.write_bytes(content)
    items = until_broken(read_source(Source(name="s", stage="pretrain", format=fmt, path=path, **options)))
    return [str(item) for item in items if isinstance(item, InputError)]


def both_decline(tmp_path, fmt, content: bytes, name="input", **options):
    """The streaming reader's result under skip, after checking that the fast reader declined and both agree."""
    tmp_path.mkdir(exist_ok=True)
    path = tmp_path / name
    path.write_bytes(content)
    fast, streaming = ingest_both(tmp_path, fmt, path, policy="skip", **options)
    assert fast.get("reader", "streaming") == "streaming"
    return streaming


DOG, CAT = ("record", ["Describe.", "a dog"]), ("record", ["Describe.", "a cat"])


# --- 1 and 7: a JSON array is read exactly: nothing after its end, one comma between items -----------------


@pytest.mark.parametrize(("tail", "reason"), [
    (b"\n" + llava_bytes(llava_item("a cat")), "content after the end of the JSON array" + BREAK),
    (b" trailing words", "content after the end of the JSON array" + BREAK),
    (b"]", "content after the end of the JSON array" + BREAK),
])
def test_content_after_the_array_is_a_break(tmp_path, block_bytes, tail, reason):
    content = llava_bytes(llava_item("a dog")) + tail
    assert outcomes(tmp_path, "llava", content) == [DOG, ("reject", "record 1", None, reason)]
    assert outcomes(tmp_path, "llava", content + b"\r\n") == [DOG, ("reject", "record 1", None, reason)]
    result = both_decline(tmp_path, "llava", content, name="chat.json")
    assert [r["reason"] for r in result["rejects"]] == [reason]


def test_whitespace_after_the_array_is_fine(tmp_path):
    assert outcomes(tmp_path, "llava", llava_bytes(llava_item("a dog")) + b" \r\n\t\n") == [DOG]


@pytest.mark.parametrize(("content", "expected"), [
    (b"[DOG CAT]", [DOG, ("reject", "record 1", None, "invalid JSON (Expecting ',' delimiter)" + BREAK)]),
    (b"[DOG,]", [DOG, ("reject", "record 1", None, "invalid JSON (Illegal trailing comma before end of array)" + BREAK)]),
    (b"[DOG, , CAT]", [DOG, ("reject", "record 1", None, "invalid JSON (Expecting value)" + BREAK)]),
    (b"[, DOG]", [("reject", "record 0", None, "invalid JSON (Expecting value)" + BREAK)]),
    (b"[DOG,\n CAT]", [DOG, CAT]),
])
def test_items_of_an_array_are_separated_by_exactly_one_comma(tmp_path, block_bytes, content, expected):
    content = content.replace(b"DOG", json.dumps(llava_item("a dog")).encode()).replace(
        b"CAT", json.dumps(llava_item("a cat", key="2")).encode())
    assert outcomes(tmp_path, "llava", content) == expected
    if len(expected) == 1 or expected[1][0] == "reject":
        both_decline(tmp_path, "llava", content, name="chat.json")


# --- 2: ids are unique within a source -------------------------------------------------------------------


def test_a_repeated_llava_id_is_a_reject_naming_where_it_was_first(tmp_path, block_bytes):
    content = llava_bytes(llava_item("a dog", key="a"), llava_item("a cat", key="b"), llava_item("a goose", key="a"))
    assert outcomes(tmp_path, "llava", content) == [DOG, CAT, ("reject", "record 2", "id", "repeated id")]
    assert messages(tmp_path, "llava", content) == [
        f"{tmp_path / 'input'}: record 2, field 'id': repeated id (first at record 0): 'a'"]
    result = both_decline(tmp_path, "llava", content, name="chat.json")
    assert [r["reason"] for r in result["rejects"]] == ["repeated id"]


def test_an_integer_and_a_text_id_that_read_alike_are_an_id_type_clash(tmp_path, block_bytes):
    content = llava_bytes(llava_item("a dog", key=1), llava_item("a cat", key="1"), llava_item("a goose", key=1))
    assert outcomes(tmp_path, "llava", content) == [
        DOG, ("reject", "record 1", "id", "id type clash"), ("reject", "record 2", "id", "repeated id")]
    assert messages(tmp_path, "llava", content)[0] == (
        f"{tmp_path / 'input'}: record 1, field 'id': id type clash (text here, an integer at record 0): '1'")
    both_decline(tmp_path, "llava", content, name="chat.json")


def test_flat_records_with_one_id_are_one_conversation_but_ids_of_two_types_clash(tmp_path, block_bytes):
    # id_field names the conversation of a record (as the demo's Q&A lines of one image share it): repeats are fine
    lines = b"".join(json.dumps({"k": key, "text": f"t{i}"}).encode() + b"\n" for i, key in enumerate([7, 8, 7, "8"]))
    assert outcomes(tmp_path, "jsonl", lines, text_field="text", id_field="k") == [
        ("record", ["t0"]), ("record", ["t1"]), ("record", ["t2"]), ("reject", "line 4", "k", "id type clash")]
    both_decline(tmp_path / "jsonl", "jsonl", lines, name="a.jsonl", text_field="text", id_field="k")
    path = tmp_path / "same.jsonl"
    path.write_bytes(lines.replace(b'"8"', b"8"))
    fast, _ = ingest_both(tmp_path / "same", "jsonl", path, text_field="text", id_field="k")
    assert fast["reader"] == "fast"
    assert pl.concat(fast["frames"])["conversation_id"].to_list() == ["src:7", "src:8", "src:7", "src:8"]
    path = tmp_path / "a.csv"
    path.write_bytes(b"id,text\nx,a dog\ny,a cat\nx,a goose\n")
    fast, _ = ingest_both(tmp_path / "csv", "csv", path, id_field="id")
    assert fast["reader"] == "fast"


def test_an_id_type_clash_across_blocks_of_the_fast_reader(tmp_path, monkeypatch):
    from pipeline.readers import fast as fast_readers

    monkeypatch.setattr(fast_readers, "BLOCK_BYTES", 64)
    lines = [{"k": i, "text": f"t{i}"} for i in range(30)] + [{"k": "3", "text": "clash"}]
    content = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
    result = both_decline(tmp_path, "jsonl", content, name="a.jsonl", text_field="text", id_field="k")
    assert [r["reason"] for r in result["rejects"]] == ["id type clash"]


def test_repeated_ids_across_blocks_of_the_fast_reader(tmp_path, monkeypatch):
    from pipeline.readers import fast as fast_readers

    monkeypatch.setattr(fast_readers, "BLOCK_BYTES", 256)
    content = llava_bytes(*[llava_item(f"text {i}", key=str(i % 50)) for i in range(60)])
    result = both_decline(tmp_path, "llava", content, name="chat.json")
    assert len(result["rejects"]) == 10


# --- 3: COCO annotations need their image ------------------------------------------------------------------


def test_coco_annotation_without_image_id_is_rejected(tmp_path):
    content = json.dumps({"annotations": [{"image_id": 1, "id": 1, "caption": "a dog"}, {"id": 2, "caption": "a cat"},
                                          {"image_id": None, "id": 3, "caption": "a goose"}]}).encode()
    assert outcomes(tmp_path, "coco", content, name="c.json") == [
        ("record", ["a dog"]), ("reject", "annotation 1", "image_id", "missing"),
        ("reject", "annotation 2", "image_id", "missing")]


# --- 4: a header names each column once --------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "content"), [("csv", b"text,text,id\nfirst,a dog,1\n"), ("tsv", b"id\ttext\tid\n1\ta dog\t2\n")])
def test_a_repeated_column_name_is_a_file_error(tmp_path, block_bytes, fmt, content):
    repeated = "text" if fmt == "csv" else "id"
    assert outcomes(tmp_path, fmt, content, name=f"a.{fmt}") == [
        ("file", f"{tmp_path / f'a.{fmt}'}: header: repeated column name {repeated!r}")]
    path = tmp_path / f"b.{fmt}"
    path.write_bytes(content)
    fast, _ = ingest_both(tmp_path, fmt, path)
    assert "repeated column name" in fast["error"]


# --- 5: a carriage return that does not end a line --------------------------------------------------------


LONE_CR = "contains a lone carriage return"


def test_a_lone_carriage_return_in_a_tsv_or_csv_row_rejects_that_row(tmp_path, block_bytes):
    tsv = b"a dog\rtwo lines\thttp://1\na cat\thttp://2\r\n"
    assert outcomes(tmp_path, "tsv", tsv, name="a.tsv", header=False, text_field=0) == [
        ("reject", "line 1", None, LONE_CR), ("record", ["a cat"])]
    both_decline(tmp_path / "tsv", "tsv", tsv, name="a.tsv", header=False, text_field=0)
    csv = b"id,text\r\n1,a dog\rb\r\n2,a cat\r\n"
    assert outcomes(tmp_path, "csv", csv, name="a.csv") == [("reject", "line 2", None, LONE_CR), ("record", ["a cat"])]
    both_decline(tmp_path / "csv", "csv", csv, name="a.csv")


def test_a_lone_carriage_return_inside_quotes_is_part_of_the_text(tmp_path, block_bytes):
    csv = b'id,text\n1,"a dog\ron a beach"\n2,a cat\n'
    assert outcomes(tmp_path, "csv", csv, name="a.csv") == [("record", ["a dog\ron a beach"]), ("record", ["a cat"])]
    fast, _ = ingest_both(tmp_path, "csv", tmp_path / "a.csv", policy="skip")
    assert fast["counts"]["records"] == 2


def test_a_file_of_old_mac_line_ends_is_not_read_as_one_row(tmp_path):
    assert outcomes(tmp_path, "csv", b"text\ra dog\ra cat\r", name="a.csv") == [
        ("file", f"{tmp_path / 'a.csv'}: header: {LONE_CR}")]
    assert outcomes(tmp_path, "tsv", b"a dog\ra cat\r", name="a.tsv", header=False, text_field=0) == [
        ("reject", "line 1", None, LONE_CR)]


def test_a_lone_carriage_return_in_flickr8k(tmp_path):
    content = b"1.jpg#0\tA dog\r2.jpg#0\tA cat\n3.jpg#0\tA goose .\r\n"
    assert outcomes(tmp_path, "flickr8k", content, name="f.txt") == [
        ("reject", "line 1", None, LONE_CR), ("record", ["A goose ."])]


# --- 6: nesting depth is bounded -------------------------------------------------------------------------


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def deep_item(depth: int, key="deep") -> bytes:
    """A LLaVA item whose ignored field holds lists nested so that the item is `depth` levels deep."""
    return b'{"id": "%s", "extra": %s, "conversations": [{"from": "gpt", "value": "x"}]}' % (
        key.encode(), nested(depth - 1).encode())


def array_of(*items: bytes) -> bytes:
    return b"[" + b", ".join(items) + b"]"


def test_an_item_nested_deeper_than_the_bound_is_rejected_and_the_rest_read(tmp_path, block_bytes):
    dog, cat = (json.dumps(llava_item(text, key=text)).encode() for text in ("a dog", "a cat"))
    content = array_of(dog, deep_item(101), cat)
    assert outcomes(tmp_path, "llava", content) == [
        ("record", ["Describe.", "a dog"]), ("reject", "record 1", None, DEPTH), ("record", ["Describe.", "a cat"])]
    both_decline(tmp_path, "llava", content, name="chat.json")


def test_an_item_at_the_bound_is_read_by_both_readers(tmp_path, block_bytes):
    path = tmp_path / "chat.json"
    path.write_bytes(array_of(deep_item(100, "a"), deep_item(3, "b")))
    fast, _ = ingest_both(tmp_path, "llava", path)
    assert fast["reader"] == "fast" and fast["counts"]["records"] == 2


def test_brackets_and_escapes_inside_texts_are_not_nesting(tmp_path, block_bytes):
    texts = ["[" * 300, '\\"[[[' * 50, "{" * 200 + '"' + "\\" * 7, "]" * 150 + "[" * 150]
    path = tmp_path / "chat.json"
    path.write_bytes(llava_bytes(*[llava_item(text, key=str(i)) for i, text in enumerate(texts)]))
    fast, _ = ingest_both(tmp_path, "llava", path)
    assert fast["reader"] == "fast" and fast["counts"]["records"] == 4


@pytest.mark.parametrize("policy", ["skip", "fail"])
def test_an_item_too_deep_to_parse_breaks_off_a_json_array(tmp_path, policy):
    dog = json.dumps(llava_item("a dog")).encode()
    content = array_of(dog, deep_item(2000), dog)
    assert outcomes(tmp_path, "llava", content) == [
        ("record", ["Describe.", "a dog"]), ("reject", "record 1", None, DEPTH + BREAK)]
    path = tmp_path / "chat.json"
    path.write_bytes(content)
    fast, _ = ingest_both(tmp_path, "llava", path, policy=policy)
    assert fast.get("reader", "streaming") == "streaming"


def test_deep_lines_of_json_lines_are_rejected_one_by_one(tmp_path, block_bytes):
    lines = [json.dumps({"text": "a dog"}), '{"text": "x", "extra": %s}' % nested(1999),
             '{"text": "y", "extra": %s}' % nested(100), json.dumps({"text": "a cat"})]
    content = "\n".join(lines).encode() + b"\n"
    assert outcomes(tmp_path, "jsonl", content, text_field="text") == [
        ("record", ["a dog"]), ("reject", "line 2", None, DEPTH), ("reject", "line 3", None, DEPTH), ("record", ["a cat"])]
    both_decline(tmp_path, "jsonl", content, name="a.jsonl", text_field="text")


def test_a_coco_file_too_deep_to_parse_is_a_file_error(tmp_path):
    content = b'{"annotations": [], "x": %s}' % nested(5000).encode()
    [(kind, message)] = outcomes(tmp_path, "coco", content, name="c.json")
    assert kind == "file" and message.endswith(DEPTH)


# --- 8: a source path is a regular file ----------------------------------------------------------------


def test_a_named_pipe_or_a_device_is_refused_before_it_is_read(tmp_path):
    pipe = tmp_path / "pipe.json"
    os.mkfifo(pipe)
    signal.alarm(20)  # a test that blocks on the pipe fails instead of hanging
    try:
        for path in (pipe, tmp_path, Path("/dev/null")):
            source = Source(name="s", stage="pretrain", format="llava", path=path)
            with pytest.raises(FileError, match="is not a regular file"):
                read_source(source)
            with pytest.raises(ClassfreqError, match="is not a regular file"):
                ingest_sources((source,), tmp_path, 10, "skip")
    finally:
        signal.alarm(0)


# --- 9: undecodable bytes are named by their byte offset in the file ---------------------------------------


def test_invalid_utf8_names_the_byte(tmp_path):
    cases = [
        ("csv", b"\xef\xbb\xbfid,text\r\n1,ok\r\n2,ab\xffc\r\n", {}, "line 3, field 'text'", "'ab\\udcffc'"),
        ("csv", b'text\n"a quoted\nnew line, then \xff"\n', {}, "line 2, field 'text'", "'a quoted\\nnew line, then \\udcff'"),
        ("tsv", b"ok\nab\xffc\n", {"header": False, "text_field": 0}, "line 2, field '0'", "'ab\\udcffc'"),
        ("jsonl", b'{"text": "ok"}\n{"text": "\xff"}\n', {"text_field": "text"}, "line 2, field 'text'", "'\\udcff'"),
        ("flickr8k", b"1.jpg#0\tok\n2.jpg#0\t\xff\n", {}, "line 2, field 'caption'", "'\\udcff'"),
        ("llava", b"\xef\xbb\xbf" + llava_bytes(llava_item("a dog"), llava_item("BAD", key="2")).replace(b"BAD", b"caf\xff"),
         {}, "record 1, field 'conversations[1].value'", "'caf\\udcff'"),
    ]
    for fmt, content, options, where, value in cases:
        assert messages(tmp_path, fmt, content, **options) == [
            f"{tmp_path / 'input'}: {where}: not valid UTF-8 at byte {content.index(BAD_BYTE)}: {value}"], fmt


def test_invalid_utf8_in_a_long_json_array_names_the_byte(tmp_path):
    items = [llava_item("é" * 1000, key=str(i)) for i in range(3000)] + [llava_item("BAD", key="last")]
    content = llava_bytes(*items).replace(b"BAD", b"\xff")
    assert len(content) > 4 * (1 << 20)  # several chunks of the streaming reader
    [message] = messages(tmp_path, "llava", content)
    assert f"not valid UTF-8 at byte {content.index(BAD_BYTE)}" in message


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab\n\u00e9'),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(alphabet='[]{}"\\a'), children, max_size=3),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES, st.booleans())
def test_the_fast_depth_scan_agrees_with_the_decoded_value(value, ascii_only):
    # brackets, quotes and backslashes inside strings are no nesting, however they are escaped
    data = np.frombuffer(json.dumps(value, ensure_ascii=ascii_only).encode(), dtype=np.uint8)
    assert fast_json_depth(data) == json_depth(value)


def test_cli_a_named_pipe_as_a_source_exits_2_without_blocking(workspace):
    os.mkfifo(workspace / "chat.json")
    run_file = write_run(workspace / "pipe.toml", {"name": "pipe", "class_set": "imagenet1k", "sources": [
        {"name": "chat", "stage": "instruct", "format": "llava", "path": "chat.json"}]})
    done = classfreq("ingest", "--run", str(run_file), cwd=workspace, work=workspace / "work", timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr == "error: chat.json: is not a regular file\n"
