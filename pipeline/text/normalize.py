"""Normalize: one definition of a word, shared by training text and lexicon terms.

A text is lower-cased, split into runs of letters and digits (punctuation, apostrophes and hyphens
separate tokens), and each token is replaced by its lemma read as a noun (`noun_lemma`, from spaCy's
English noun lemma data in spacy-lookups-data), because a class is a noun: "geese" is goose and "flies"
fly, but "flying" stays flying and "stole" stole, so -ing, -ed and past forms never count for a class
(a third-person "swings" still looks like the plural of swing). Class terms
go through the same function, so "Great White Sharks" in a caption and "great white shark" in the
lexicon meet as `great white shark` (in a multi-word term the head noun inflects).

Lower-casing loses what a capital says, so each text also keeps the positions of its proper-name tokens
(`proper_names`): a capitalized word inside a sentence ("a Minnie Mouse doll"), not one that merely opens it
("Orange juice"), in a text that is neither in title case nor in capitals. The count reads them to keep
"Minnie Mouse" from counting as a computer mouse.
"""

from __future__ import annotations

import functools
import gzip
import io
import json
from dataclasses import dataclass
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
#: What ends a sentence for the proper-name rule (see `_proper_names`): a full stop, a mark that ends a
#: question, an exclamation or a clause, and a line break.
SENTENCE_BREAKS = (".", "!", "?", ":", ";", "\n", "\r")
BREAK_CLASS = f"[{''.join(SENTENCE_BREAKS)}]"
#: A token's marks, and a piece's, bits of one byte.
CAPITALIZED, OPENS_SENTENCE, FIRST_IN_PIECE, LONG_WORD = 1, 2, 4, 8
HOLDS_CAPITAL, ENDS_SENTENCE, HOLDS_NO_TOKEN = 1, 2, 4
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


