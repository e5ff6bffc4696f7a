"""Bad input, reader by reader: every broken file or record ends as a record, a reject with its place and reason,
or a file error, never as a crash or a silent loss. The outcomes listed here are the ones the README promises."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.core.config import Source
from pipeline.core.errors import FileError
from pipeline.readers.sources import read_source, until_broken
from pipeline.readers.streaming import Record

BOM = b"\xef\xbb\xbf"
BIG_TEXT = "shark " * (10 * 2**20 // 6)  # a 10 MB single text
WORLD_TEXTS = ["Кошка сидит на окне", "猫がいます 🐈‍⬛🦈", "כלב בפארק", "قطة على الشجرة", "\u200fمرحبا\u200f 👍🏽"]


def llava_item(text, speaker="gpt", key=None):
    """A LLaVA item; without a key it has no id (ids are unique within a file)."""
    item = {"conversations": [{"from": "human", "value": "Describe."}, {"from": speaker, "value": text}]}
    return item if key is None else {"id": key, **item}


def llava_bytes(*items) -> bytes:
    return json.dumps(list(items), ensure_ascii=False).encode()


def outcomes(tmp_path, fmt, content: bytes | None = None, name="input", file=None, **options):
    """What a reader makes of a file: ("record", texts) / ("reject", place, field, reason) per item, or ("file", message)."""
    path = file or tmp_path / name
    if content is not None:
        path.write_bytes(content)
    try:
        items = list(until_broken(read_source(Source(name="s", stage="pretrain", format=fmt, path=path, **options))))
    except FileError as error:
        return [("file", str(error))]
    return [
        ("record", [text for _, text in item.turns]) if isinstance(item, Record)
        else ("reject", item.record, item.field, item.reason)
        for item in items
    ]


# --- LLaVA JSON arrays ---------------------------------------------------------------------------


def test_llava_empty_and_blank_files_are_file_errors(tmp_path):
    assert outcomes(tmp_path, "llava", b"") == [("file", f"{tmp_path / 'input'}: the file is empty")]
    assert outcomes(tmp_path, "llava", b" \r\n") == [("file", f"{tmp_path / 'input'}: the file is empty (expected a JSON array)")]
    [(kind, message)] = outcomes(tmp_path, "llava", b'{"id": 1}')
    assert kind == "file" and "expected a JSON array starting with '['" in message


def test_llava_truncated_array_keeps_the_records_before_the_break(tmp_path):
    whole = llava_bytes(llava_item("a dog"), llava_item("a cat"), llava_item("a goose"))
    cut_inside_item = whole[: whole.rindex(b"goose")]
    assert outcomes(tmp_path, "llava", cut_inside_item) == [
        ("record", ["Describe.", "a dog"]), ("record", ["Describe.", "a cat"]),
        ("reject", "record 2", None, "truncated JSON; the rest of the file was not read"),
    ]
    cut_after_comma = whole[: whole.index(b"}]}, ") + 4]
    assert outcomes(tmp_path, "llava", cut_after_comma) == [
        ("record", ["Describe.", "a dog"]),
        ("reject", "record 1", None, "the JSON array ends early (truncated file?); the rest of the file is missing"),
    ]


def test_llava_invalid_json_in_the_middle_stops_without_reading_the_rest_into_memory(tmp_path):
    content = b'[{"id": 1, "conversations": []}, {"id": 2, conversations: []}, ' + b" " * (3 << 20) + b"]"
    assert outcomes(tmp_path, "llava", content) == [
        ("record", []), ("reject", "record 1", None, "invalid JSON (Expecting property name enclosed in double quotes); "
                         "the rest of the file was not read"),
    ]


def test_llava_zero_filled_tail_of_an_interrupted_download(tmp_path):
    content = llava_bytes(llava_item("a dog"))[:-1] + b", " + b"\x00" * 4096
    assert outcomes(tmp_path, "llava", content) == [
        ("record", ["Describe.", "a dog"]),
        ("reject", "record 1", None, "invalid JSON (Expecting value); the rest of the file was not read"),
    ]


def test_llava_invalid_utf8_rejects_only_that_record(tmp_path):
    content = llava_bytes(llava_item("a dog"), llava_item("BAD"), llava_item("a cat")).replace(b"BAD", b"caf\xe9 \xff")
    assert outcomes(tmp_path, "llava", content) == [
        ("record", ["Describe.", "a dog"]),
        ("reject", "record 1", "conversations[1].value", "not valid UTF-8"),
        ("record", ["Describe.", "a cat"]),
    ]


def test_llava_unpaired_surrogate_escape_is_not_text(tmp_path):
    content = llava_bytes(llava_item("x")).replace(b'"x"', b'"a \\ud83d b"')
    assert outcomes(tmp_path, "llava", content) == [("reject", "record 0", "conversations[1].value", "not valid UTF-8")]


def test_llava_bom_crlf_and_nul(tmp_path):
    pretty = json.dumps([llava_item("a dog"), llava_item("a\u0000cat")], indent=2).replace("\n", "\r\n").encode()
    assert outcomes(tmp_path, "llava", BOM + pretty) == [
        ("record", ["Describe.", "a dog"]),
        ("reject", "record 1", "conversations[1].value", "contains a NUL character (binary or zero-filled data?)"),
    ]


def test_llava_utf16_is_named(tmp_path):
    [(kind, message)] = outcomes(tmp_path, "llava", llava_bytes(llava_item("a dog")).decode().encode("utf-16"))
    assert kind == "file" and message.endswith("the file is UTF-16; convert it to UTF-8")


@pytest.mark.parametrize(("item", "field", "reason"), [
    ({"id": "1"}, "conversations", "missing"),
    ({"id": "1", "conversations": "human: hi"}, "conversations", "expected a list, got str"),
    ({"id": "1", "conversations": [{"from": "gpt", "value": None}]}, "conversations[0].value", "expected text, got null"),
    ({"id": "1", "conversations": [{"from": "gpt", "value": 42}]}, "conversations[0].value", "expected text, got int"),
    ({"id": "1", "conversations": [{"from": "gpt", "value": 4.5}]}, "conversations[0].value", "expected text, got float"),
    ({"id": "1", "conversations": [{"from": "bob", "value": "hi"}]}, "conversations[0].from", "unknown speaker (expected human or gpt)"),
    ({"id": "1", "conversations": [{"value": "hi"}]}, "conversations[0].from", "unknown speaker (expected human or gpt)"),
    ({"id": "1", "conversations": ["hi"]}, "conversations[0]", "expected an object, got str"),
    ({"id": ["1"], "conversations": []}, "id", "expected an id (text or integer)"),
    (["not", "an", "object"], None, "expected an object, got list"),
])
def test_llava_malformed_conversations_are_rejected_with_field_and_reason(tmp_path, item, field, reason):
    content = llava_bytes(llava_item("a dog"), item)
    assert outcomes(tmp_path, "llava", content) == [("record", ["Describe.", "a dog"]), ("reject", "record 1", field, reason)]


def test_llava_numeric_ids_empty_texts_and_world_scripts_pass_unchanged(tmp_path):
    items = [llava_item("", key=7), llava_item("   \t ", key=8)] + [llava_item(text) for text in WORLD_TEXTS]
    assert outcomes(tmp_path, "llava", llava_bytes(*items)) == (
        [("record", ["Describe.", ""]), ("record", ["Describe.", "   \t "])]
        + [("record", ["Describe.", text]) for text in WORLD_TEXTS]
    )


def test_llava_ten_megabyte_text(tmp_path):
    [(kind, texts)] = outcomes(tmp_path, "llava", llava_bytes(llava_item(BIG_TEXT)))
    assert kind == "record" and texts[1] == BIG_TEXT


# --- JSON lines ----------------------------------------------------------------------------------

QA = {"id_field": "id", "fields": {"instruction": "human", "output": "gpt"}}


def qa_line(instruction, output, key=None) -> bytes:
    return json.dumps({"id": key, "instruction": instruction, "output": output}, ensure_ascii=False).encode() + b"\n"


def test_jsonl_places_are_line_numbers_and_each_bad_line_is_its_own_reject(tmp_path):
    content = (
        BOM + qa_line("What?", "A dog.")
        + b"\n"
        + b'{"id": 2, "instruction": "Where?", "output": "In a par\n'  # cut line
        + qa_line("Who?", None)
        + b'{"id": 4, "output": "no instruction"}\n'
        + qa_line("BAD", "x").replace(b"BAD", b"\xff\xfe")
        + qa_line("Why?", "a\u0000b")
        + b"[1, 2]\n"
        + BOM + qa_line("Again?", "A cat.")  # a BOM where two files were concatenated
    )
    assert outcomes(tmp_path, "jsonl", content, **QA) == [
        ("record", ["What?", "A dog."]),
        ("reject", "line 3", None, "invalid JSON (Unterminated string starting at)"),
        ("reject", "line 4", "output", "expected text, got null"),
        ("reject", "line 5", "instruction", "missing"),
        ("reject", "line 6", "instruction", "not valid UTF-8"),
        ("reject", "line 7", "output", "contains a NUL character (binary or zero-filled data?)"),
        ("reject", "line 8", None, "expected an object, got list"),
        ("record", ["Again?", "A cat."]),
    ]


def test_jsonl_crlf_world_scripts_and_a_ten_megabyte_line(tmp_path):
    lines = [qa_line(text, text).replace(b"\n", b"\r\n") for text in WORLD_TEXTS] + [qa_line("Big?", BIG_TEXT)]
    assert outcomes(tmp_path, "jsonl", b"".join(lines), **QA) == (
        [("record", [text, text]) for text in WORLD_TEXTS] + [("record", ["Big?", BIG_TEXT])]
    )


def test_jsonl_in_llava_layout_checks_conversations(tmp_path):
    content = json.dumps(llava_item("a dog")).encode() + b"\n" + b'{"id": 2, "conversations": {"from": "gpt"}}\n'
    assert outcomes(tmp_path, "jsonl", content) == [
        ("record", ["Describe.", "a dog"]), ("reject", "line 2", "conversations", "expected a list, got dict"),
    ]


def test_jsonl_empty_file(tmp_path):
    assert outcomes(tmp_path, "jsonl", b"", **QA) == [("file", f"{tmp_path / 'input'}: the file is empty")]


# --- CSV and TSV ---------------------------------------------------------------------------------


def test_csv_missing_text_column_is_a_file_error(tmp_path):
    [(kind, message)] = outcomes(tmp_path, "csv", b"caption,url\na dog,http://x\n", name="a.csv")
    assert kind == "file" and message == f"{tmp_path / 'a.csv'}: header: no column named 'text' (columns: caption, url)"


def test_csv_empty_file_and_header_only(tmp_path):
    assert outcomes(tmp_path, "csv", b"", name="a.csv") == [("file", f"{tmp_path / 'a.csv'}: the file is empty")]
    assert outcomes(tmp_path, "csv", b"text\n", name="a.csv") == []  # no records: ingest refuses the source


def test_csv_bad_rows_are_rejected_by_line_and_the_rest_is_read(tmp_path):
    content = (
        BOM + b"id,text\r\n"
        + b'1,"a dog, on a ""beach"""\r\n'
        + b"2,caf\xe9\r\n"
        + b"3,a,b\r\n"
        + b"4,a\x00b\r\n"
        + b'5,"a quoted\r\nnewline"\r\n'
        + b'6,"bad"quote\r\n'
        + "7,Кошка 🐈 כלב\r\n".encode()
        + b"8,\r\n"
        + b'9,"cut at the end'
    )
    assert outcomes(tmp_path, "csv", content, name="a.csv") == [
        ("record", ['a dog, on a "beach"']),
        ("reject", "line 3", "text", "not valid UTF-8"),
        ("reject", "line 4", None, "has 3 columns, the header has 2"),
        ("reject", "line 5", "text", "contains a NUL character (binary or zero-filled data?)"),
        ("record", ["a quoted\r\nnewline"]),
        ("reject", "line 8", None, "malformed CSV (',' expected after '\"')"),
        ("record", ["Кошка 🐈 כלב"]),
        ("record", [""]),
        ("reject", "line 11", None, "malformed CSV (unexpected end of data)"),
    ]


