"""The obvious implementation: spaCy's tokenizer and lookup lemmatizer via `nlp.pipe`, then a Python n-gram lookup."""

from __future__ import annotations

import re
from collections.abc import Sequence

import spacy

from pipeline.text.normalize import TOKEN_PATTERN

from .reference import Mention, ngram_mentions, term_lengths

_WORD = re.compile(TOKEN_PATTERN)


def spacy_lemmatizer() -> spacy.language.Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def spacy_words(doc) -> list:
    """The tokens a word count would keep: those with a letter or digit (not punctuation or space)."""
    return [token for token in doc if _WORD.search(token.text)]


def baseline_mentions(
    nlp: spacy.language.Language, doc_ids: Sequence[str], texts: Sequence[str], terms: set[str]
) -> tuple[list[Mention], int]:
    """Mentions and the number of words, lower-casing first because the lookup table is case-sensitive."""
    lengths = term_lengths(terms)
    mentions, words = [], 0
    for doc_id, doc in zip(doc_ids, nlp.pipe((text.lower() for text in texts), batch_size=1000)):
        lemmas = [token.lemma_ for token in spacy_words(doc)]
        words += len(lemmas)
        mentions.extend(ngram_mentions(doc_id, lemmas, terms, lengths))
    return mentions, words


def tokenization_differences(nlp: spacy.language.Language, texts: Sequence[str], production_tokens: Sequence[list[str]],
                             examples: int = 5) -> tuple[int, list[tuple[str, list[str], list[str]]]]:
    """How many texts spaCy's tokenizer splits differently from production's word pattern, and a few examples."""
    differing, shown = 0, []
    for text, doc, ours in zip(texts, nlp.tokenizer.pipe(text.lower() for text in texts), production_tokens):
        theirs = [token.text for token in spacy_words(doc)]
        if theirs != list(ours):
            differing += 1
            if len(shown) < examples:
                shown.append((text, theirs, list(ours)))
    return differing, shown
