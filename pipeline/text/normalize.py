"""Normalize: one definition of a word, shared by training text and lexicon terms.

A text is lower-cased, split into runs of letters and digits (punctuation, apostrophes and hyphens
separate tokens), and each token is replaced by its lemma read as a noun (`noun_lemma`, from spaCy's
English noun lemma data in spacy-lookups-data), because a class is a noun: "geese" is goose and "flies"
fly, but "flying" stays flying and "stole" stole, so -ing, -ed and past forms never count for a class
(a third-person "swings" still looks like the plural of swing). Class terms
go through the same function, so "Great White Sharks" in a caption and "great white shark" in the
lexicon meet as `great white shark` (in a multi-word term the head noun inflects).
"""

from __future__ import annotations

import functools
import gzip
import io
import json
from importlib import resources

import numpy as np
import polars as pl
import pyarrow as pa

from ..core.shards import SHARD_PARQUET

TOKEN_PATTERN = r"[^\W_]+"
# Lookup entries that only make sense after spaCy's clitic splitting ("I'm" → "'m" → be): on bare
# tokens they turn content words into function words ("ai", the three-toed sloth, → "have").
CONTEXT_DEPENDENT_FORMS = frozenset({"ai", "as", "d", "m", "ve", "ll", "nt", "arst", "wass", "oughter"})
LOOKUPS = resources.files("spacy_lookups_data") / "data"
#: What a text unit is, carried from ingest through normalize and match so the count never joins on doc_id.
UNIT_SCHEMA = {"doc_id": pl.String, "source": pl.String, "stage": pl.String, "role": pl.String, "conversation_id": pl.String}


def _lookups(name: str) -> dict:
    with (LOOKUPS / f"{name}.json.gz").open("rb") as handle:
        return json.loads(gzip.decompress(handle.read()))


@functools.cache
def lemma_table() -> dict[str, str]:
    """spaCy's English lemma lookup table, every part of speech (the published method's lemma fix uses it)."""
    table = _lookups("en_lemma_lookup")
    return {form: lemma for form, lemma in table.items() if form != lemma and form not in CONTEXT_DEPENDENT_FORMS}


@functools.cache
def noun_lemma_data() -> tuple[dict[str, str], frozenset[str], tuple[tuple[str, str], ...]]:
    """spaCy's English noun data, as its rule lemmatizer reads it: irregular plurals and their singulars, the
    known noun forms, and the plural suffix rules."""
    exceptions = {form: lemmas[0] for form, lemmas in _lookups("en_lemma_exc")["noun"].items()}
    return (exceptions, frozenset(_lookups("en_lemma_index")["noun"]),
            tuple((old, new) for old, new in _lookups("en_lemma_rules")["noun"]))


@functools.lru_cache(maxsize=1 << 20)
def noun_lemma(word: str) -> str:
    """A lower-case word read as a noun: an irregular plural's singular (geese → goose, leaves → leaf); else the
    form of the first plural rule that is a known noun (flies → fly, buses → bus, women → woman); else the word
    itself when it is a known noun (news, glass, bus); else the form of the longest matching suffix (an unknown
    plural: labradoodles → labradoodle, clownfishes → clownfish); else the word. -ing, -ed and irregular past
    forms stay as they are (flying, paddled, stole); a third-person verb ("swings") looks like a plural and
    folds like one, which the lexicon's flags and the policies must settle."""
    exceptions, index, rules = noun_lemma_data()
    if word in exceptions:
        return exceptions[word]
    # a stem of one letter is no plural's ("as", "is", "us"), and "ss" no plural ending ("pass", "boss")
    forms = [(old, word[: len(word) - len(old)] + new) for old, new in rules
             if word.endswith(old) and len(word) - len(old) + len(new) > 1 and not (old == "s" and word.endswith("ss"))]
    known = [form for _, form in forms if form in index or not form.isalpha()]
    if known:
        return known[0]
    if word in index or not forms:
        return word
    return max(forms, key=lambda rule: len(rule[0]))[1]  # the most specific rule: clownfishes → clownfish


