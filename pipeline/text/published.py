"""The published counting: the counting method of Zhang et al. 2024 (VLMClassifier's data-analysis notebooks), quirks included.

The run option `method = "vlmclassifier"` makes correlate and report use these counts; the default
`method = "classfreq"` uses the lexicon counts of stages normalize → match → count. Either way this
stage runs, because the sensitivity analysis compares the two. What the published method does, quirk
by quirk (Q1–Q7; the sensitivity analysis fixes them one at a time):

Q1. Each text (a caption or a conversation turn) is split into sentences and each sentence tokenized
    with NLTK's `word_tokenize`; tokens are lower-cased. A class is its display name, lower-cased, then
    tokenized the same way. No lemmas ("sharks" is not "shark"), no synonyms.
Q2. A sentence mentions a class when `"##" + "##".join(name) + "##"` occurs in `"##".join(sentence)`:
    the name needs a token before and after it, so a name at the first or last token of a sentence
    never counts ("A tench." counts — the period is the last token —, "a tench" does not).
Q3. A sentence adds at most 1 per entry of the class list; a name listed twice ("missile",
    "sunglasses" in ImageNet) adds 2 per sentence.
Q4. Counts are kept per stage; the combined frequency is pretraining + instruction, looping over the
    names seen in pretraining only: a class seen only in instruction data gets 0.
Q5. Counts are keyed by the tokenized name joined with spaces but looked up by the lower-cased
    display name, so a name that tokenization changes ("potter's wheel" → "potter 's wheel") gets 0.
Q6. Accuracy is per label string: classes sharing a display name are one point, their images pooled.
Q7. Spearman and Pearson on raw counts.

Q3, Q4, Q5 and Q6 are joins, in `sql/published_points.sql`; this module counts sentences per
tokenized name (Q1, Q2) under the published rule and under the fixes (a name at the sentence's edges
counts; tokens and names lemmatized), in one pass.

Where the description is silent (the notebooks start from already-tokenized sentences), classfreq
chooses and makes it a parameter (`[options.vlmclassifier]`):
- `sentence_splitter`: "punkt" (NLTK's English Punkt model, what `word_tokenize` itself uses; needs the
  `punkt_tab` data), "punkt_builtin" (Punkt's algorithm with its default parameters and a few common
  English abbreviations: needs no data), "none" (each text is one sentence), or "auto" (default: punkt
  when its data is installed, else punkt_builtin; the manifest records which ran and why). Sentences
  are split on the original text (Punkt uses capitalization) and tokenized with `preserve_line=True`,
  which is what `word_tokenize` does after its own sentence split.
- `human_turns`: whether the human turns of conversations count (default true: the model reads them).
"""

from __future__ import annotations

import functools
import typing
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from ..core.config import Splitter
from ..core.errors import ClassfreqError
from .normalize import lemma_table

SPLITTERS = typing.get_args(Splitter)
# Punkt without its English model splits after every abbreviation; these are the common ones in captions
# and class names ("St. Bernard"). An approximation of the model, which is stated wherever it is used.
BUILTIN_ABBREVIATIONS = frozenset({"dr", "mr", "mrs", "ms", "st", "jr", "sr", "vs", "e.g", "i.e", "u.s", "mt", "ft", "no"})
COUNT_SCHEMA = {"name_key": pl.String, "stage": pl.String, "role": pl.String, "edges": pl.Boolean,
                "lemmas": pl.Boolean, "n_sentences": pl.Int64}
SENTENCE_SCHEMA = {"stage": pl.String, "role": pl.String, "n_texts": pl.Int64, "n_sentences": pl.Int64}


def punkt_available() -> bool:
    from nltk.tokenize import punkt_model_available

    return punkt_model_available("english")


