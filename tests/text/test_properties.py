"""Properties of normalize and match on generated text (hypothesis): no crash on any Unicode, matching blind
to case and to the punctuation around words, and the mentions of joined texts are the union of their mentions."""

from __future__ import annotations

import string

import polars as pl
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.text.match import match_lemmas, term_index
from pipeline.text.normalize import TOKEN_PATTERN, normalize_series, normalize_text, noun_lemma

TERMS = ["great white shark", "white shark", "shark", "sea lion", "lion", "potter's wheel", "jack-o'-lantern",
         "goose", "teddy bear", "crème brûlée", "σκύλος", "собака", "كلب", "x y z"]
FILLERS = ["a", "the", "two", "near", "geese", "sharks", "lions", "bears", "Wheel", "jack", "o", "y", "Straße", "猫"]
WORDS = sorted({word for term in TERMS for word in term.replace("'", " ").replace("-", " ").split()} | set(FILLERS))
CANDIDATE_SEPARATORS = (string.punctuation + string.whitespace + "«»“”‘’¡¿—–…·•€£¥©®™°±×÷→←★♥😀🦈\u200f\u200e\u00a0\u3000"
                        "\u2028\ufeff")
# a separator is any character the tokenizer splits on, whatever its Unicode category (the test asks the tokenizer)
SEPARATORS = [c for c, tokens in zip(CANDIDATE_SEPARATORS, normalize_series(pl.Series([f"a{c}b" for c in CANDIDATE_SEPARATORS])))
              if tokens.to_list() == ["a", "b"]]
# a word in no term: no n-gram containing it can be a term, so matches never cross it
BARRIER = "qzxv"
PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def lexicon(terms) -> pl.DataFrame:
    normalized = [" ".join(normalize_text(term)) for term in terms]
    return term_index(pl.DataFrame({"term": [t for t in normalized if t]}, schema={"term": pl.String}))


TERM_INDEX = lexicon(TERMS)


def mentions_of(texts: list[str], terms: pl.DataFrame = TERM_INDEX) -> list[tuple[int, int, int, str]]:
    """(document, start, n_tokens, term) of every mention, the documents numbered in order."""
    documents = pl.DataFrame({"doc_id": [f"{i:04d}" for i in range(len(texts))], "lemmas": normalize_series(pl.Series(texts))})
    found = match_lemmas(documents, terms)
    return sorted((int(d), s, n, t) for d, s, n, t in found.select("doc_id", "start", "n_tokens", "term").iter_rows())


def recase(word: str, pattern: list[bool]) -> str:
    """The word with each character upper- or lower-cased, kept only where that lower-cases back to the word."""
    changed = "".join(c.upper() if up else c.lower() for c, up in zip(word, pattern + [False] * len(word)))
    return changed if changed.lower() == word.lower() else word


words = st.lists(st.sampled_from(WORDS), max_size=25)
separator_runs = st.text(alphabet=st.sampled_from(SEPARATORS), min_size=1, max_size=4)


@PROPERTY_SETTINGS
@given(st.text())
def test_normalize_never_fails_and_gives_clean_tokens(text):
    tokens = normalize_text(text)
    assert all(token and token == token.strip() and " " not in token for token in tokens)
    assert normalize_text(text + " " + text) == tokens + tokens


@PROPERTY_SETTINGS
@given(st.lists(st.text(), max_size=8))
def test_normalizing_a_batch_equals_normalizing_each_text(texts):
    assert normalize_series(pl.Series(texts, dtype=pl.String)).to_list() == [normalize_text(text) for text in texts]


def whole_text_lemmas(text: str) -> list[str]:
    """The definition, applied to the whole text at once: lower-case, ς as σ, tokenize, read each token as a noun."""
    lowered = pl.Series([text]).str.to_lowercase().str.replace_all("ς", "σ", literal=True)
    return [noun_lemma(token) for token in lowered.str.extract_all(TOKEN_PATTERN)[0].to_list()]


