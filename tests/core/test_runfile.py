"""The run file's schema: every key typed, unknown keys and wrong types named when the run is read, before any
stage, with the place, the expected type and the closest valid key."""

from __future__ import annotations

import datetime
import os
import typing
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.core.config import RunFile, SourceFormat, load_run, parse_run
from pipeline.core.errors import ClassfreqError
from pipeline.core.policies import POLICIES
from pipeline.readers.streaming import READERS
from pipeline.text.scoring import RULES
from tests.cli_runs import classfreq


def source(**changes):
    """A source entry; a change to None leaves the key out."""
    entry = {"name": "captions", "stage": "pretrain", "format": "tsv", "path": "captions.tsv", **changes}
    return {key: value for key, value in entry.items() if value is not None}


def run(**changes):
    return {"name": "typed", "class_set": "imagenet1k", "sources": [source()], **changes}


def refusal(raw) -> str:
    with pytest.raises(ClassfreqError) as error:
        parse_run(raw)
    return str(error.value)


@pytest.mark.parametrize(("raw", "message"), [
    (run(name=5), "run: name: expected text, got 5"),
    (run(class_set=7), "class_set: expected text, got 7"),
    (run(sources="abc"), "sources: expected a list, got 'abc'"),
    (run(sources=[source(path=5)]), "sources[0] (captions).path: expected text, got 5"),
    (run(sources=[source(path="")]), "sources[0] (captions).path: an empty path names no file"),
    (run(sources=[source(fields={"q": "human", "a": 5})]), "sources[0] (captions).fields[…]: expected text, got "
                                                           "{'q': 'human', 'a': 5}"),
    (run(name=datetime.date(2024, 1, 1)), "name: expected text, got 2024-01-01"),
    (run(options={"bootstrap_seed": -1}), "options.bootstrap_seed: expected an integer >= 0, got -1"),
    (run(options={"bootstrap_resamples": 10**9}), "options.bootstrap_resamples: expected an integer <= 100000"),
    (run(options={"workers": 100_000}), "options.workers: expected an integer <= 256, got 100000"),
    (run(options=5), "options: expected a table, got 5"),
    (run(options={"max_unresolved_share": "abc"}), "options.max_unresolved_share: expected a number, got 'abc'"),
    (run(options={"max_unresolved_share": 1.5}), "options.max_unresolved_share: expected a number <= 1.0, got 1.5"),
    (run(options={"bootstrap_resamples": "many"}), "options.bootstrap_resamples: expected an integer, got 'many'"),
    (run(options={"bootstrap_resamples": 10}), "options.bootstrap_resamples: expected an integer >= 1000, got 10"),
    (run(options={"shard_size": True}), "options.shard_size: expected an integer, got True"),
    (run(options={"vlmclassifier": 5}), "options.vlmclassifier: expected a table, got 5"),
    (run(sources=[source(fields="text")]), "sources[0] (captions).fields: expected a table, got 'text'"),
    (run(sources=[source(fields={"q": "bob"})]), "sources[0] (captions).fields[…]: 'bob' (in {'q': 'bob'}) is not one of human, user"),
    (run(sources=[source(delimiter=";;")]), "sources[0] (captions).delimiter: expected text of length <= 1"),
    (run(options={"hypernyms": "false"}), "options.hypernyms: expected true or false, got 'false'"),
    (run(sources=[source(header="false")]), "sources[0] (captions).header: expected true or false, got 'false'"),
    (run(options={"policy": "bogus"}), "options.policy: 'bogus' is not one of keep, drop, split, context, sense"),
    (run(options={"policy": "contxt"}), "options.policy: 'contxt' is not one of keep, drop, split, context, sense: "
                                        "did you mean 'context'?"),
    (run(sources=[source(format="jsnl")]), "sources[0] (captions).format: 'jsnl' is not one of llava, jsonl"),
    (run(sources=[source(stage="pretraining")]), "'pretraining' is not one of pretrain, instruct, other"),
    (run(accuracy=[{"path": "a.csv", "format": "xls"}]), "accuracy[0].format: 'xls' is not one of auto, csv"),
    (run(name="demo\n"), "name: 'demo\\n' must be letters, digits"),
    (run(name="../up"), "name: '../up' must be letters, digits"),
    (run(sources=[source(name="a/b")]), "sources[0] (a/b).name: 'a/b' must be letters, digits"),
    ({"name": "x", "sources": [source()]}, "run: needs 'class_set'"),
    (run(sources=[{"name": "s", "stage": "pretrain", "path": "x"}]), "sources[0] (s): needs 'format'"),
    (run(sources=[]), "a run needs at least one [[sources]] entry"),
    (run(sources=[source(), source()]), "source names must be unique: 'captions' is repeated"),
    (run(sources=[source(path=None)]), "sources[0] (captions) needs a path or a hub id"),
    (run(sources=[source(path="${CLASSFREQ_NOT_SET_ANYWHERE}/x.tsv")]),
     "sources[0] (captions).path: refers to ${CLASSFREQ_NOT_SET_ANYWHERE}, which is not set"),
    (run(curation="mine.csv"), "curation: expected a table, got 'mine.csv'"),
    (run(curation={"additions": 5}), "curation.additions: expected text, got 5"),
    (run(curation={"blocking_compounds": "${CLASSFREQ_NOT_SET_ANYWHERE}/b.csv"}),
     "curation.blocking_compounds: refers to ${CLASSFREQ_NOT_SET_ANYWHERE}, which is not set"),
])
def test_a_wrong_value_is_named_with_its_place_and_the_expected_type(raw, message):
    assert message in refusal(raw)


