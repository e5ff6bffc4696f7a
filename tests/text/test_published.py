"""The published counting method (`vlmclassifier`): its pure parts on hand-written rows."""

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.core.config import parse_run
from pipeline.core.errors import ClassfreqError
from pipeline.lexicon.classsets import load_class_set
from pipeline.text.published import (
    NameMatcher,
    Vocabulary,
    count_batch,
    name_tokens,
    resolve_splitter,
    tokenize_sentences,
)

SPLITTER = "punkt_builtin"


def published_rule(name: list[str], sentence: list[str]) -> bool:
    """The notebook's `is_sublist`, verbatim in behaviour: the reference the matcher must equal."""
    return "##" + "##".join(name) + "##" in "##".join(sentence)


def test_a_name_at_the_first_or_last_token_never_matches_under_the_published_rule():
    matcher = NameMatcher([("tench", ("tench",)), ("great white shark", ("great", "white", "shark"))])
    assert matcher.matches(["a", "tench", "."]) == ({"tench"}, {"tench"})
    assert matcher.matches(["tench", "in", "a", "net"]) == (set(), {"tench"})
    assert matcher.matches(["a", "photo", "of", "a", "tench"]) == (set(), {"tench"})
    assert matcher.matches(["great", "white", "shark"]) == (set(), {"great white shark"})
    assert matcher.matches(["a", "great", "white", "sharks", "."]) == (set(), set())


@given(st.lists(st.sampled_from(["a", "b", "#", "a#", "#b", "##", "", "ab"]), max_size=8),
       st.lists(st.sampled_from(["a", "b", "#", "ab"]), min_size=1, max_size=3))
def test_the_matcher_equals_the_published_string_rule_on_any_tokens(sentence, name):
    matcher = NameMatcher([("name", tuple(name))])
    interior, anywhere = matcher.matches(sentence)
    assert ("name" in interior) == published_rule(name, sentence)
    assert ("name" in anywhere) == published_rule(name, ["x", *sentence, "x"])


def test_sentences_are_split_on_the_original_text_and_tokenized_with_word_tokenize():
    assert tokenize_sentences("A tench. Another tench here, and a St. Bernard.", SPLITTER) == [
        ["A", "tench", "."], ["Another", "tench", "here", ",", "and", "a", "St.", "Bernard", "."]]
    assert tokenize_sentences("A tench. Another tench.", "none") == [["A", "tench.", "Another", "tench", "."]]


def test_imagenet_names_that_tokenization_changes_are_the_nine_the_paper_lost():
    names = Vocabulary.from_classes(load_class_set("imagenet1k"), SPLITTER).names
    changed = names.filter("key_changed")
    assert changed.height == 9
    keys = dict(changed.select("display_name", "name_key").iter_rows())
    assert keys["kite (bird of prey)"] == "kite ( bird of prey )"
    assert keys["potter's wheel"] == "potter 's wheel"
    assert name_tokens("St. Bernard", SPLITTER) == ("st.", "bernard")


def test_each_sentence_counts_at_most_once_per_name_and_rule():
    classes = pl.DataFrame({"class_id": ["t", "g"], "class_index": [0, 1], "wnid": ["t", "g"],
                            "display_name": ["tench", "Great White Shark"]})
    documents = pl.DataFrame({
        "stage": ["pretrain", "pretrain", "pretrain", "instruct"],
        "role": ["caption", "caption", "caption", "human"],
        "text": ["A tench and a tench. Tench", "A tench and a tench. Tench", "two great white sharks here", "tench?"],
    })
    counts, totals = count_batch(documents, Vocabulary.from_classes(classes, SPLITTER), SPLITTER)
    found = {(row["name_key"], row["stage"], row["edges"], row["lemmas"]): row["n_sentences"]
             for row in counts.iter_rows(named=True)}
    assert found == {
        # the repeated caption: sentence 1 once each, "Tench" alone only when edges count
        ("tench", "pretrain", False, False): 2, ("tench", "pretrain", True, False): 4,
        ("tench", "pretrain", False, True): 2, ("tench", "pretrain", True, True): 4,
        ("tench", "instruct", True, False): 1, ("tench", "instruct", True, True): 1,
        # "sharks" is "shark" only with lemmas
        ("great white shark", "pretrain", False, True): 1, ("great white shark", "pretrain", True, True): 1,
    }
    assert totals.sort("stage").rows() == [("instruct", "human", 1, 1), ("pretrain", "caption", 3, 5)]


def run_with(options):
    return parse_run({"name": "x", "class_set": "imagenet1k", "options": options,
                      "sources": [{"name": "s", "stage": "pretrain", "format": "jsonl", "path": "x.jsonl"}]})


def test_settings_are_checked_and_auto_says_which_splitter_ran():
    assert run_with({"vlmclassifier": {"human_turns": False}}).options.vlmclassifier.human_turns is False
    assert run_with({}).options.vlmclassifier.human_turns is True
    splitter, why = resolve_splitter("auto")
    assert splitter in ("punkt", "punkt_builtin") and why.startswith("auto:")
    with pytest.raises(ClassfreqError, match="sentence_splitter: 'spacy' is not one of auto, punkt"):
        run_with({"vlmclassifier": {"sentence_splitter": "spacy"}})
    with pytest.raises(ClassfreqError, match="unknown key 'splitter': did you mean 'sentence_splitter'"):
        run_with({"vlmclassifier": {"splitter": "none"}})