def lemma_streams(texts: pl.Series) -> pl.Series:
    """Texts → lists of lemmas, vectorized: lower-case, tokenize and look up each distinct space-separated piece
    of the texts once, then gather every text's lemmas from its pieces'.

    A space is never part of a token, so a text's tokens are its pieces' tokens in order; and a corpus has far
    fewer distinct pieces than pieces (Zipf), so the regex runs over a small fraction of the text. The lemmas
    are categorical (the shard format: dictionary-encoded on disk, and match maps each distinct lemma to a
    term id once instead of hashing every token again).
    """
    pieces = texts.fill_null("").str.split(" ")
    piece_offsets = list_offsets(pieces.list.len().to_numpy())
    # categories of this call alone: polars' global ones are shared by the process and reused once freed
    piece_codes = pieces.explode(empty_as_null=False).cast(pl.Categorical(pl.Categories.random()))
    codes = piece_codes.to_physical().to_numpy()
    token_offsets, token_values = _piece_lemmas(piece_codes.dtype.categories.to_series())
    # each piece occurrence expands to its distinct piece's run of lemmas
    token_counts = np.diff(token_offsets)[codes]
    ends = np.cumsum(token_counts)
    run_starts = np.repeat(token_offsets[codes] - (ends - token_counts), token_counts)
    values = token_values.take(_arrow(run_starts + np.arange(len(run_starts))))
    offsets = np.concatenate([[0], ends])[piece_offsets]
    return pl.Series(texts.name, pa.LargeListArray.from_arrays(_arrow(offsets), values))


def _arrow(values: np.ndarray | list[str]) -> pa.Array:
    """An Arrow array by way of polars: pyarrow's own `pa.array` imports pandas on first use (0.8 s), which a
    small run normalized in this process would pay for nothing."""
    return pl.Series(values).to_arrow()


def list_offsets(lengths: np.ndarray) -> np.ndarray:
    """Where each of a run of lists starts in their concatenation, plus the end, from the lists' lengths."""
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return offsets


def _piece_lemmas(pieces: pl.Series) -> tuple[np.ndarray, pa.DictionaryArray]:
    """Where each piece's lemmas start in one dictionary-encoded array of them (plus the end), and that array."""
    # lower-casing writes a capital sigma as σ or ς depending on the next character (":" or "'" then a
    # letter makes it σ), so the same word could lower-case two ways: one form for both
    lowered = pieces.str.to_lowercase().str.replace_all("ς", "σ", literal=True)
    tokens = lowered.str.extract_all(TOKEN_PATTERN).fill_null([])
    flat = tokens.explode(empty_as_null=False).cast(pl.Categorical(pl.Categories.random()))
    values = pa.DictionaryArray.from_arrays(flat.to_physical().to_arrow(), _lemma_of_category(flat.dtype.categories))
    return list_offsets(tokens.list.len().to_numpy()), values


def _lemma_of_category(categories: pl.Categories) -> pa.Array:
    """The noun lemma of every string of `categories`, in category order: once per distinct token."""
    return _arrow([noun_lemma(name) for name in categories.to_series().to_list()]).cast(pa.large_string())


def normalize_series(texts: pl.Series) -> pl.Series:
    """Texts → lists of lemmas as strings; `lemma_streams` with plain strings, for terms and callers outside the shards."""
    return lemma_streams(texts).cast(pl.List(pl.String))


def normalize_text(text: str) -> list[str]:
    """One text's lemmas; the same definition as `normalize_series`, for terms and tests."""
    return normalize_series(pl.Series([text]))[0].to_list()


def normalize_documents(documents: pl.DataFrame) -> pl.DataFrame:
    """Pure core: documents (doc_id, text, and any of UNIT_SCHEMA's other columns) → lemma streams
    (those columns, n_words, lemmas)."""
    lemmas = lemma_streams(documents["text"])
    return documents.select(pl.exclude("text")).with_columns(n_words=lemmas.list.len().cast(pl.Int32), lemmas=lemmas)


def warm_up() -> None:
    """A two-text shard through the core and Parquet, in memory: a worker loads the lemma table, and pays for its
    first call of these polars and Arrow kernels (about 0.2 s) while ingest runs instead of on its first shard."""
    texts = ["A Dog's bone", "two  sharks\tswim"]
    documents = pl.DataFrame({**{name: texts for name in UNIT_SCHEMA}, "text": texts})
    buffer = io.BytesIO()
    write_lemma_shard(normalize_documents(documents), buffer)
    buffer.seek(0)
    pl.read_parquet(buffer)


#: nothing filters lemma shards by value, so they carry no statistics
LEMMA_SHARD_PARQUET = {"statistics": False, **SHARD_PARQUET}


def write_lemma_shard(lemmas: pl.DataFrame, target: str | io.BytesIO) -> None:
    lemmas.write_parquet(target, **LEMMA_SHARD_PARQUET)


def lemma_shard(documents: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """A shard of documents → its lemma streams, and how many words they hold (what the stage reports)."""
    lemmas = normalize_documents(documents)
    return lemmas, int(lemmas["n_words"].sum() or 0)