@pytest.mark.parametrize(("raw", "message"), [
    (run(options={"polcy": "keep"}), "options: unknown key 'polcy': did you mean 'policy'?"),
    (run(options={"input_polcy": "skip"}), "options: unknown key 'input_polcy': did you mean 'input_policy'?"),
    (run(sources=[source(text_feild=0)]), "sources[0] (captions): unknown key 'text_feild': did you mean 'text_field'?"),
    (run(accuracy=[{"path": "a.csv", "modle": "x"}]), "accuracy[0]: unknown key 'modle': did you mean 'model'?"),
    (run(sources=[source(hub={"repo": "r", "fiel": "f"})]), "sources[0] (captions).hub: unknown key 'fiel': did you mean 'file'?"),
    (run(option={"policy": "keep"}), "run: unknown key 'option': did you mean 'options'?"),
    (run(curation={"exclusion": "mine.csv"}), "curation: unknown key 'exclusion': did you mean 'exclusions'?"),
    (run(zzz=1), "run: unknown key 'zzz' (valid: class_set, name, classes_file, curation, options, sources, accuracy)"),
])
def test_an_unknown_key_is_an_error_naming_the_closest_valid_key(raw, message):
    assert message in refusal(raw)


def test_defaults_come_from_the_schema_and_reader_settings_left_unset_are_left_to_the_reader():
    config = parse_run(run())
    assert (config.options.policy, config.options.input_policy, config.options.shard_size) == ("sense", "fail", 100_000)
    assert config.sources[0].options == {"header": True}
    assert config.curation.files == {}
    assert parse_run(run(curation={"exclusions": "${CLASSFREQ_TEST_DIR:-mine}/x.csv"})).curation.files == {
        "exclusions": Path("mine/x.csv")}
    assert parse_run(run(sources=[source(header=False, text_field=0)])).sources[0].options == {"header": False,
                                                                                              "text_field": 0}


def test_the_schema_lists_what_the_code_knows():
    """The enumerations of the run file and the tables of the code that acts on them are the same."""
    assert set(typing.get_args(SourceFormat)) == {*READERS, "hf"}
    policy_type = typing.get_type_hints(type(parse_run(run()).options))["policy"]
    assert typing.get_args(policy_type) == POLICIES
    scoring_rule = typing.get_type_hints(type(parse_run(run(accuracy=[{"path": "a"}])).accuracy[0]))["rule"]
    assert typing.get_args(scoring_rule) == RULES