def test_csv_ten_megabyte_field(tmp_path):
    assert outcomes(tmp_path, "csv", b'text\n"' + BIG_TEXT.encode() + b'"\n', name="a.csv") == [("record", [BIG_TEXT])]


def test_headerless_tsv_like_cc3m(tmp_path):
    content = b"a dog on a beach\thttp://x/1\r\n\r\nno url at all\r\ncaf\xe9\thttp://x/3\r\n"
    assert outcomes(tmp_path, "tsv", content, name="a.tsv", header=False, text_field=0) == [
        ("record", ["a dog on a beach"]), ("record", ["no url at all"]), ("reject", "line 4", "0", "not valid UTF-8"),
    ]
    assert outcomes(tmp_path, "tsv", content, name="a.tsv", header=False, text_field=1) == [
        ("record", ["http://x/1"]), ("reject", "line 3", "1", "missing"), ("record", ["http://x/3"]),
    ]


# --- Parquet -------------------------------------------------------------------------------------


def write_parquet(path, **columns):
    pq.write_table(pa.table(columns), path)
    return path


def test_parquet_wrong_schema_is_a_file_error(tmp_path):
    path = write_parquet(tmp_path / "a.parquet", caption=["a dog"])
    assert outcomes(tmp_path, "parquet", file=path) == [("file", f"{path}: schema: no column 'text' (columns: caption)")]
    path = write_parquet(tmp_path / "b.parquet", text=[1, 2])
    assert outcomes(tmp_path, "parquet", file=path) == [("file", f"{path}: schema: column 'text' has type int64, expected text")]