def resolve_splitter(requested: str) -> tuple[str, str]:
    """The splitter that will run, and why; "auto" picks Punkt's English model when its data is installed."""
    if requested == "punkt" and not punkt_available():
        raise ClassfreqError("options.vlmclassifier.sentence_splitter = \"punkt\" needs NLTK's punkt_tab data "
                             "(nltk.download('punkt_tab')); it is not installed: use \"punkt_builtin\" or \"auto\"")
    if requested != "auto":
        return requested, "chosen in the run"
    if punkt_available():
        return "punkt", "auto: NLTK's punkt_tab data is installed"
    return "punkt_builtin", ("auto: NLTK's punkt_tab data is not installed, so Punkt runs without its English model "
                             "(default parameters and a few common abbreviations)")


@functools.cache
def _sentence_splitter(splitter: str):
    from nltk.tokenize import sent_tokenize
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    if splitter == "punkt":
        return sent_tokenize
    if splitter == "punkt_builtin":
        parameters = PunktParameters()
        parameters.abbrev_types = set(BUILTIN_ABBREVIATIONS)
        return PunktSentenceTokenizer(parameters).tokenize
    if splitter == "none":
        return lambda text: [text]
    raise ClassfreqError(f"unknown sentence splitter {splitter!r} (known: {', '.join(SPLITTERS[1:])})")


def tokenize_sentences(text: str, splitter: str) -> list[list[str]]:
    """`word_tokenize` per sentence, with the sentence split made explicit so it can be chosen."""
    from nltk.tokenize import word_tokenize

    return [word_tokenize(sentence, preserve_line=True) for sentence in _sentence_splitter(splitter)(text)]


def name_tokens(display_name: str, splitter: str) -> tuple[str, ...]:
    """The published `word_tokenize(name.lower())`: lower-cased first, then tokenized."""
    return tuple(token for sentence in tokenize_sentences(display_name.lower(), splitter) for token in sentence)


def _needs_literal_rule(token: str) -> bool:
    # "##" separators are only unambiguous between tokens without "#"; otherwise apply the string rule itself
    return not token or "#" in token


class NameMatcher:
    """Finds class names in a sentence's tokens exactly as the published `##`-join substring rule does.

    A lookup by first token replaces the published loop over every class per sentence; for tokens
    without "#" the two are the same: the name's tokens occur contiguously with a token before and
    after. Sentences or names with "#" in a token go through the string rule literally.
    """

    def __init__(self, names: Iterable[tuple[str, tuple[str, ...]]]):
        self.by_first_token: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
        self.literal_names: list[tuple[str, str]] = []
        self.all_names: list[tuple[str, str]] = []
        for key, tokens in names:
            self.all_names.append((key, "##".join(tokens)))
            if not tokens or any(_needs_literal_rule(token) for token in tokens):
                self.literal_names.append(self.all_names[-1])
            else:
                self.by_first_token[tokens[0]].append((key, tokens))

    def matches(self, tokens: Sequence[str]) -> tuple[set[str], set[str]]:
        """(names the published rule finds, names found when the sentence's first and last tokens count too)."""
        if any(_needs_literal_rule(token) for token in tokens):
            return self._string_rule(tokens, self.all_names)
        interior, anywhere = set(), set()
        length = len(tokens)
        for start, token in enumerate(tokens):
            for key, name in self.by_first_token.get(token, ()):
                end = start + len(name)
                if end <= length and tuple(tokens[start:end]) == name:
                    anywhere.add(key)
                    if start > 0 and end < length:
                        interior.add(key)
        if self.literal_names:
            literal_interior, literal_anywhere = self._string_rule(tokens, self.literal_names)
            interior |= literal_interior
            anywhere |= literal_anywhere
        return interior, anywhere

    @staticmethod
    def _string_rule(tokens: Sequence[str], names: list[tuple[str, str]]) -> tuple[set[str], set[str]]:
        joined = "##".join(tokens)
        padded = f"##{joined}##"
        interior = {key for key, name in names if f"##{name}##" in joined}
        anywhere = {key for key, name in names if f"##{name}##" in padded}
        return interior, anywhere