def test_a_run_file_that_is_not_utf8_is_named_with_the_byte_offset(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_bytes(b'name = "x"\nclass_set = "caf\xe9"\n')
    with pytest.raises(ClassfreqError, match=r"bad.toml: byte 27: not valid UTF-8"):
        load_run(path)


def test_a_run_file_with_a_byte_order_mark_reads_and_one_that_is_not_a_file_is_named(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_text('\ufeffname = "bom"\nclass_set = "imagenet1k"\n[[sources]]\nname = "s"\nstage = "pretrain"\n'
                    'format = "tsv"\npath = "x.tsv"\n', encoding="utf-8")
    assert load_run(path).name == "bom"
    with pytest.raises(ClassfreqError, match=r"missing.toml: no such run file$"):
        load_run(tmp_path / "missing.toml")
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    with pytest.raises(ClassfreqError, match=r"pipe.toml: the run file is not a regular file$"):
        load_run(fifo)


def test_the_command_line_refuses_a_typo_before_any_stage_runs(workspace):
    (workspace / "typo.toml").write_text('name = "typo"\nclass_set = "imagenet1k"\n[options]\npolcy = "keep"\n'
                                         '[[sources]]\nname = "s"\nstage = "pretrain"\nformat = "tsv"\npath = "x.tsv"\n')
    done = classfreq("ingest", "--run", "typo.toml", cwd=workspace, work=workspace / "work")
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == "error: typo.toml: options: unknown key 'polcy': did you mean 'policy'?"
    assert not (workspace / "work" / "typo").exists()


# --- property: any wrong value anywhere is a ClassfreqError, never another exception ------------------------------

def _keys_of(kind, prefix=()):
    """Every key path of the schema, nested tables and one entry of each array of tables included."""
    hints = typing.get_type_hints(kind, include_extras=True)
    for field in msgspec.structs.fields(kind):
        yield (*prefix, field.encode_name)
        for inner in _struct_types(hints[field.name]):
            yield from _keys_of(inner, (*prefix, field.encode_name, *((0,) if _is_array(hints[field.name]) else ())))


def _is_array(kind) -> bool:
    return any(typing.get_origin(alternative) in (tuple, list) for alternative in _alternatives(kind))


def _alternatives(kind):
    if typing.get_origin(kind) is typing.Annotated:
        return _alternatives(typing.get_args(kind)[0])
    if typing.get_origin(kind) in (typing.Union, __import__("types").UnionType):
        return [a for arg in typing.get_args(kind) for a in _alternatives(arg)]
    return [kind]


def _struct_types(kind):
    for alternative in _alternatives(kind):
        if typing.get_origin(alternative) in (tuple, list):
            yield from _struct_types(typing.get_args(alternative)[0])
        elif isinstance(alternative, type) and issubclass(alternative, msgspec.Struct):
            yield alternative


KEY_PATHS = list(_keys_of(RunFile))
TOML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6)


def _with_value(raw, path, value):
    node = raw
    for step in path[:-1]:
        if isinstance(step, int):
            node = node[step]
        else:
            node = node.setdefault(step, {} if not isinstance(path[path.index(step) + 1], int) else [{}])
            if isinstance(node, list) and not node:
                node.append({})
    node[path[-1]] = value
    return raw


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(KEY_PATHS), value=TOML_VALUES)
def test_any_value_at_any_key_is_a_run_or_a_classfreq_error(path, value):
    raw = run(accuracy=[{"path": "a.csv"}], options={"vlmclassifier": {}})
    raw["sources"][0]["hub"] = {"repo": "r", "file": "f"}
    try:
        parse_run(_with_value(raw, path, value))
    except ClassfreqError as error:
        assert str(error).startswith("run: ") and "Traceback" not in str(error)