def test_parquet_that_is_not_parquet_or_is_cut(tmp_path):
    garbage = tmp_path / "c.parquet"
    garbage.write_bytes(b"text\na dog\n")
    [(kind, message)] = outcomes(tmp_path, "parquet", file=garbage)
    assert kind == "file" and "not a readable Parquet file" in message
    whole = write_parquet(tmp_path / "d.parquet", text=["a dog"] * 1000).read_bytes()
    [(kind, message)] = outcomes(tmp_path, "parquet", whole[: len(whole) // 2], name="e.parquet")
    assert kind == "file" and "not a readable Parquet file" in message


def test_parquet_nulls_world_scripts_nul_and_dictionary_columns(tmp_path):
    texts = ["a dog", None, *WORLD_TEXTS, "a\u0000b"]
    path = tmp_path / "f.parquet"
    pq.write_table(pa.table({"text": pa.array(texts).dictionary_encode()}), path)
    assert outcomes(tmp_path, "parquet", file=path) == (
        [("record", ["a dog"]), ("reject", "row 1", "text", "expected text, got null")]
        + [("record", [text]) for text in WORLD_TEXTS]
        + [("reject", "row 7", "text", "contains a NUL character (binary or zero-filled data?)")]
    )


# --- COCO and Flickr8k ---------------------------------------------------------------------------


def test_coco_truncated_and_empty_files(tmp_path):
    whole = json.dumps({"annotations": [{"image_id": 1, "id": 1, "caption": "a dog"}]}).encode()
    [(kind, message)] = outcomes(tmp_path, "coco", whole[:-5], name="c.json")
    assert kind == "file" and "not valid JSON" in message and "truncated file?" in message
    assert outcomes(tmp_path, "coco", BOM + b"\n", name="c.json") == [
        ("file", f"{tmp_path / 'c.json'}: the file is empty (expected a COCO caption json)")]
    [(kind, message)] = outcomes(tmp_path, "coco", b'{"images": []}', name="c.json")
    assert kind == "file" and message.endswith("a COCO caption file needs an 'annotations' list")


def test_coco_bad_annotations(tmp_path):
    content = BOM + json.dumps({"annotations": [
        {"image_id": 1, "id": 10, "caption": "a dog"}, {"image_id": 1, "id": 11, "caption": None},
        "a cat", {"image_id": 2, "id": 12, "caption": "BAD"}, {"image_id": 2, "id": 13, "caption": "猫 🐈"},
    ]}, ensure_ascii=False).encode().replace(b"BAD", b"\xc3\x28")
    assert outcomes(tmp_path, "coco", content, name="c.json") == [
        ("record", ["a dog"]), ("reject", "annotation 1", "caption", "expected text, got null"),
        ("reject", "annotation 2", None, "expected an object, got str"),
        ("reject", "annotation 3", "caption", "not valid UTF-8"), ("record", ["猫 🐈"]),
    ]


def test_flickr8k_lines(tmp_path):
    content = BOM + b"1.jpg#0\tA dog .\r\n1.jpg#1 A dog without a tab\r\n2.jpg#0\tcaf\xe9\r\n3.jpg#0\t\xd7\x9b\xd7\x9c\xd7\x91\r\n"
    assert outcomes(tmp_path, "flickr8k", content, name="f.txt") == [
        ("record", ["A dog ."]), ("reject", "line 2", None, "expected IMAGE#N<TAB>caption"),
        ("reject", "line 3", "caption", "not valid UTF-8"), ("record", ["כלב"]),
    ]


def test_random_bytes_give_records_rejects_or_a_file_error_and_records_are_clean_text(tmp_path):
    # no other exception escapes, and whatever is read as a record can be stored as UTF-8 text
    import random

    generator = random.Random(7)
    options = {"csv": {}, "tsv": {"header": False, "text_field": 0}, "jsonl": QA, "json": {}, "llava": {},
               "coco": {}, "flickr8k": {}, "parquet": {}}
    for fmt, fmt_options in options.items():
        for trial in range(20):
            content = bytes(generator.randrange(256) for _ in range(generator.randrange(1, 300)))
            for kind, *rest in outcomes(tmp_path, fmt, content, name=f"r{trial}.{fmt}", **fmt_options):
                if kind == "record":
                    assert all("\x00" not in text and text.encode("utf-8") for text in rest[0])