mixed_text = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=6), st.sampled_from(SEPARATORS)), max_size=20).map("".join)


@PROPERTY_SETTINGS
@given(st.lists(st.one_of(mixed_text, st.text(), st.none()), max_size=8))
@example(["ΑΣ Α", "ΟΔΟΣ'Α ΟΔΟΣ", "Σ", None, "", "  ", " ΣΑΣ  σς "])
def test_normalizing_texts_piece_by_piece_equals_normalizing_them_whole(texts):
    # normalize tokenizes each distinct space-separated piece once; tokens never contain a space, so nothing changes
    expected = [whole_text_lemmas(text) if text is not None else [] for text in texts]
    assert normalize_series(pl.Series(texts, dtype=pl.String)).to_list() == expected


@PROPERTY_SETTINGS
@given(st.text(), st.lists(st.text(min_size=1), min_size=1, max_size=5))
def test_matching_any_text_against_any_terms_finds_only_real_non_overlapping_terms(text, terms):
    index = lexicon(terms)
    lemmas = normalize_text(text)
    reach = 0
    for _, start, n_tokens, term in mentions_of([text], index):
        assert " ".join(lemmas[start:start + n_tokens]) == term
        assert term in index["term"].to_list()
        assert start >= reach
        reach = start + n_tokens


@PROPERTY_SETTINGS
@given(words, st.data())
def test_matching_ignores_case_and_the_punctuation_around_words(chosen, data):
    plain = " ".join(chosen)
    cased = [recase(word, data.draw(st.lists(st.booleans(), max_size=len(word)))) for word in chosen]
    gaps = [data.draw(separator_runs) for _ in range(len(chosen) + 1)]
    dressed = gaps[0] + "".join(word + gap for word, gap in zip(cased, gaps[1:]))
    assert mentions_of([dressed]) == mentions_of([plain])


@settings(PROPERTY_SETTINGS, max_examples=60)  # each example matches every text twice
@given(st.lists(st.one_of(words.map(" ".join), st.text()), min_size=1, max_size=6))
def test_mentions_of_joined_texts_are_the_union_of_their_mentions(texts):
    # as separate documents of one batch: each document's mentions are its own
    per_document = sorted((i, start, n, term) for i, text in enumerate(texts) for _, start, n, term in mentions_of([text]))
    assert mentions_of(texts) == per_document
    # as one text, joined by a word that belongs to no term: the union, shifted by the tokens before
    expected, offset = [], 0
    for text in texts:
        expected += [(0, start + offset, n, term) for _, start, n, term in mentions_of([text])]
        offset += len(normalize_text(text)) + 1
    assert mentions_of([f" {BARRIER} ".join(texts)]) == sorted(expected)


def test_the_separators_and_barrier_are_what_the_properties_assume():
    assert len(SEPARATORS) > 40 and "'" in SEPARATORS and "-" in SEPARATORS and "🦈" in SEPARATORS
    assert all(BARRIER not in term.split() for term in TERM_INDEX["term"].to_list())
    # without the barrier, joining can create a mention that neither text has: hence the barrier
    assert mentions_of(["a great white", "shark"]) == [(1, 0, 1, "shark")]
    assert mentions_of(["a great white shark"]) == [(0, 1, 3, "great white shark")]


def test_greek_final_sigma_is_one_letter_whatever_follows_it():
    # found by the case property: "σκύλοΣ:Straße" lower-cases its sigma to σ, "σκύλος" keeps ς
    assert normalize_text("σκύλοΣ:Straße")[0] == normalize_text("ΣΚΎΛΟΣ")[0] == normalize_text("σκύλος")[0]
    assert mentions_of(["ΣΚΎΛΟΣ's bowl", "σκύλος"]) == [(0, 0, 1, "σκύλοσ"), (1, 0, 1, "σκύλοσ")]
