"""Any bytes at all, in any file the tool reads (sources through both readers, class files, accuracy and predictions
files, run files), end as a ClassfreqError or as counted rejects: never as another exception."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.core.config import AccuracyInput, Source, load_run
from pipeline.core.errors import ClassfreqError
from pipeline.lexicon.classsets import load_user_class_file
from pipeline.lexicon.synonyms import build_lexicon
from pipeline.readers.sources import ingest_source, read_source, until_broken
from pipeline.stats.accuracy import import_accuracy

from .text.test_scoring import CLASSES

HOSTILE_SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                                    HealthCheck.function_scoped_fixture])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["id", "conversations", "from", "value", "text", "caption", "image_id", "annotations",
                         "classwise", "label", "pred", "choices", "class", "accuracy"]) | st.text(max_size=4),
        children, max_size=4),
    max_leaves=12)


#: deeper than any parser's recursion: json.loads raises RecursionError, not a JSON error
DEEP = b"[" * 5000 + b"]" * 5000


def _json_bytes(value) -> bytes:
    return json.dumps(value).encode()


#: raw bytes; JSON of any shape (whole, or cut short); lines of delimited text
CONTENT = st.one_of(
    st.binary(max_size=300),
    JSON_VALUES.map(_json_bytes),
    st.tuples(JSON_VALUES.map(_json_bytes), st.integers(0, 200)).map(lambda pair: pair[0][: pair[1]]),
    st.lists(JSON_VALUES.map(_json_bytes), max_size=5).map(lambda lines: b"\n".join(lines)),
    st.lists(st.text(alphabet="ab,\t\"\r\n#0.5-1e9x\x00é", max_size=30), max_size=6).map(
        lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass")),
)
SOURCE_CASES = [("llava", {}), ("json", {"text_field": "text", "id_field": "id"}), ("jsonl", {"text_field": "text"}),
                ("jsonl", {"fields": {"label": "human", "pred": "gpt"}}), ("csv", {}), ("tsv", {"header": False, "text_field": 0}),
                ("coco", {}), ("flickr8k", {}), ("parquet", {})]


@contextmanager
def _written(content: bytes, name: str) -> Iterator[Path]:
    """The bytes in a file of their own (hypothesis calls a test many times within one of pytest's tmp_path)."""
    with tempfile.TemporaryDirectory(prefix="classfreq-hostile-") as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        yield path


@pytest.mark.parametrize(("fmt", "options"), SOURCE_CASES, ids=[f"{fmt}-{i}" for i, (fmt, _) in enumerate(SOURCE_CASES)])
@HOSTILE_SETTINGS
@given(content=CONTENT)
@example(content=DEEP)
def test_any_bytes_in_a_source_are_records_rejects_or_one_message(fmt, options, content):
    with _written(content, f"input.{fmt}") as path:
        source = Source(name="s", stage="pretrain", format=fmt, path=path, **options)
        try:
            items = list(until_broken(read_source(source)))
        except ClassfreqError:
            items = None
        for fast in (True, False):
            output = path.parent / f"fast-{fast}"
            output.mkdir()
            try:
                result = ingest_source(source, output, 3, "skip", fast=fast)
            except ClassfreqError:
                continue
            # every item the reader gave is a record or a reject, and every kept text is in the shards
            assert items is not None
            assert result["counts"].get("records", 0) + len(result["rejects"]) == len(items)
            assert sum(pl.read_parquet(output / shard).height for shard in result["shards"]) == result["counts"].get(
                "documents", 0)


@pytest.mark.parametrize("suffix", [".txt", ".csv", ".tsv", ".json"])
@HOSTILE_SETTINGS
@given(content=CONTENT)
@example(content=DEEP)
def test_any_bytes_in_a_class_file_are_classes_or_one_message(suffix, content):
    with _written(content, f"classes{suffix}") as path:
        try:
            classes = load_user_class_file(path, "mine")
        except ClassfreqError:
            return
    assert classes.height > 0 and classes["display_name"].is_not_null().all()


@pytest.fixture(scope="module")
def lexicon():
    return build_lexicon(CLASSES)[0]


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "openclip_results", "predictions"])
@HOSTILE_SETTINGS
@given(content=CONTENT)
@example(content=DEEP)
def test_any_bytes_in_an_accuracy_file_are_accuracies_or_one_message(lexicon, fmt, content):
    with _written(content, f"accuracy.{'jsonl' if fmt == 'predictions' else fmt}") as path:
        try:
            accuracy, _, _ = import_accuracy(AccuracyInput(path=path, format=fmt, model="m"), CLASSES, lexicon)
        except ClassfreqError:
            return
    assert accuracy["accuracy"].is_between(0, 1).all()


@HOSTILE_SETTINGS
@given(content=CONTENT | st.text(max_size=200).map(str.encode))
def test_any_bytes_in_a_run_file_are_a_run_or_one_message(content):
    with _written(content, "run.toml") as path:
        try:
            run = load_run(path)
        except ClassfreqError:
            return
    assert run.sources  # a run file that loads is a whole run
