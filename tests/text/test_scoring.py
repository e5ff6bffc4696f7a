"""Scoring VLM answers: whole normalized tokens, not substrings; closed world when options are given."""

import json

import polars as pl
import pytest

from pipeline.core.config import AccuracyInput
from pipeline.core.errors import ClassfreqError, InputError
from pipeline.lexicon.synonyms import build_lexicon
from pipeline.stats.accuracy import ClassResolver, score_predictions
from pipeline.text.scoring import (
    class_terms,
    named_options,
    open_world_correct,
    read_predictions,
    score_records,
    substring_correct,
)

CLASSES = pl.DataFrame({
    "class_id": ["n01514859", "n01514668", "n02391049", "n02077923", "n02120079"],
    "class_index": [8, 7, 340, 150, 279],
    "wnid": ["n01514859", "n01514668", "n02391049", "n02077923", "n02120079"],
    "display_name": ["hen", "rooster", "zebra", "sea lion", "Arctic fox"],
    "wordnet_lemmas": ["hen", "cock", "zebra", "sea lion", "Arctic fox|white fox|Alopex lagopus"],
})
HEN = "n01514859"


@pytest.fixture(scope="module")
def terms():
    lexicon, _ = build_lexicon(CLASSES)
    return class_terms(lexicon)


def test_open_world_needs_the_whole_word_and_the_substring_rule_does_not(terms):
    assert open_world_correct("a hen", terms[HEN]) and substring_correct("a hen", "hen")
    assert open_world_correct("Two HENS pecking.", terms[HEN])  # case and plural normalized
    assert not open_world_correct("a chicken", terms[HEN])
    # "chicken" does not contain the letters "hen"; "kitchen", "then" and "when" do
    assert not substring_correct("a chicken", "hen")
    for answer in ("a chicken in the kitchen", "then a rooster", "when it rains"):
        assert substring_correct(answer, "hen")
        assert not open_world_correct(answer, terms[HEN])


def test_a_synonym_from_the_lexicon_counts_in_the_open_world(terms):
    assert open_world_correct("This is a white fox in the snow.", terms["n02120079"])
    assert not substring_correct("This is a white fox in the snow.", "Arctic fox")


def test_closed_world_takes_the_longest_named_option():
    options = ["lion", "sea lion", "zebra"]
    assert named_options("It is a sea lion.", options) == {1}
    assert named_options("a lion or a zebra", options) == {0, 2}
    assert named_options("none of these", options) == set()


def test_scores_per_class_with_sample_counts(terms):
    resolver = ClassResolver(CLASSES)
    records = [
        {"label": "hen", "text": "a hen", "choices": None},
        {"label": "hen", "text": "a chicken in the kitchen", "choices": None},
        {"label": "Hen", "text": "hens", "choices": None},  # the name in any case
        {"label": "zebra", "text": "It is a zebra.", "choices": ["zebra", "hen"]},
        {"label": "zebra", "text": "zebra or hen", "choices": ["zebra", "hen"]},  # two options named: wrong
        {"label": "unicorn", "text": "a unicorn", "choices": None},
    ]
    open_world, unresolved = score_records(records, resolver.resolve, terms)
    assert {k: (v["correct"], v["n"]) for k, v in open_world.items()} == {HEN: (2, 3), "n02391049": (1, 2)}
    assert list(unresolved) == ["unicorn"]
    # a number is a class index only when the entry says keys = "indices"
    _, unresolved = score_records([{"label": "8", "text": "hens", "choices": None}], resolver.resolve, terms)
    assert unresolved == {"8": 'no match (class indices need keys = "indices")'}
    by_index, _ = score_records([{"label": "8", "text": "hens", "choices": ["hen", "zebra"]}],
                                ClassResolver(CLASSES, "indices").resolve, terms, resolve_option=resolver.resolve)
    assert (by_index[HEN]["correct"], by_index[HEN]["resolved_by"]) == (1, "index")  # options still resolve by name
    substring, _ = score_records(records, resolver.resolve, terms, rule="substring")
    assert (substring[HEN]["correct"], substring[HEN]["n"]) == (3, 3)  # "kitchen" counted


def test_a_predictions_file_becomes_accuracy_rows(tmp_path):
    path = tmp_path / "imagenet_llava7b.jsonl"
    lines = [{"label": "hen", "pred": "A hen."}, {"label": "hen", "pred": "a chicken"},
             {"label": "zebra", "pred": "zebra"}, {"label": "sea lion", "pred": "a lion"}]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    lexicon, _ = build_lexicon(CLASSES)
    table, summary, unresolved = score_predictions(AccuracyInput(path=path, format="predictions"), CLASSES, lexicon)
    assert dict(zip(table["class_id"], table["accuracy"])) == {HEN: 0.5, "n02391049": 1.0, "n02077923": 0.0}
    assert dict(zip(table["class_id"], table["n_samples"])) == {HEN: 2, "n02391049": 1, "n02077923": 1}
    assert summary.row(0, named=True) | {"source": None} == {
        "model": "imagenet_llava7b", "source": None, "scale": "fraction", "scoring": "open_world",
        "fuzzy_threshold": 90.0, "n_keys": 3, "n_resolved": 3, "n_unresolved": 0, "n_records": 4}
    assert unresolved.is_empty()


def test_a_bad_line_names_the_file_line_and_field(tmp_path):
    path = tmp_path / "answers.jsonl"
    path.write_text('{"label": "hen", "pred": "a hen"}\n{"label": "hen"}\n')
    lexicon, _ = build_lexicon(CLASSES)
    with pytest.raises(InputError, match=r"answers.jsonl: line 2, field 'pred': missing \(fields: label\)"):
        score_predictions(AccuracyInput(path=path, format="predictions"), CLASSES, lexicon)


@pytest.mark.parametrize(("content", "message"), [
    (b"", "answers.jsonl: no predictions in the file"),
    (b"\n  \n", "answers.jsonl: no predictions in the file"),
    (b'{"label": "hen", "pred": "a h\xe9n"}\n', "answers.jsonl: byte 29: not valid UTF-8: b'\\xe9n\"}'"),
])
def test_an_empty_or_undecodable_predictions_file_is_named(tmp_path, content, message):
    path = tmp_path / "answers.jsonl"
    path.write_bytes(content)
    lexicon, _ = build_lexicon(CLASSES)
    with pytest.raises(InputError) as raised:
        score_predictions(AccuracyInput(path=path, format="predictions"), CLASSES, lexicon)
    assert str(raised.value) == f"{tmp_path}/{message}"


def test_a_prediction_nested_too_deep_is_named_by_its_line(tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text('{"label": "hen", "pred": "a hen"}\n' + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ClassfreqError, match=r"deep.jsonl: line 2: nested too deep to be a prediction$"):
        read_predictions(path)