def lemma_streams(texts: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Texts → lists of lemmas and lists of proper-name positions, vectorized: lower-case, tokenize and look up
    each distinct space-separated piece of the texts once, then gather every text's lemmas from its pieces'.

    A space is never part of a token, so a text's tokens are its pieces' tokens in order; and a corpus has far
    fewer distinct pieces than pieces (Zipf), so the regex runs over a small fraction of the text. The lemmas
    are categorical (the shard format: dictionary-encoded on disk, and match maps each distinct lemma to a
    term id once instead of hashing every token again). The proper names (:func:`_proper_names`) are
    the indices into a text's lemmas of its proper-name tokens, from marks each distinct piece's tokens get once.
    """
    pieces = texts.fill_null("").str.split(" ")
    piece_offsets = list_offsets(pieces.list.len().to_numpy())
    # categories of this call alone: polars' global ones are shared by the process and reused once freed
    piece_codes = pieces.explode(empty_as_null=False).cast(pl.Categorical(pl.Categories.random()))
    # numpy indexes with its own integers: converting once is cheaper than at every gather
    codes = piece_codes.to_physical().to_numpy().astype(np.intp)
    tokens = _piece_tokens(piece_codes.dtype.categories.to_series())
    # each piece occurrence expands to its distinct piece's run of lemmas
    token_counts = np.diff(tokens.offsets)[codes]
    token_starts = np.concatenate([[0], np.cumsum(token_counts)])
    gather = concatenated_ranges(tokens.offsets[codes], token_counts)
    offsets = token_starts[piece_offsets]
    lemmas = pl.Series(texts.name, pa.LargeListArray.from_arrays(_arrow(offsets), tokens.lemmas.take(_arrow(gather))))
    return lemmas, _proper_names(tokens, PieceOccurrences(codes, token_starts, piece_offsets, offsets))


@dataclass(frozen=True)
class PieceOccurrences:
    """The texts' pieces one after another: each one's distinct piece (`codes`) and where its tokens start among
    the texts' (`token_starts`, plus the end); where each text's pieces start among them (`piece_offsets`) and
    its tokens among the texts' (`offsets`), plus the ends."""

    codes: np.ndarray
    token_starts: np.ndarray
    piece_offsets: np.ndarray
    offsets: np.ndarray


def _proper_names(tokens: PieceTokens, pieces: PieceOccurrences) -> pl.Series:
    """Each text's proper-name tokens (List(Int32): indices into its tokens, empty when none).

    A capitalized token (an upper-case first letter and some lower-case letter, so "TV" and "ATM" are not) is a
    proper name inside a sentence, and at a sentence's start when the next token is one inside it ("Jersey City
    is", "Orange County"), since a word that opens a sentence is capitalized whatever it is. A sentence starts at
    a text's first token and after `.`, `!`, `?`, `:`, `;` or a line break, wherever they stand between two
    tokens (`dog." The`, `dog. (The` and `dog.The` alike). A text in title case (at least 3/4 of its words of
    four or more letters capitalized, as a text without such words is too) has no proper names, its capitals
    saying nothing; nor has one in capitals alone, which has no capitalized token. Only the pieces that hold a
    capitalized token are looked at token by token, and what they need is read from the distinct pieces' small
    tables rather than from arrays as long as the text.
    """
    # numpy finds the true ones of booleans twice as fast as of bytes
    holding = np.flatnonzero(np.take((tokens.piece_marks & HOLDS_CAPITAL).astype(bool), pieces.codes))
    # each holding piece and the one before it side by side, for one pass over the long array of codes (the
    # shard's first piece has none before it, and opens a text anyway)
    code, code_before = np.take(pieces.codes, np.stack([holding, np.maximum(holding - 1, 0)], axis=1)).T
    counts, run_starts = np.diff(tokens.offsets)[code], tokens.offsets[code]
    distinct = concatenated_ranges(run_starts, counts)
    marks = np.take(tokens.marks, distinct)
    capital = (marks & CAPITALIZED).astype(bool)
    marks, holder = marks[capital], np.repeat(np.arange(len(holding)), counts)[capital]  # holder: index in holding
    positions = (distinct + np.repeat(np.take(pieces.token_starts, holding) - run_starts, counts))[capital]
    opening = (marks & OPENS_SENTENCE).astype(bool)
    first = np.flatnonzero(marks & FIRST_IN_PIECE)
    first_holders = holder[first]
    opening[first] |= _open_sentences(tokens, pieces, positions[first], holding[first_holders],
                                      np.take(tokens.piece_marks, code_before[first_holders]))
    # a capitalized opener followed by a capitalized token inside the sentence starts a name; a text's last token
    # is followed by the next text's first, which opens a sentence
    followed = np.zeros(len(positions), dtype=bool)
    followed[:-1] = (positions[1:] == positions[:-1] + 1) & ~opening[1:]
    proper = positions[~opening | followed]
    texts = np.searchsorted(pieces.offsets, proper, side="right") - 1
    candidates = texts[np.flatnonzero(np.diff(texts, prepend=-1))]  # `texts` is sorted
    title_case = _title_cased(tokens, pieces, candidates, positions, (marks & LONG_WORD).astype(bool))
    proper, texts = proper[~np.isin(texts, title_case)], texts[~np.isin(texts, title_case)]
    values = _arrow((proper - pieces.offsets[texts]).astype(np.int32))
    list_ends = list_offsets(np.bincount(texts, minlength=len(pieces.offsets) - 1)).astype(np.int32)
    return pl.Series("proper_names", pa.ListArray.from_arrays(_arrow(list_ends), values))


def _open_sentences(tokens: PieceTokens, pieces: PieceOccurrences, starts: np.ndarray, holders: np.ndarray,
                    before: np.ndarray) -> np.ndarray:
    """Whether a sentence opens at each of `starts`, the first token of piece occurrence `holders`, whose previous
    piece has the marks `before`: at a text's first token, or after a piece that ends a sentence among those since
    the previous token."""
    text_start = np.zeros(pieces.offsets[-1] + 1, dtype=bool)
    text_start[pieces.offsets[:-1]] = True
    opens = text_start[starts] | (before & ENDS_SENTENCE).astype(bool)
    # before the piece before may stand more pieces that hold no token ("-", or "" between two spaces)
    gaps = np.flatnonzero((before & HOLDS_NO_TOKEN).astype(bool) & ~opens)
    first = np.searchsorted(pieces.token_starts, starts[gaps] - 1, side="right") - 1
    spans = holders[gaps] - 1 - first
    between = np.take(tokens.piece_marks, np.take(pieces.codes, concatenated_ranges(first, spans)))
    opens[gaps] = _run_sums(between & ENDS_SENTENCE, list_offsets(spans)) > 0
    return opens


def _title_cased(tokens: PieceTokens, pieces: PieceOccurrences, candidates: np.ndarray, capitalized: np.ndarray,
                 capitalized_long: np.ndarray) -> np.ndarray:
    """Those of the texts `candidates` in title case: at least 3/4 of their words of four or more letters
    capitalized; `capitalized` are the positions of the capitalized tokens, `capitalized_long` whether each is
    such a word."""
    running = np.concatenate([[0], np.cumsum(capitalized_long)])
    n_capitalized = (running[np.searchsorted(capitalized, pieces.offsets[candidates + 1])]
                     - running[np.searchsorted(capitalized, pieces.offsets[candidates])])
    starts, ends = pieces.piece_offsets[candidates], pieces.piece_offsets[candidates + 1]
    title_case = np.zeros(len(candidates), dtype=bool)
    # long words are counted over a growing head of each text's pieces, from a few more than its capitals: a text
    # with few capitals among many words, the common case, is settled by its first pieces instead of all of them
    undecided, head = np.arange(len(candidates)), 2 * n_capitalized + 8
    while len(undecided):
        lengths = np.minimum(ends[undecided] - starts[undecided], head)
        occurrences = concatenated_ranges(starts[undecided], lengths)
        n_long = _run_sums(np.take(tokens.long_words, np.take(pieces.codes, occurrences)), list_offsets(lengths))
        too_many = 3 * n_long > 4 * n_capitalized[undecided]
        whole = lengths == ends[undecided] - starts[undecided]
        title_case[undecided[whole & ~too_many]] = True
        going_on = ~whole & ~too_many
        undecided, head = undecided[going_on], head[going_on] * 4
    return candidates[title_case]


def _run_sums(values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """The sum of `values` over each run [bounds[i], bounds[i + 1]), in 32 bits: as fast again as 64 over a shard's
    millions of tokens, and a running total that wraps around still leaves each run's sum right."""
    totals = np.zeros(len(values) + 1, dtype=np.int32)
    np.cumsum(values, dtype=np.int32, out=totals[1:])
    return totals[bounds[1:]] - totals[bounds[:-1]]


def concatenated_ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The ranges [starts[i], starts[i] + lengths[i]) one after another, as one index array."""
    ends = np.cumsum(lengths)
    return np.repeat(starts - (ends - lengths), lengths) + np.arange(ends[-1] if len(ends) else 0)


def _arrow(values: np.ndarray | list[str]) -> pa.Array:
    """An Arrow array by way of polars: pyarrow's own `pa.array` imports pandas on first use (0.8 s), which a
    small run normalized in this process would pay for nothing."""
    return pl.Series(values).to_arrow()


def list_offsets(lengths: np.ndarray) -> np.ndarray:
    """Where each of a run of lists starts in their concatenation, plus the end, from the lists' lengths."""
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return offsets


@dataclass(frozen=True)
class PieceTokens:
    """The tokens of distinct pieces: where each piece's start in `lemmas` and `marks` (plus the end), their
    lemmas (dictionary-encoded) and marks (CAPITALIZED; OPENS_SENTENCE: a break before it inside its piece;
    FIRST_IN_PIECE; LONG_WORD: four letters or more); and each piece's marks (HOLDS_CAPITAL; ENDS_SENTENCE: a
    break after its last token, or anywhere in a piece without tokens; HOLDS_NO_TOKEN) and how many of its
    tokens have four letters or more."""

    offsets: np.ndarray
    lemmas: pa.DictionaryArray
    marks: np.ndarray
    piece_marks: np.ndarray
    long_words: np.ndarray


def _piece_tokens(pieces: pl.Series) -> PieceTokens:
    # lower-casing writes a capital sigma as σ or ς depending on the next character (":" or "'" then a
    # letter makes it σ), so the same word could lower-case two ways: one form for both
    lowered = pieces.str.to_lowercase().str.replace_all("ς", "σ", literal=True)
    tokens = lowered.str.extract_all(TOKEN_PATTERN).fill_null([])
    flat = tokens.explode(empty_as_null=False).cast(pl.Categorical(pl.Categories.random()))
    categories = flat.dtype.categories.to_series()
    values = pa.DictionaryArray.from_arrays(flat.to_physical().to_arrow(), _lemma_of_category(categories))
    offsets = list_offsets(tokens.list.len().to_numpy())
    long_of_category = categories.str.contains(r"\p{L}.*\p{L}.*\p{L}.*\p{L}").to_numpy()
    marks = long_of_category[flat.to_physical().to_numpy()].astype(np.uint8) * LONG_WORD
    long_words = _run_sums(marks.astype(bool), offsets)
    marks[offsets[:-1][np.diff(offsets) > 0]] |= FIRST_IN_PIECE
    capitalized = _capitalized_tokens(pieces, lowered, offsets)
    marks[capitalized] |= CAPITALIZED
    piece_marks = np.where(np.diff(offsets) == 0, HOLDS_NO_TOKEN, 0).astype(np.uint8)
    piece_marks[np.searchsorted(offsets, capitalized, side="right") - 1] |= HOLDS_CAPITAL
    broken = lowered.str.contains_any(list(SENTENCE_BREAKS)).arg_true().to_numpy()
    with_breaks = lowered.gather(broken)
    ends = with_breaks.str.contains(f"{BREAK_CLASS}[\\W_]*$").to_numpy()
    piece_marks[broken[ends]] |= ENDS_SENTENCE
    # each token with the separators before it: a break among them opens a sentence at the token
    separated = with_breaks.str.extract_all(r"[\W_]*[^\W_]+").explode(empty_as_null=False)
    positions = concatenated_ranges(offsets[broken], np.diff(offsets)[broken])
    marks[positions[separated.str.contains(BREAK_CLASS).to_numpy()]] |= OPENS_SENTENCE
    return PieceTokens(offsets, values, marks, piece_marks, long_words)


def _capitalized_tokens(pieces: pl.Series, lowered: pl.Series, offsets: np.ndarray) -> np.ndarray:
    """Where the capitalized tokens of the distinct pieces are among their tokens, in order: found in the pieces
    that lower-casing changes, tokenized as they are written."""
    cased = (pieces != lowered).arg_true().to_numpy()
    lengths = np.diff(offsets)[cased]
    written = pieces.gather(cased).str.extract_all(TOKEN_PATTERN)
    # a piece whose lower case has more or fewer tokens than its written form (a case mapping that adds or drops
    # a letter, which no text seen so far needs) is taken for one without capitals
    aligned = written.list.len().to_numpy() == lengths
    capitalized = written.filter(aligned).explode(empty_as_null=False).str.contains(r"^\p{Lu}.*\p{Ll}").to_numpy()
    return concatenated_ranges(offsets[cased[aligned]], lengths[aligned])[capitalized]


def _lemma_of_category(categories: pl.Series) -> pa.Array:
    """The noun lemma of every string of `categories`, in order: once per distinct token."""
    return _arrow([noun_lemma(name) for name in categories.to_list()]).cast(pa.large_string())


def normalize_series(texts: pl.Series) -> pl.Series:
    """Texts → lists of lemmas as strings; `lemma_streams` with plain strings, for terms and callers outside the shards."""
    return lemma_streams(texts)[0].cast(pl.List(pl.String))


def normalize_text(text: str) -> list[str]:
    """One text's lemmas; the same definition as `normalize_series`, for terms and tests."""
    return normalize_series(pl.Series([text]))[0].to_list()


def normalize_documents(documents: pl.DataFrame) -> pl.DataFrame:
    """Pure core: documents (doc_id, text, and any of UNIT_SCHEMA's other columns) → lemma streams
    (those columns, n_words, lemmas, proper_names)."""
    lemmas, proper_names = lemma_streams(documents["text"])
    return documents.select(pl.exclude("text")).with_columns(n_words=lemmas.list.len().cast(pl.Int32), lemmas=lemmas,
                                                             proper_names=proper_names)


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
