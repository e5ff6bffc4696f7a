"""The fast (vectorized) ingest writes exactly the shards of the streaming ingest, and hands every file that is not
clean to the streaming reader, whose rejects and messages stay what they were. Each test ingests the same tiny
file both ways, end to end at the stage level, and compares shard names, frames, counts, rejects and errors."""

from __future__ import annotations

import json
import sys

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from pipeline.core.config import Source, parse_run
from pipeline.core.errors import ClassfreqError
from pipeline.readers import fast as fast_readers
from pipeline.readers.fast import PY_WHITESPACE, strip_placeholders_series
from pipeline.readers.sources import ingest_source, strip_placeholders
from pipeline.runner import run_pipeline

BOM = b"\xef\xbb\xbf"
WORLD = ["Кошка сидит на окне", "猫がいます 🐈‍⬛🦈", "כלב בפארק", "قطة على الشجرة", "\u200fمرحبا\u200f 👍🏽"]


def ingest(run):
    """The ingest stage alone, as `classfreq ingest` runs it."""
    return run_pipeline(run, ["ingest"])[0]


def ingest_both(folder, fmt, path, shard_size=3, policy="skip", **options):
    """(fast result, streaming result), each with the frames of its shards, after checking that both agree."""
    source = Source(name="src", stage="instruct", format=fmt, path=path, **options)
    results = []
    for mode in ("fast", "streaming"):
        directory = folder / mode
        directory.mkdir(parents=True)
        try:
            result = ingest_source(source, directory, shard_size, policy, fast=mode == "fast")
        except ClassfreqError as error:
            results.append({"error": str(error)})
            continue
        result["files"] = sorted(p.name for p in directory.iterdir())
        result["frames"] = [pl.read_parquet(directory / name) for name in result["shards"]]
        results.append(result)
    fast, streaming = results
    assert fast.keys() - {"reader", "reader_note"} == streaming.keys() - {"reader", "reader_note"}
    if "error" in fast:
        assert fast["error"] == streaming["error"]
        return fast, streaming
    assert fast["counts"] == streaming["counts"]
    assert list(fast["counts"]) == list(streaming["counts"])  # the manifest keeps the key order
    assert fast["shards"] == streaming["shards"] and fast["files"] == streaming["files"]
    assert fast["rejects"] == streaming["rejects"]
    for ours, theirs in zip(fast["frames"], streaming["frames"]):
        assert_frame_equal(ours, theirs)
    return fast, streaming


@pytest.fixture(params=[64, 1 << 20], ids=["tiny-blocks", "one-block"])
def block_bytes(request, monkeypatch):
    """Tiny blocks make every file many blocks, so that cutting at record boundaries is exercised."""
    monkeypatch.setattr(fast_readers, "BLOCK_BYTES", request.param)
    return request.param


# --- clean files: the fast reader reads them, and writes what the streaming one writes -----------------------


def llava_items():
    texts = [
        "<image>\nWhat is in the picture?", "A great white shark.\tIt swims.", "Look: <image> here", "   ",
        "the end <image>", "", "<image>", "\x1c<image>\x1f two <image><image> x \u2028", "line1\r\nline2\u3000",
        "\u00a0nbsp\u00a0", "<Image> is not a placeholder", "<image\n>", *WORLD,
    ]
    speakers = ["human", "gpt", "user", "assistant", "caption"]
    items = []
    for index in range(40):
        turns = [{"from": speakers[(index + k) % 5], "value": texts[(index * 3 + k) % len(texts)]} for k in range(index % 4)]
        item = {"id": f"item-{index}" if index % 3 == 0 else index, "image": f"{index}.jpg", "conversations": turns}
        if index % 7 == 2:
            del item["id"]
        if index % 11 == 5:
            item["id"] = None
        if index % 2:
            item = {"conversations": item["conversations"], **{k: v for k, v in item.items() if k != "conversations"}}
        items.append(item)
    return items


