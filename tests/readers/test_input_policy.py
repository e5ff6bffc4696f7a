"""The run's input policy: `fail` stops at the first bad record with its place and reason and leaves no output;
`skip` writes bad records to a rejects file, counted per reason in the manifest."""

from __future__ import annotations

import json

import polars as pl
import pytest

from pipeline.core.config import parse_run
from pipeline.core.errors import ClassfreqError
from pipeline.core.stage import read_manifest
from pipeline.runner import run_pipeline

from ..cli_runs import classfreq, write_run

GOOD = {"conversations": [{"from": "human", "value": "<image>\nWhat is it?"}, {"from": "gpt", "value": "A goose."}]}
NULL_VALUE = {"id": "b", "conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": None}]}
UNKNOWN_SPEAKER = {"id": "c", "conversations": [{"from": "narrator", "value": "Once"}]}
EMPTY_TEXTS = {"id": "d", "conversations": [{"from": "human", "value": "<image>"}, {"from": "gpt", "value": "  "}]}
SKIP_HINT = '(set options.input_policy = "skip" to write bad records to a rejects file and go on)'


def ingest(run):
    """The ingest stage alone, as `classfreq ingest` runs it."""
    return run_pipeline(run, ["ingest"])[0]


def llava_file(path, items):
    path.write_text(json.dumps(items), encoding="utf-8")
    return path


def tiny_run(sources, policy="fail", **options):
    return parse_run({"name": "policy", "class_set": "imagenet1k",
                      "options": {"input_policy": policy, **options}, "sources": sources})


def llava_source(path, name="chat"):
    return {"name": name, "stage": "instruct", "format": "llava", "path": str(path)}


def test_fail_names_file_record_field_and_reason_and_leaves_no_output(workspace):
    path = llava_file(workspace / "chat.json", [GOOD, GOOD, GOOD, NULL_VALUE, GOOD])
    run = tiny_run([llava_source(path)], shard_size=1)  # three shards are written before the bad record
    with pytest.raises(ClassfreqError) as raised:
        ingest(run)
    assert str(raised.value) == f"{path}: record 3, field 'conversations[1].value': expected text, got null\n{SKIP_HINT}"
    assert read_manifest(run.work_dir, "ingest") is None
    assert list(run.work_dir.glob("ingest-*")) == []


def test_fail_after_a_good_run_keeps_its_outputs(workspace):
    path = llava_file(workspace / "chat.json", [GOOD, GOOD])
    run = tiny_run([llava_source(path)])
    ingest(run)
    manifest = read_manifest(run.work_dir, "ingest")
    files = {p: p.read_bytes() for p in run.work_dir.glob("ingest-*/*")}
    llava_file(path, [GOOD, UNKNOWN_SPEAKER])
    with pytest.raises(ClassfreqError, match=r"record 1, field 'conversations\[0\].from': unknown speaker \(expected human or gpt\): 'narrator'"):
        ingest(tiny_run([llava_source(path)]))
    assert read_manifest(run.work_dir, "ingest") == manifest
    assert {p: p.read_bytes() for p in run.work_dir.glob("ingest-*/*")} == files


def test_skip_writes_rejects_with_reasons_and_counts_them_in_the_manifest(workspace):
    chat = llava_file(workspace / "chat.json", [GOOD, NULL_VALUE, UNKNOWN_SPEAKER, EMPTY_TEXTS, NULL_VALUE, GOOD])
    captions = workspace / "captions.csv"
    captions.write_bytes(b"text\na goose\ncaf\xe9\n")
    run = tiny_run([llava_source(chat), {"name": "captions", "stage": "pretrain", "format": "csv", "path": str(captions)}],
                   policy="skip")
    manifest = ingest(run).manifest

    assert manifest["rejects"] == {"expected text, got null": 2, "unknown speaker (expected human or gpt)": 1,
                                   "not valid UTF-8": 1}
    rejects = pl.read_parquet(manifest["outputs"]["rejects"])
    assert rejects.rows() == [
        ("chat", str(chat), "record 1", "conversations[1].value", "expected text, got null", None),
        ("chat", str(chat), "record 2", "conversations[0].from", "unknown speaker (expected human or gpt)", "'narrator'"),
        ("chat", str(chat), "record 4", "conversations[1].value", "expected text, got null", None),
        ("captions", str(captions), "line 3", "text", "not valid UTF-8", "'caf\\udce9'"),
    ]
    sources = {source["source"]: source for source in manifest["details"]["sources"]}
    assert sources["chat"]["rejects_by_reason"] == {"expected text, got null": 2, "unknown speaker (expected human or gpt)": 1}
    # the good records are all there; the two empty turns of record 3 are counted, not lost
    assert (sources["chat"]["records"], sources["chat"]["documents"], sources["chat"]["empty_texts"]) == (3, 4, 2)
    documents = pl.read_parquet(f"{manifest['outputs']['documents']}/chat-*.parquet")
    assert documents["text"].to_list() == ["What is it?", "A goose."] * 2