def lemmatize(tokens: Iterable[str]) -> tuple[str, ...]:
    """The lemma fix: the spaCy lookup table the default method uses, on word_tokenize's tokens."""
    table = lemma_table()
    return tuple(table.get(token, token) for token in tokens)


@dataclass
class Vocabulary:
    """The class list's distinct tokenized names, as words and as lemmas."""

    names: pl.DataFrame
    words: NameMatcher
    lemmas: NameMatcher

    @classmethod
    def from_classes(cls, classes: pl.DataFrame, splitter: str) -> Vocabulary:
        tokens = [name_tokens(name, splitter) for name in classes["display_name"].to_list()]
        names = classes.select("class_id", "class_index", "wnid", "display_name").with_columns(
            name_tokens=pl.Series(tokens, dtype=pl.List(pl.String)),
            name_key=pl.Series([" ".join(t) for t in tokens], dtype=pl.String),
        ).with_columns(key_changed=pl.col("name_key") != pl.col("display_name").str.to_lowercase())
        distinct = dict(zip((" ".join(t) for t in tokens), tokens))
        return cls(names, NameMatcher(distinct.items()),
                   NameMatcher((key, lemmatize(words)) for key, words in distinct.items()))


def count_batch(documents: pl.DataFrame, vocabulary: Vocabulary, splitter: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Pure core: documents (stage, role, text) → sentences mentioning each tokenized name, and sentences in all.

    Each sentence counts once per name and rule; `edges` marks the fix where a name at the sentence's
    first or last token counts, `lemmas` the fix where tokens and names are lemmatized.
    """
    mentions: Counter = Counter()
    texts: Counter = Counter()
    sentences: Counter = Counter()
    # repeated texts (LLaVA's pretraining prompts, templated questions) are tokenized once
    distinct = documents.group_by("stage", "role", "text", maintain_order=True).len("copies")
    for stage, role, text, copies in distinct.iter_rows():
        texts[stage, role] += copies
        for sentence in tokenize_sentences(text, splitter):
            sentences[stage, role] += copies
            words = [token.lower() for token in sentence]
            for lemmas, matcher, sequence in ((False, vocabulary.words, words),
                                              (True, vocabulary.lemmas, lemmatize(words))):
                interior, anywhere = matcher.matches(sequence)
                for edges, found in ((False, interior), (True, anywhere)):
                    for key in found:
                        mentions[key, stage, role, edges, lemmas] += copies
    counts = pl.DataFrame([(*key, n) for key, n in mentions.items()], schema=COUNT_SCHEMA, orient="row")
    totals = pl.DataFrame([(*key, n, sentences[key]) for key, n in texts.items()], schema=SENTENCE_SCHEMA, orient="row")
    return counts.sort(["name_key", "stage", "role", "edges", "lemmas"]), totals


def name_counts(documents: pl.DataFrame, classes_file: str, splitter: str) -> tuple[pl.DataFrame, dict[str, list]]:
    """A shard task's process: a shard of documents (stage, role, text) → its name counts, and its sentence totals."""
    counts, totals = count_batch(documents, vocabulary(classes_file, splitter), splitter)
    return counts, totals.to_dict(as_series=False)


@functools.cache
def vocabulary(classes_file: str, splitter: str) -> Vocabulary:
    return Vocabulary.from_classes(pl.read_parquet(classes_file), splitter)


def sentence_totals(shard_totals: list[dict[str, list]]) -> pl.DataFrame:
    """The shards' sentence totals (what `name_counts` reports per shard) added up per stage and role."""
    return (pl.concat([pl.DataFrame(totals, schema=SENTENCE_SCHEMA) for totals in shard_totals])
            .group_by("stage", "role").agg(pl.col("n_texts", "n_sentences").sum()).sort("stage", "role"))