LAYOUTS = {
    "compact": lambda items: b" \n" + json.dumps(items).encode(),
    "no-spaces": lambda items: json.dumps(items, separators=(",", ":"), ensure_ascii=False).encode(),
    "pretty-crlf-bom": lambda items: BOM + json.dumps(items, indent=2, ensure_ascii=False).replace("\n", "\r\n").encode(),
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("fmt", ["llava", "json"])
def test_llava_arrays(tmp_path, block_bytes, layout, fmt):
    path = tmp_path / "chat.json"
    path.write_bytes(LAYOUTS[layout](llava_items()) + b"\n")
    fast, _ = ingest_both(tmp_path, fmt, path)
    assert fast["reader"] == "fast"
    assert fast["counts"]["records"] == 40 and fast["counts"]["empty_texts"] > 0 and len(fast["shards"]) > 3
    texts = pl.concat(fast["frames"])["text"].to_list()
    assert "What is in the picture?" in texts and "the end" in texts and "Look: here" in texts
    assert "A great white shark.\tIt swims." in texts and "two  x" in texts and WORLD[4].strip() in texts


def test_llava_array_with_one_record_per_shard_and_one_shard(tmp_path, block_bytes):
    path = tmp_path / "chat.json"
    path.write_bytes(json.dumps(llava_items()).encode())
    fast, _ = ingest_both(tmp_path / "a", "llava", path, shard_size=1)
    assert fast["reader"] == "fast" and len(fast["shards"]) > 20  # one per record that has a document
    fast, _ = ingest_both(tmp_path / "b", "llava", path, shard_size=10_000)
    assert fast["reader"] == "fast" and len(fast["shards"]) == 1


def test_an_array_whose_nested_objects_share_the_first_key_of_items(tmp_path, block_bytes):
    # the boundary guess ("}, {\"id\":") also matches inside items; only a cut that decodes is taken
    items = [{"id": str(i), "conversations": [{"id": "t", "from": "human", "value": f"turn {i}"}] * 3} for i in range(30)]
    path = tmp_path / "nested.json"
    path.write_bytes(json.dumps(items).encode())
    ingest_both(tmp_path, "llava", path)


def test_odd_but_valid_json_is_read_as_python_reads_it(tmp_path, block_bytes):
    # duplicate keys (the last wins), empty, zero, negative and huge integer ids, escapes of every kind
    items = [
        b'{"id": "", "conversations": [{"from": "gpt", "value": "first", "value": "last"}]}',
        b'{"id": 0, "id": "again", "conversations": [{"from": "human", "from": "gpt", "value": "x"}]}',
        b'{"id": -12, "conversations": [{"value": "\\u00e9\\t\\n\\/\\"q\\" \\ud83e\\udd88", "from": "user"}]}',
        b'{"id": 123456789012345678901234567890, "conversations": [], "conversations": [{"from": "gpt", "value": "y"}]}',
        b'{"id": 5, "extra": {"deep": [1, 2.5e300, null, true, "<image>"]}, "conversations": [{"from": "gpt", "value": "z"}]}',
    ]
    # more of the same without their ids, which are unique within a file
    items += [item.replace(b'"id"', b'"ref"') for item in items * 3]
    path = tmp_path / "odd.json"
    path.write_bytes(b"[" + b",\n".join(items) + b"]")
    fast, _ = ingest_both(tmp_path, "llava", path)
    assert fast["reader"] == "fast"
    frame = pl.concat(fast["frames"])
    assert frame["text"].to_list()[:5] == ["last", "x", '\u00e9\t\n/"q" \U0001f988', "y", "z"]
    assert frame["conversation_id"].to_list()[:5] == ["src:", "src:again", "src:-12", "src:123456789012345678901234567890", "src:5"]


def test_flat_json_arrays(tmp_path, block_bytes):
    rows = [{"id": i if i % 2 else f"k{i}", "caption": WORLD[i % 5] + " <image>", "answer": f"a {i}", "x": [1, {"y": None}]}
            for i in range(25)]
    rows[3]["id"] = None
    del rows[4]["id"]
    path = tmp_path / "flat.json"
    path.write_bytes(BOM + json.dumps(rows, ensure_ascii=False).encode())
    fast, _ = ingest_both(tmp_path / "one", "json", path, text_field="caption", id_field="id")
    assert fast["reader"] == "fast"
    fast, _ = ingest_both(tmp_path / "two", "json", path, fields={"caption": "human", "answer": "assistant"}, id_field="id")
    assert fast["reader"] == "fast"
    fast, _ = ingest_both(tmp_path / "three", "json", path, fields={"caption": "human", "id": "gpt"}, id_field="id")
    assert fast["reader"] == "streaming"  # an integer where the text of a turn should be: the streaming reader says where


QA = {"id_field": "id", "fields": {"instruction": "human", "output": "gpt"}}


def test_jsonl_flat_and_llava_layout(tmp_path, block_bytes):
    lines = [json.dumps({"id": i if i % 3 else str(i), "instruction": f"<image> Q{i}? " + WORLD[i % 5],
                         "output": "" if i % 4 == 0 else f"A{i}.\t"}, ensure_ascii=i % 2 == 0) for i in range(30)]
    content = "\r\n".join(lines[:10]) + "\r\n\r\n  \n" + "\n".join(lines[10:]) + "\n\n"
    path = tmp_path / "qa.jsonl"
    path.write_bytes(BOM + content.encode())
    fast, _ = ingest_both(tmp_path / "flat", "jsonl", path, **QA)
    assert fast["reader"] == "fast" and fast["counts"]["records"] == 30
    path = tmp_path / "chat.jsonl"
    path.write_bytes(b"\n".join(json.dumps(item).encode() for item in llava_items()))  # no line end at the end
    fast, _ = ingest_both(tmp_path / "llava", "jsonl", path)
    assert fast["reader"] == "fast" and fast["counts"]["records"] == 40


def tsv_lines():
    return [f"{text} <image>\thttp://x/{i}\t{i}" for i, text in enumerate(WORLD * 6)] + ['a "quoted" caption\thttp://q\tq']


@pytest.mark.parametrize("ending", [b"\n", b"\r\n"])
def test_headerless_tsv(tmp_path, block_bytes, ending):
    content = ending.join(line.encode() for line in tsv_lines()[:9]) + ending * 3 + ending.join(
        line.encode() for line in tsv_lines()[9:]) + ending + b"   \t \t " + ending + b"\t\t" + ending + b"last\tline\tL"
    path = tmp_path / "captions.tsv"
    path.write_bytes(BOM + content)
    for name, options in {"text": {"text_field": 0}, "url": {"text_field": 1}, "keyed": {"text_field": 0, "id_field": 2},
                          "two": {"fields": {0: "human", 1: "gpt"}, "id_field": 7}}.items():
        fast, _ = ingest_both(tmp_path / name, "tsv", path, header=False, **options)
        assert fast["reader"] == "fast", name


def test_one_column_tsv_and_tsv_with_a_header(tmp_path, block_bytes):
    path = tmp_path / "plain.txt"
    path.write_bytes("\n".join(text for text in WORLD * 8).encode() + b"\n\n<image>\n")
    fast, _ = ingest_both(tmp_path / "plain", "tsv", path, header=False, text_field=0)
    assert fast["reader"] == "fast" and fast["counts"]["empty_texts"] == 1
    path = tmp_path / "headed.tsv"
    path.write_bytes(b"caption\turl\tkey\n" + "\n".join(tsv_lines()).encode() + b"\n")
    fast, _ = ingest_both(tmp_path / "headed", "tsv", path, text_field="caption", id_field="key")
    assert fast["reader"] == "fast"


def test_csv_with_and_without_quotes(tmp_path, block_bytes):
    rows = [f'{i},"{text}, <image> ""quoted""",x' for i, text in enumerate(WORLD * 5)]
    path = tmp_path / "quoted.csv"
    path.write_bytes(BOM + ("id,text,other\r\n" + "\r\n".join(rows) + "\r\n").encode())
    fast, _ = ingest_both(tmp_path / "quoted", "csv", path, id_field="id")
    assert fast["reader"] == "fast"
    path = tmp_path / "plain.csv"
    path.write_bytes(("other,text,id\n" + "\n".join(f"first,{text},{i}" for i, text in enumerate(WORLD * 5))).encode())
    fast, _ = ingest_both(tmp_path / "plain", "csv", path, id_field="id")
    assert fast["reader"] == "fast"
    assert pl.concat(fast["frames"])["text"].to_list()[:5] == [text.strip() for text in WORLD]


def test_parquet(tmp_path, block_bytes):
    count = 100
    table = pa.table({
        "text": pa.array([WORLD[i % 5] + (" <image>" if i % 2 else "") if i % 9 else "  " for i in range(count)]).dictionary_encode(),
        "answer": pa.array([f"answer {i}" for i in range(count)], pa.large_string()),
        "key": pa.array([None if i % 4 == 0 else i for i in range(count)], pa.int64()),
        "name": pa.array([None if i % 5 == 0 else f"n{i}" for i in range(count)]),
        "extra": pa.array([[i, i] for i in range(count)]),
    })
    path = tmp_path / "t.parquet"
    pq.write_table(table, path, row_group_size=30)
    for name, options in {"text": {}, "int-key": {"id_field": "key"}, "text-key": {"id_field": "name"},
                          "two": {"fields": {"text": "user", "answer": "assistant"}, "id_field": "absent"}}.items():
        fast, _ = ingest_both(tmp_path / name, "parquet", path, **options)
        assert fast["reader"] == "fast", name


# --- not clean: the streaming reader takes over, with today's rejects and messages ---------------------------


def item(value="a dog", speaker="gpt", key=None):
    return {"id": key, "conversations": [{"from": "human", "value": "Describe."}, {"from": speaker, "value": value}]}


def array(*items) -> bytes:
    return json.dumps([item(f"good {i}") for i in range(8)] + list(items) + [item("after")], ensure_ascii=False).encode()


GOOD = array()
BAD_LLAVA = {
    "null value": array(item(None)),
    "int value": array(item(42)),
    "float value": array(item(4.5)),
    "unknown speaker": array(item(speaker="bob")),
    "speaker not text": array(item(speaker=3)),
    "missing speaker": array({"id": "1", "conversations": [{"value": "hi"}]}),
    "turn not an object": array({"id": "1", "conversations": ["hi"]}),
    "conversations not a list": array({"id": "1", "conversations": "human: hi"}),
    "conversations missing": array({"id": "1"}),
    "conversations null": array({"id": "1", "conversations": None}),
    "id a list": array(item(key=["1"])),
    "id a bool": array(item(key=True)),
    "id a float": array(item(key=1.5)),
    "item not an object": array(["not", "an", "object"]),
    "NUL in a text": array(item("a\u0000b")),
    "NUL in an id": array(item(key="a\u0000b")),
    "invalid UTF-8": array(item("BAD")).replace(b"BAD", b"caf\xe9 \xff"),
    "invalid UTF-8 in an ignored field": array({**item(), "image": "BAD"}).replace(b"BAD", b"\xff"),
    "unpaired surrogate escape": array(item("x")).replace(b'"x"', b'"a \\ud83d b"'),
    "a raw tab in a string": array(item("TAB")).replace(b"TAB", b"a\tb"),
    "NaN in an ignored field": array({**item(), "score": 1.0}).replace(b"1.0", b"NaN"),
    "duplicate key, the last wins": array(item("first")).replace(b'"value": "first"', b'"value": 3, "value": "last"'),
    "truncated": GOOD[: GOOD.rindex(b"after")],
    "cut after a comma": GOOD[: GOOD.rindex(b"}]}, ") + 4],
    "no closing bracket": GOOD[:-1],
    "garbage after the array": GOOD + b" trailing words",
    "doubled commas": GOOD.replace(b"]}, {", b"]}, , {", 1),
    "no comma": GOOD.replace(b"]}, {", b"]} {", 1),
    "invalid JSON in the middle": GOOD.replace(b'"id": null, "conv', b'"id": null, conv', 1),
    "zero-filled tail": GOOD[:-1] + b", " + b"\x00" * 300,
    "empty array": b"[]",
    "not an array": b'{"id": 1}',
    "blank": b" \r\n",
    "UTF-16": GOOD.decode().encode("utf-16"),
    "two BOMs": BOM + BOM + GOOD,
}


@pytest.mark.parametrize("case", BAD_LLAVA)
@pytest.mark.parametrize("policy", ["skip", "fail"])
def test_bad_llava_falls_back_to_the_streaming_reader(tmp_path, block_bytes, case, policy):
    path = tmp_path / "chat.json"
    path.write_bytes(BAD_LLAVA[case])
    fast, _ = ingest_both(tmp_path, "llava", path, shard_size=2, policy=policy)
    if case == "invalid UTF-8 in an ignored field":
        assert fast["reader"] == "fast"  # neither reader looks at the image path
    elif case in ("NaN in an ignored field", "duplicate key, the last wins") or "error" in fast:
        assert fast.get("reader", "streaming") == "streaming"  # accepted (or refused) by the streaming reader alone
    else:
        assert fast["reader"] == "streaming" and fast["reader_note"].startswith("the fast reader declined: ")
        assert policy == "skip" and fast["rejects"]


BAD_LINES = {
    "invalid JSON": b'{"id": 2, "instruction": "Where?", "output": "In a par\n',
    "null output": b'{"id": 3, "instruction": "Who?", "output": null}\n',
    "missing instruction": b'{"id": 4, "output": "no instruction"}\n',
    "invalid UTF-8": b'{"id": 5, "instruction": "\xff\xfe", "output": "x"}\n',
    "NUL": b'{"id": 6, "instruction": "a\\u0000b", "output": "x"}\n',
    "an array": b"[1, 2]\n",
    "a BOM inside": BOM + b'{"id": 7, "instruction": "Again?", "output": "A cat."}\n',
    "a lone carriage return": b'{"id": 8, "instruction": "a", "output": "b"}\r{"id": 9, "instruction": "c", "output": "d"}\n',
    "a form feed line": b"\x0c\n",
    "a unit separator line": b"\x1f\n",
    "bool id": b'{"id": false, "instruction": "a", "output": "b"}\n',
}


@pytest.mark.parametrize("case", BAD_LINES)
@pytest.mark.parametrize("policy", ["skip", "fail"])
def test_bad_jsonl_falls_back_to_the_streaming_reader(tmp_path, block_bytes, case, policy):
    def good(ids):
        return b"".join(json.dumps({"id": i, "instruction": f"Q{i}", "output": f"A{i}"}).encode() + b"\n" for i in ids)

    path = tmp_path / "qa.jsonl"
    path.write_bytes(good(range(6)) + BAD_LINES[case] + good(range(10, 16)))
    fast, _ = ingest_both(tmp_path, "jsonl", path, policy=policy, **QA)
    assert fast.get("reader", "streaming") == ("fast" if case == "a form feed line" else "streaming")  # both skip it


BAD_DELIMITED = {
    "invalid UTF-8": ("tsv", b"a dog\thttp://1\ncaf\xe9\thttp://2\n", {"header": False, "text_field": 0}),
    "NUL": ("tsv", b"a dog\thttp://1\na\x00b\thttp://2\n", {"header": False, "text_field": 0}),
    "a short row": ("tsv", b"a dog\thttp://1\nno url\n", {"header": False, "text_field": 1}),
    "a lone carriage return": ("tsv", b"a dog\rtwo lines\n", {"header": False, "text_field": 0}),
    "a text column that no row can have": ("tsv", b"a dog\n", {"header": False, "text_field": "0"}),
    "a column count that differs from the header's": ("csv", b"id,text\n1,a dog\n2,a,b\n3,a cat\n", {}),
    "a malformed quote": ("csv", b'id,text\n1,"bad"quote\n2,a cat\n', {}),
    "a quoted field over two lines": ("csv", b'id,text\n1,"a quoted\r\nnewline"\r\n2,a cat\n', {}),
    "cut in a quoted field": ("csv", b'id,text\n1,a dog\n2,"cut at the end', {}),
    "no such column": ("csv", b"caption,url\na dog,http://x\n", {}),
    "a header only": ("csv", b"text\n", {}),
    "an empty header line": ("csv", b"\ntext\na dog\n", {}),
    "UTF-16": ("csv", "text\na dog\n".encode("utf-16"), {}),
    "an unknown role": ("csv", b"text\na dog\n", {"fields": {"text": "narrator"}}),
}


@pytest.mark.parametrize("case", BAD_DELIMITED)
@pytest.mark.parametrize("policy", ["skip", "fail"])
def test_bad_csv_and_tsv_fall_back_to_the_streaming_reader(tmp_path, block_bytes, case, policy):
    fmt, content, options = BAD_DELIMITED[case]
    path = tmp_path / f"input.{fmt}"
    path.write_bytes(content)
    fast, _ = ingest_both(tmp_path, fmt, path, policy=policy, **options)
    assert fast.get("reader", "streaming") == "streaming"


@pytest.mark.parametrize("policy", ["skip", "fail"])
def test_bad_parquet_falls_back_to_the_streaming_reader(tmp_path, policy):
    cases = {
        "null": pa.table({"text": ["a dog", None, "a cat"]}),
        "NUL": pa.table({"text": ["a dog", "a\x00b", "a cat"]}),
        "NUL in the id": pa.table({"text": ["a dog", "a cat"], "id": ["x", "y\x00"]}),
        "float id": pa.table({"text": ["a dog", "a cat"], "id": [1.5, None]}),
        "not text": pa.table({"text": [1, 2]}),
        "no such column": pa.table({"caption": ["a dog"]}),
    }
    for name, table in cases.items():
        path = tmp_path / f"{name}.parquet"
        pq.write_table(table, path)
        fast, _ = ingest_both(tmp_path / name, "parquet", path, policy=policy, id_field="id")
        assert fast.get("reader", "streaming") == "streaming", name
    garbage = tmp_path / "garbage.parquet"
    garbage.write_bytes(b"text\na dog\n")
    fast, _ = ingest_both(tmp_path / "garbage", "parquet", garbage, policy=policy)
    assert "not a readable Parquet file" in fast["error"]


def test_a_late_bad_record_removes_the_shards_the_fast_reader_wrote(tmp_path, monkeypatch):
    monkeypatch.setattr(fast_readers, "BLOCK_BYTES", 256)
    path = tmp_path / "chat.json"
    content = json.dumps([item(f"text {i}", key=str(i)) for i in range(60)] + [item(None)])
    path.write_bytes(content.encode())
    fast, _ = ingest_both(tmp_path, "llava", path, shard_size=4)
    assert fast["reader"] == "streaming" and len(fast["shards"]) == 30 and fast["rejects"]


# --- the whole stage, and the text rules ------------------------------------------------------------------


def test_the_stage_records_the_reader_and_writes_the_same_outputs_either_way(workspace, monkeypatch):
    (workspace / "chat.json").write_bytes(json.dumps(llava_items()).encode())
    (workspace / "bad.json").write_bytes(array(item(None)))
    (workspace / "captions.tsv").write_bytes("\n".join(tsv_lines()).encode())
    sources = [{"name": "chat", "stage": "instruct", "format": "llava", "path": "chat.json"},
               {"name": "bad", "stage": "instruct", "format": "llava", "path": "bad.json"},
               {"name": "captions", "stage": "pretrain", "format": "tsv", "path": "captions.tsv", "header": False,
                "text_field": 0}]
    manifests = {}
    for mode in ("on", "off"):
        monkeypatch.setenv("CLASSFREQ_FAST_INGEST", mode)
        run = parse_run({"name": f"fast-{mode}", "class_set": "imagenet1k", "sources": sources,
                         "options": {"input_policy": "skip", "shard_size": 7}})
        manifests[mode] = ingest(run).manifest
    on, off = manifests["on"], manifests["off"]
    readers = {source["source"]: source["reader"] for source in on["details"]["sources"]}
    assert readers == {"chat": "fast", "bad": "streaming", "captions": "fast"}
    assert {s["source"]: s["reader"] for s in off["details"]["sources"]} == dict.fromkeys(readers, "streaming")
    strip = ("reader", "reader_note")
    assert [{k: v for k, v in s.items() if k not in strip} for s in on["details"]["sources"]] == [
        {k: v for k, v in s.items() if k not in strip} for s in off["details"]["sources"]]
    assert on["rows"] == off["rows"] and on["rejects"] == off["rejects"]
    for name in sorted(p.name for p in (workspace / "work" / "fast-off").glob("ingest-*/*.parquet")):
        [ours] = (workspace / "work" / "fast-on").glob(f"ingest-*/{name}")
        [theirs] = (workspace / "work" / "fast-off").glob(f"ingest-*/{name}")
        assert_frame_equal(pl.read_parquet(ours), pl.read_parquet(theirs))


def test_python_whitespace_is_what_str_isspace_says():
    assert PY_WHITESPACE == "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())


ALPHABET = st.sampled_from([*PY_WHITESPACE, "<image>", "<image", "image>", "<", ">", "a", "é", "猫", "🦈", "\u200b", "\ufeff"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(ALPHABET, max_size=12).map("".join), min_size=1, max_size=20))
def test_placeholders_and_whitespace_are_stripped_as_python_strips_them(texts):
    column = pl.Series(texts, dtype=pl.String)
    assert strip_placeholders_series(column).to_list() == [strip_placeholders(t) for t in texts]
    assert column.to_list() == texts  # the input column is left as it was
