import polars as pl

from pipeline.text.match import (
    match_lemmas,
    mention_shard,
    term_context,
    term_index,
    with_context_words,
    with_proper_names,
)
from pipeline.text.normalize import normalize_documents, normalize_text


def lexicon(*terms: str) -> pl.DataFrame:
    return pl.DataFrame({"term": [" ".join(normalize_text(t)) for t in terms]}, schema={"term": pl.String})


def mentions(texts: list[str], *terms: str) -> list[tuple[str, int, str]]:
    documents = pl.DataFrame({"doc_id": [str(i) for i in range(len(texts))], "text": texts})
    found = match_lemmas(normalize_documents(documents), term_index(lexicon(*terms)))
    return list(zip(found["doc_id"], found["start"], found["term"]))


def test_longest_match_hides_the_terms_inside_it():
    assert mentions(["a great white shark swims"], "great white shark", "white shark", "shark") == [
        ("0", 1, "great white shark")
    ]
    assert mentions(["a sea lion"], "sea lion", "lion") == [("0", 1, "sea lion")]


def test_terms_at_the_first_and_last_token_match():
    assert mentions(["shark"], "shark") == [("0", 0, "shark")]
    assert mentions(["shark near a shark"], "shark") == [("0", 0, "shark"), ("0", 3, "shark")]


def test_plural_text_matches_singular_term():
    assert mentions(["two geese and teddy bears"], "goose", "teddy bear") == [("0", 1, "goose"), ("0", 3, "teddy bear")]


def test_overlapping_candidates_keep_the_leftmost_longest():
    # "x y" wins at 0, so "y z w" (starting inside it) is dropped and "w" after it still counts
    assert mentions(["x y z w"], "x y", "y z w", "w") == [("0", 0, "x y"), ("0", 3, "w")]


def test_matches_never_span_two_documents():
    assert mentions(["a sea", "lion"], "sea lion") == []


def test_no_terms_or_no_text_give_empty_mentions():
    assert mentions([""], "shark") == []
    assert mentions(["shark"]) == []


def test_flagged_mentions_carry_the_context_words_of_their_text_unit():
    documents = pl.DataFrame({
        "doc_id": ["a", "b", "c"],
        "source": ["s", "s", "s"],
        "text": ["a crane lifts steel beams", "a crane and a bird, a bird", "a mouse"],
    })
    lemmas = normalize_documents(documents)
    found = match_lemmas(lemmas, term_index(lexicon("crane", "mouse")))
    assert found.columns == ["doc_id", "source", "start", "n_tokens", "term"]  # the text unit's columns come along
    confirming = pl.DataFrame({"term": ["crane", "crane", "crane", "kite"], "word": ["bird", "lift", "steel", "beam"]})
    with_context = with_context_words(lemmas, found, confirming)
    assert with_context.select("doc_id", "term", "context").rows() == [
        ("a", "crane", ["lift", "steel"]),  # "beam" confirms the kite, not the crane
        ("b", "crane", ["bird"]),  # once, though twice in the text
        ("c", "mouse", None),  # not flagged: no list
    ]


def test_term_context_is_the_context_words_of_the_classes_a_term_is_flagged_for():
    lexicon_rows = pl.DataFrame({
        "class_id": ["crane_bird", "crane_machine", "crane_bird", "mouse"],
        "term": ["crane", "crane", "whooping crane", "mouse"],
        "flagged": [True, True, False, None],
    })
    class_context = pl.DataFrame({"class_id": ["crane_bird", "crane_machine", "mouse"], "word": ["bird", "lift", "cheese"]})
    assert term_context(lexicon_rows, class_context).rows() == [("crane", "bird"), ("crane", "lift")]


def test_a_mention_is_a_proper_name_when_a_token_of_it_is_one_in_its_text_unit():
    documents = pl.DataFrame({"doc_id": ["a", "b", "c"], "text": [
        "a girl holding a Minnie Mouse doll", "a mouse next to the keyboard", "a mouse beside a Minnie Mouse plush toy"]})
    lemmas = normalize_documents(documents)
    found = with_proper_names(lemmas, match_lemmas(lemmas, term_index(lexicon("mouse", "plush toy"))))
    assert found.select("doc_id", "start", "term", "proper_name").rows() == [
        ("a", 5, "mouse", True), ("b", 1, "mouse", False),
        ("c", 1, "mouse", False), ("c", 5, "mouse", True), ("c", 6, "plush toy", False),
    ]
    # a longer term is one when any of its tokens is ("Minnie" inside "minnie mouse doll")
    spans = with_proper_names(lemmas, match_lemmas(lemmas, term_index(lexicon("minnie mouse doll"))))
    assert spans["proper_name"].to_list() == [True]


def test_mention_shards_carry_the_proper_name_flag_and_relative_rows_leave_it_null():
    documents = pl.DataFrame({"doc_id": ["a", "b"], "text": ["a Minnie Mouse doll", "a mouse and a keyboard"]})
    shard, n_mentions = mention_shard(normalize_documents(documents), term_index(lexicon("mouse")),
                                      pl.DataFrame({"term": ["mouse"], "word": ["keyboard"]}),
                                      relatives=pl.Series(["keyboard"]))
    assert n_mentions == 2
    assert shard.filter(pl.col("term").is_not_null())["proper_name"].to_list() == [True, False]
    assert shard.filter(pl.col("term").is_null())["proper_name"].null_count() == shard["term"].null_count() > 0
