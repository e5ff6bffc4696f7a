"""A user's class set of COCO names under the default policy, on a few captions: the classes WordNet cannot map
(several senses and no evidence for one, or no synset at all) are warned about and count every use (issue 18).

Whether a flagged name (train) counts rests on evidence from the corpus, which a few captions do not hold (the sense
model then gives its WordNet prior): tests/realdata/test_other_sets_realdata.py checks those on real captions."""

import html

import duckdb
import pytest

from pipeline.core.config import load_run
from pipeline.runner import run_pipeline

from ..cli_runs import write_run
from ..conftest import project_directory, write_json

pytestmark = pytest.mark.slow  # a whole pipeline

CLASSES = ["toilet", "kite", "banana", "hot dog", "train", "bicycle", "labradoodle"]
#: (caption, the classes it uses in the class sense)
CAPTIONS = [
    ("A white toilet next to a sink in a small bathroom.", {"toilet"}),
    ("a toilet with the lid up", {"toilet"}),
    ("Public toilets at the park.", {"toilet"}),
    ("A cat sitting on top of a toilet seat.", {"toilet"}),
    ("A child flying a kite on the beach.", {"kite"}),
    ("Two kites in a blue sky over the field.", {"kite"}),
    ("a red kite with a long tail", {"kite"}),
    ("People fly kites at the festival.", {"kite"}),
    ("A bunch of bananas on a kitchen table.", {"banana"}),
    ("a monkey eating a banana", {"banana"}),
    ("Sliced banana on a bowl of cereal.", {"banana"}),
    ("A ripe banana and an apple.", {"banana"}),
    ("A hot dog with mustard on a paper plate.", {"hot dog"}),
    ("two hot dogs and fries", {"hot dog"}),
    ("A man eating a hot dog at the game.", {"hot dog"}),
    ("A hot dog in a bun with onions.", {"hot dog"}),
    ("A train pulling into the station.", {"train"}),
    ("a long freight train on the tracks", {"train"}),
    ("A red train crossing a bridge.", {"train"}),
    ("Passengers waiting for the train.", {"train"}),
    ("A bicycle parked against a wall.", {"bicycle"}),
    ("a man riding a bicycle down the street", {"bicycle"}),
    ("Two bicycles on a rack.", {"bicycle"}),
    ("A woman with her bicycle by the river.", {"bicycle"}),
    ("A labradoodle on the sofa.", {"labradoodle"}),
    ("two labradoodles playing in the snow", {"labradoodle"}),
    ("The coach trains the team every morning.", set()),  # a verb: never a mention of train
]


@pytest.fixture(scope="module")
def counted(tmp_path_factory):
    workspace = tmp_path_factory.mktemp("coco")
    with project_directory(workspace):
        (workspace / "coco.txt").write_text("\n".join(CLASSES) + "\n")
        write_json(workspace / "captions.json", [{"id": str(index), "conversations": [{"from": "gpt", "value": caption}]}
                                                 for index, (caption, _) in enumerate(CAPTIONS)])
        run = load_run(write_run(workspace / "coco.toml", {
            "class_set": "coco", "classes_file": "coco.txt", "options": {"workers": 1},
            "sources": [{"name": "captions", "stage": "pretrain", "format": "llava", "path": "captions.json"}]}))
        lines = []
        run_pipeline(run, ["count", "report"], on_result=lambda result: lines.append(result.summary))
        with duckdb.connect(str(run.database), read_only=True) as connection:
            counts = dict(connection.execute("select display_name, n_docs from class_frequency_by_scope "
                                             "where scope = 'combined'").fetchall())
            mapping = dict(connection.execute("select display_name, mapping from classes").fetchall())
        yield counts, mapping, "\n".join(lines), run.report.read_text()


def test_classes_without_a_wordnet_mapping_are_warned_about_and_count_every_use(counted):
    counts, mapping, console, page = counted
    unmapped = sorted(name for name, how in mapping.items() if how == "unmapped")
    assert unmapped == ["banana", "hot dog", "kite", "labradoodle", "toilet"]
    for name in unmapped:
        assert counts[name] == sum(name in classes for _, classes in CAPTIONS), name
    warning = "5 classes have no WordNet mapping (no synset matched the name with evidence), e.g. 'toilet', 'kite'"
    assert warning in console and warning in html.unescape(page)


def test_a_verb_form_is_never_a_mention(counted):
    counts, mapping, _, _ = counted
    assert mapping["train"] != "unmapped"
    assert counts["train"] <= sum("train" in classes for _, classes in CAPTIONS)  # not "the coach trains the team"
