"""The counting definition written plainly, one document at a time: the oracle the vectorized path must equal.

It shares the definition of a word with `pipeline.text.normalize` (the token pattern and `noun_lemma`, a
token's noun lemma), but none of the vectorized code: tokens come from Python's `re`, one text at a
time, and terms are found by trying, at each position, the longest n-gram first and jumping past a match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from pipeline.text.normalize import TOKEN_PATTERN, noun_lemma

_TOKEN = re.compile(TOKEN_PATTERN)
Mention = tuple[str, int, int, str]  # doc_id, start, n_tokens, term


def reference_lemmas(text: str) -> list[str]:
    return [noun_lemma(token) for token in _TOKEN.findall(text.lower())]


def ngram_mentions(doc_id: str, lemmas: Sequence[str], terms: set[str], lengths: Sequence[int]) -> list[Mention]:
    """Leftmost-longest, non-overlapping term occurrences in one document's lemmas (`lengths` longest first)."""
    found, position = [], 0
    while position < len(lemmas):
        for length in lengths:
            if position + length > len(lemmas):
                continue
            gram = " ".join(lemmas[position:position + length])
            if gram in terms:
                found.append((doc_id, position, length, gram))
                position += length
                break
        else:
            position += 1
    return found


def term_lengths(terms: Iterable[str]) -> list[int]:
    return sorted({term.count(" ") + 1 for term in terms}, reverse=True)


def reference_mentions(documents: Iterable[tuple[str, str]], terms: Iterable[str]) -> list[Mention]:
    """Mentions of `terms` (normalized, space-joined) in (doc_id, text) pairs, in document order."""
    terms = set(terms)
    lengths = term_lengths(terms)
    mentions = []
    for doc_id, text in documents:
        mentions.extend(ngram_mentions(doc_id, reference_lemmas(text), terms, lengths))
    return mentions