def test_skip_keeps_the_records_before_a_truncation(workspace):
    whole = json.dumps([GOOD, GOOD, GOOD])
    path = workspace / "chat.json"
    path.write_text(whole[: len(whole) - 30], encoding="utf-8")
    manifest = ingest(tiny_run([llava_source(path)], policy="skip")).manifest
    assert manifest["rows"] == {"chat": 4}
    assert manifest["rejects"] == {"truncated JSON; the rest of the file was not read": 1}


@pytest.mark.parametrize("policy", ["fail", "skip"])
def test_a_file_that_cannot_be_read_fails_under_either_policy(workspace, policy):
    captions = workspace / "captions.csv"
    captions.write_text("caption\na goose\n", encoding="utf-8")
    source = {"name": "captions", "stage": "pretrain", "format": "csv", "path": str(captions)}
    with pytest.raises(ClassfreqError, match=r"captions.csv: header: no column named 'text' \(columns: caption\)$"):
        ingest(tiny_run([source], policy=policy))
    captions.write_text("text\n", encoding="utf-8")
    with pytest.raises(ClassfreqError, match=r"captions.csv: no records found$"):
        ingest(tiny_run([source], policy=policy))


def test_an_unknown_policy_is_refused_when_the_run_is_read():
    with pytest.raises(ClassfreqError, match="options.input_policy: 'ignore' is not one of fail, skip"):
        tiny_run([llava_source("x.json")], policy="ignore")


# --- the command line: exit status 2, one message, no traceback ------------------------------------


def test_cli_bad_record_exits_2_with_the_place_and_no_traceback(workspace):
    llava_file(workspace / "chat.json", [GOOD, {"id": "x", "conversations": [{"from": "gpt", "value": 3}]}])
    run_file = write_run(workspace / "bad.toml", {"name": "bad", "class_set": "imagenet1k",
                                                   "sources": [llava_source("chat.json")]})
    done = classfreq("all", "--run", str(run_file), cwd=workspace, work=workspace / "work")
    assert done.returncode == 2
    assert done.stderr == f"error: chat.json: record 1, field 'conversations[0].value': expected text, got int: 3\n{SKIP_HINT}\n"
    assert not (workspace / "work" / "bad" / "manifests").exists()


def test_cli_class_file_with_duplicate_names_exits_2(workspace):
    llava_file(workspace / "chat.json", [GOOD])
    (workspace / "classes.txt").write_text("goose\ntench\nGoose\n", encoding="utf-8")
    run_file = write_run(workspace / "dup.toml", {"name": "dup", "class_set": "birds", "classes_file": "classes.txt",
                                                   "sources": [llava_source("chat.json")]})
    done = classfreq("synonyms", "--run", str(run_file), cwd=workspace, work=workspace / "work")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr == ("error: classes.txt: line 3: duplicate class name 'Goose' (first at classes.txt: line 1); "
                           "class names in classes.txt must be unique\n")


@pytest.mark.parametrize(("content", "message"), [
    ('name = "x"\nclass_set = ', "not valid TOML"),
    ('name = "../x"\nclass_set = "imagenet1k"\n', "name: '../x' must be letters, digits"),
    ('name = "x"\nclass_set = "imagenet1k"\n[options]\nshard_size = 0\n'
     '[[sources]]\nname = "a"\nstage = "pretrain"\nformat = "csv"\npath = "a.csv"\n', "options.shard_size: expected an integer >= 1, got 0"),
])
def test_cli_bad_run_files_exit_2(workspace, content, message):
    (workspace / "r.toml").write_text(content, encoding="utf-8")
    done = classfreq("ingest", "--run", "r.toml", cwd=workspace, work=workspace / "work")
    assert done.returncode == 2 and "Traceback" not in done.stderr and message in done.stderr
