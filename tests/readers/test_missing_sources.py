"""Missing source files are all named at once, each with where to put it, before any source is read."""

from __future__ import annotations

import json

import pytest

from pipeline.core.config import Hub, Source
from pipeline.core.errors import ClassfreqError
from pipeline.readers.sources import ingest_sources

from ..cli_runs import classfreq

ADVICE = "Download it from https://huggingface.co/datasets/{repo} and put it at {path}, or point the run's path at your copy."


def test_every_missing_file_is_named_with_where_to_put_it_and_nothing_is_read(tmp_path):
    present = tmp_path / "present.json"
    present.write_text(json.dumps([{"id": "1", "conversations": [{"from": "gpt", "value": "a goose"}]}]))
    pretrain = tmp_path / "llava" / "blip_laion_cc_sbu_558k.json"
    sources = (
        Source(name="present", stage="pretrain", format="llava", path=present),
        Source(name="pretrain", stage="pretrain", format="llava", path=pretrain,
               hub=Hub(repo="liuhaotian/LLaVA-Pretrain", file="blip_laion_cc_sbu_558k.json")),
        Source(name="local", stage="instruct", format="llava", path=tmp_path / "mine.json"),
    )
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ClassfreqError) as error:
        ingest_sources(sources, out, 10, "fail")
    lines = str(error.value).splitlines()
    assert lines[0] == "2 of the run's 3 sources have no file to read:"
    assert lines[1].startswith(f"- source 'pretrain': no local file at {pretrain}, and blip_laion_cc_sbu_558k.json "
                               "could not be fetched from liuhaotian/LLaVA-Pretrain: the hub is unreachable")
    assert lines[2] == "  " + ADVICE.format(repo="liuhaotian/LLaVA-Pretrain", path=pretrain)
    assert lines[3:] == [f"- source 'local': no file at {tmp_path / 'mine.json'}"]
    assert list(out.iterdir()) == []  # the source that is there was not read either


def test_one_missing_file_is_named_as_before(tmp_path):
    source = Source(name="local", stage="pretrain", format="llava", path=tmp_path / "mine.json")
    with pytest.raises(ClassfreqError) as error:
        ingest_sources((source,), tmp_path, 10, "fail")
    assert str(error.value) == f"source 'local': no file at {tmp_path / 'mine.json'}"


def test_offline_llava_setup_names_both_training_files(workspace):
    data = workspace / "llava"
    data.mkdir()
    done = classfreq("ingest", "--run", "llava-1.5", cwd=workspace, work=workspace / "work", LLAVA_DATA=str(data))
    assert done.returncode == 2, done.stderr
    for repo, name in (("liuhaotian/LLaVA-Pretrain", "blip_laion_cc_sbu_558k.json"),
                       ("liuhaotian/LLaVA-Instruct-150K", "llava_v1_5_mix665k.json")):
        assert ADVICE.format(repo=repo, path=data / name) in done.stderr
