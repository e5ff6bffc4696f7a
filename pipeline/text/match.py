"""Match: lexicon terms found in lemma streams, longest first and never overlapping.

Matching is an n-gram lookup, never a scan per class. Every lemma that occurs in some term gets a
small integer id (lemmas that can start a term get the lowest ids), every other lemma gets -1; the
terms form a trie over those ids, and all positions that can start a term walk it together, one
lemma per step (a sorted-array lookup per step). At each position the longest term wins, and a
match hides the shorter ones inside it ("sea lion" is not also "lion"); where matches overlap, the
leftmost-longest is kept, as a reader would read the text. Lemma streams are categorical, so each
distinct lemma is looked up once.

A mention shard row is the text unit's columns (doc_id, source, stage, role, conversation_id), the
match (start, n_tokens, term), `proper_name` (a token of the match is one of its text unit's proper-name
tokens, which normalize found from the original case: "Minnie Mouse") and, for flagged terms, `context`:
the class-confirming words present in the same text unit, which the count's `context` policy needs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import polars as pl

from .normalize import UNIT_SCHEMA, list_offsets

MENTION_SCHEMA = {"doc_id": pl.String, "start": pl.Int32, "n_tokens": pl.Int32, "term": pl.String}


def term_index(lexicon: pl.DataFrame) -> pl.DataFrame:
    """The distinct terms (space-joined lemmas) with their length and first lemma."""
    return (
        lexicon.select("term")
        .unique()
        .with_columns(
            n_tokens=pl.col("term").str.count_matches(" ").cast(pl.Int32) + 1,
            first=pl.col("term").str.split(" ").list.first(),
        )
        .sort("term")
    )


@dataclass(frozen=True)
class EncodedTerms:
    """Terms as a trie over lemma ids. `vocabulary[i]` is the lemma with id i; ids below `n_first` can start a term.

    Node 0 is the root and node i + 1 the one reached by first lemma i; deeper edges are `edge_keys` (parent
    node × vocabulary size + lemma id, sorted) leading to `edge_children`. `term_at[node]` is the term that
    ends at a node, or -1.
    """

    vocabulary: pl.Series
    n_first: int
    terms: pl.Series
    edge_keys: np.ndarray
    edge_children: np.ndarray
    term_at: np.ndarray


def encode_terms(terms: pl.DataFrame) -> EncodedTerms:
    words = terms["term"].str.split(" ")
    first = words.list.first().unique(maintain_order=True)
    others = words.explode().unique(maintain_order=True)
    vocabulary = pl.concat([first, others.filter(~others.is_in(first.implode()))])
    ids = words.list.eval(pl.element().replace_strict(vocabulary, _id_range(len(vocabulary)), return_dtype=pl.Int32))
    size = len(vocabulary)
    edges: dict[int, int] = {}
    term_at = [-1] * (len(first) + 1)
    for index, term_ids in enumerate(ids.to_list()):
        node = term_ids[0] + 1
        for lemma in term_ids[1:]:
            key = node * size + lemma
            if key not in edges:
                edges[key] = len(term_at)
                term_at.append(-1)
            node = edges[key]
        term_at[node] = index
    keys = np.array(sorted(edges), dtype=np.int64)
    children = np.array([edges[key] for key in keys.tolist()], dtype=np.int64)
    return EncodedTerms(vocabulary, len(first), terms["term"], keys, children, np.array(term_at, dtype=np.int32))


def _id_range(size: int) -> pl.Series:
    return pl.Series(np.arange(size, dtype=np.int32))


def flat_streams(streams: pl.Series) -> tuple[np.ndarray, pl.Series]:
    """Lists of lemmas as one categorical stream, and where each list starts in it (plus the end).

    Categorical, so that a lemma's id or membership is worked out once per distinct lemma and then
    gathered by category (strings are made categorical here).
    """
    streams = streams.fill_null([])
    return list_offsets(streams.list.len().to_numpy()), streams.explode(empty_as_null=False).cast(pl.Categorical)


def lemma_ids(flat: pl.Series, encoded: EncodedTerms) -> np.ndarray:
    """Each lemma's id in the term vocabulary, -1 for lemmas no term contains; `flat` is categorical."""
    names = flat.dtype.categories.to_series()
    known = names.is_in(encoded.vocabulary.implode())
    id_of_category = np.full(len(names), -1, dtype=np.int32)
    id_of_category[known.arg_true().to_numpy()] = names.filter(known).replace_strict(
        encoded.vocabulary, _id_range(len(encoded.vocabulary)), return_dtype=pl.Int32
    ).to_numpy()
    return id_of_category[flat.to_physical().to_numpy()]


def find_terms(ids: np.ndarray, offsets: np.ndarray, encoded: EncodedTerms) -> tuple[np.ndarray, np.ndarray]:
    """Leftmost-longest, non-overlapping matches in a flat id stream whose documents start at `offsets`.

    Every position that can start a term walks the trie at once, one lemma per step, while it stays in
    its document and on an edge; the last term passed is the longest starting there.
    Returns (positions in the flat stream, term indices), sorted by position.
    """
    starts = np.flatnonzero((ids >= 0) & (ids < encoded.n_first))
    document_end = offsets[np.searchsorted(offsets, starts, side="right")]
    nodes = ids[starts].astype(np.int64) + 1
    longest_term = encoded.term_at[nodes]
    longest_length = np.where(longest_term >= 0, 1, 0).astype(np.int32)
    walking = np.arange(len(starts))  # the starts still on a trie path, and the node each has reached
    size = len(encoded.vocabulary)
    length = 1
    while len(walking) and len(encoded.edge_keys):
        positions = starts[walking] + length
        inside = positions < document_end[walking]
        walking, nodes, following = walking[inside], nodes[inside], ids[positions[inside]]
        in_terms = following >= 0
        walking, nodes, following = walking[in_terms], nodes[in_terms], following[in_terms]
        keys = nodes * size + following
        slots = np.minimum(np.searchsorted(encoded.edge_keys, keys), len(encoded.edge_keys) - 1)
        on_edge = encoded.edge_keys[slots] == keys
        walking, nodes = walking[on_edge], encoded.edge_children[slots[on_edge]]
        length += 1
        ending = encoded.term_at[nodes]
        longest_term[walking[ending >= 0]] = ending[ending >= 0]
        longest_length[walking[ending >= 0]] = length
    found = longest_length > 0
    positions, lengths, term_indices = starts[found], longest_length[found], longest_term[found]
    keep = _leftmost_longest(positions, positions + lengths)
    return positions[keep], term_indices[keep]


def _leftmost_longest(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Which sorted, one-per-position matches survive: each one that begins after the last kept one ends."""
    reach = np.concatenate([[0], np.maximum.accumulate(ends)[:-1]]) if len(ends) else ends
    keep = starts >= reach  # past every earlier match's end: kept whatever was decided before
    for index in np.flatnonzero(~keep):  # overlaps are rare; settle them in order
        previous = index - 1
        while not keep[previous]:
            previous -= 1
        keep[index] = starts[index] >= ends[previous]
    return keep


def match_lemmas(lemmas: pl.DataFrame, terms: pl.DataFrame) -> pl.DataFrame:
    """Pure core: lemma streams (doc_id, lemmas) × term index → mentions (doc_id, start, n_tokens, term).

    Any other columns of the text units but `n_words` and `proper_names` (source, stage, role, conversation_id)
    come along.
    """
    offsets, flat = flat_streams(lemmas["lemmas"])
    units = lemmas.select(pl.exclude("lemmas", "n_words", "proper_names"))
    if offsets[-1] == 0 or terms.is_empty():
        return units.clear().with_columns(**{name: pl.lit(None, dtype) for name, dtype in MENTION_SCHEMA.items() if name != "doc_id"})
    encoded = encode_terms(terms)
    positions, term_indices = find_terms(lemma_ids(flat, encoded), offsets, encoded)
    documents = np.searchsorted(offsets, positions, side="right") - 1
    terms_found = encoded.terms.gather(term_indices)
    return units[documents].with_columns(
        start=pl.Series((positions - offsets[documents]).astype(np.int32)),
        n_tokens=(terms_found.str.count_matches(" ") + 1).cast(pl.Int32),
        term=terms_found,
    )


def with_proper_names(lemmas: pl.DataFrame, mentions: pl.DataFrame) -> pl.DataFrame:
    """Pure core: mentions plus `proper_name`, whether a token of the mention's span [start, start + n_tokens) is
    one of its text unit's proper-name tokens (`proper_names` of the lemma streams): few text units have any, so
    only theirs are looked at."""
    names = (lemmas.select("doc_id", position="proper_names")
             .filter(pl.col("position").list.len() > 0).explode("position"))
    named_rows = (
        mentions.select("doc_id", "start", "n_tokens").with_row_index("row")
        .join(names, on="doc_id")
        .filter(pl.col("position") >= pl.col("start"), pl.col("position") < pl.col("start") + pl.col("n_tokens"))
        ["row"]
    )
    return mentions.with_columns(proper_name=pl.int_range(pl.len(), dtype=pl.UInt32).is_in(named_rows.implode()))


def with_context_words(lemmas: pl.DataFrame, mentions: pl.DataFrame, term_context: pl.DataFrame) -> pl.DataFrame:
    """Pure core: mentions plus `context`, for a flagged term the words of `term_context` (term, word: the context
    words of the term's classes) that occur in the mention's text unit; null for other terms.

    The `context` policy looks at nothing else, so the count never reads the lemma streams again.
    """
    flagged = pl.col("term").is_in(term_context["term"].implode())
    flagged_mentions = mentions.filter(flagged).select("doc_id", "start", "term")
    chosen = lemmas.select("doc_id", "lemmas").filter(pl.col("doc_id").is_in(flagged_mentions["doc_id"].implode()))
    offsets, flat = flat_streams(chosen["lemmas"])
    names = flat.dtype.categories.to_series()
    is_context = names.is_in(term_context["word"].implode()).fill_null(False).to_numpy()
    categories = flat.to_physical().to_numpy()
    positions = np.flatnonzero(is_context[categories])
    # distinct (text unit, word) pairs as one integer each: far fewer rows to build
    keys = (np.searchsorted(offsets, positions, side="right") - 1).astype(np.int64) << 32 | categories[positions]
    pairs = pl.Series(keys, dtype=pl.Int64).unique().to_numpy()
    present = pl.DataFrame({"doc_id": chosen["doc_id"].gather(pairs >> 32), "word": names.gather(pairs & 0xFFFFFFFF)})
    found = (
        flagged_mentions
        .join(term_context, on="term")
        .join(present, on=["doc_id", "word"], how="semi")
        .group_by("doc_id", "start")
        .agg(pl.col("word").unique().sort())
    )
    return (
        mentions.join(found, on=["doc_id", "start"], how="left", maintain_order="left")
        .select(*mentions.columns, context=pl.when(flagged).then(pl.col("word").fill_null([])))
    )


#: How many lemmas on each side of a flagged mention are its sense model's window (Yarowsky's ±k).
SENSE_WINDOW = 8


@functools.cache
def _stop_words() -> pl.Series:
    from spacy.lang.en.stop_words import STOP_WORDS

    return pl.Series(sorted(STOP_WORDS), dtype=pl.String)


def window_features(offsets: np.ndarray, flat: pl.Series, units: np.ndarray, begin: np.ndarray, end: np.ndarray,
                    own: pl.Series) -> pl.DataFrame:
    """(m, feature) for the k-th occurrence m spanning flat positions [begin, end) in text unit `units[m]`: the
    content lemmas within :data:`SENSE_WINDOW` on either side (no stop words, none under three letters, no digits,
    not a word of `own[m]`) and the neighbours `L:<lemma before>`, `R:<lemma after>` (`L:^`, `R:$` at the edges of
    the text unit). Vectorized: one gather over all windows at once."""
    low, high = offsets[units], offsets[units + 1]
    steps = np.arange(-SENSE_WINDOW, SENSE_WINDOW)
    positions = np.where(steps < 0, begin[:, None] + steps, end[:, None] + steps)
    inside = (positions >= low[:, None]) & (positions < high[:, None])
    names = flat.dtype.categories.to_series() if len(flat) else pl.Series([], dtype=pl.String)
    categories = flat.to_physical().to_numpy()
    mention_index, column = np.nonzero(inside)
    window = categories[positions[mention_index, column]]
    # content words: decided once per distinct lemma of the windows, not for every category there is
    seen, where = np.unique(window, return_inverse=True)
    words = names.gather(seen)
    content = (~words.is_in(_stop_words().implode()) & (words.str.len_chars() > 2)
               & ~words.str.contains(r"^\d+$")).fill_null(False).to_numpy()
    keep = content[where]
    pairs = pl.DataFrame({"m": mention_index[keep].astype(np.int64), "c": window[keep]}).unique()
    bag = pl.DataFrame({"m": pairs["m"], "feature": names.gather(pairs["c"])})

    def neighbour(where: np.ndarray, prefix: str, edge: str) -> pl.DataFrame:
        words = names.gather(categories[np.maximum(where, 0)]) if len(categories) else pl.Series([""] * len(where))
        return pl.DataFrame({"m": np.arange(len(where), dtype=np.int64), "word": words, "edge": where < 0}).select(
            "m", feature=pl.when("edge").then(pl.lit(prefix + edge)).otherwise(pl.lit(prefix) + pl.col("word")))

    words = pl.DataFrame({"m": np.arange(len(units), dtype=np.int64), "own": own.str.split(" ")})
    return (
        pl.concat([bag, neighbour(np.where(begin > low, begin - 1, -1), "L:", "^"),
                   neighbour(np.where(end < high, end, -1), "R:", "$")])
        .join(words, on="m")
        .filter(~pl.col("own").list.contains(pl.col("feature")))
        .select("m", "feature")
    )


def with_sense_features(lemmas: pl.DataFrame, mentions: pl.DataFrame, flagged_terms: pl.Series) -> pl.DataFrame:
    """Pure core: mentions plus `features`, for a mention of a flagged term what its sense model reads (see
    :func:`window_features`); null for other terms."""
    flagged = mentions.with_row_index("row").filter(pl.col("term").is_in(flagged_terms.implode()))
    if flagged.is_empty():
        return mentions.with_columns(features=pl.lit(None, pl.List(pl.String)))
    chosen = lemmas.select("doc_id", "lemmas").filter(pl.col("doc_id").is_in(flagged["doc_id"].implode()))
    offsets, flat = flat_streams(chosen["lemmas"])
    unit = flagged.join(chosen.select("doc_id").with_row_index("unit"), on="doc_id", how="left", maintain_order="left")
    units = unit["unit"].to_numpy().astype(np.int64)
    begin = offsets[units] + unit["start"].to_numpy().astype(np.int64)
    end = begin + unit["n_tokens"].to_numpy().astype(np.int64)
    features = window_features(offsets, flat, units, begin, end, unit["term"]).group_by("m").agg(
        pl.col("feature").unique().sort())
    rows = unit.select("row").with_columns(m=pl.int_range(pl.len(), dtype=pl.Int64)).join(features, on="m", how="left")
    return (
        mentions.with_row_index("row")
        .join(rows.select("row", "feature"), on="row", how="left", maintain_order="left")
        .select(*mentions.columns, features=pl.col("feature"))
    )


#: At most this many occurrences of each relative word per shard lend their windows to the sense model, found in
#: the shard's first RELATIVE_SPAN lemmas (every lemma of the demo's shards): the cost per shard is bounded, whatever the corpus.
RELATIVE_CAP = 20
RELATIVE_SPAN = 1_000_000


def relative_contexts(lemmas: pl.DataFrame, relatives: pl.Series, cap: int = RELATIVE_CAP,
                      span: int = RELATIVE_SPAN) -> pl.DataFrame:
    """Pure core: (relative, feature, n) — for the first `cap` occurrences within the first `span` lemmas of this
    shard (whole text units) of each single-word seed of
    the sense model (`relatives`), how many of their windows hold each feature (see :func:`window_features`), and
    the feature `#` counting the occurrences themselves. The sense model learns from them what the text around
    each sense's relatives looks like in this corpus (Leacock, Chodorow and Miller 1998: monosemous relatives)."""
    empty = pl.DataFrame(schema={"relative": pl.String, "feature": pl.String, "n": pl.UInt32})
    if relatives.is_empty():
        return empty
    lengths = lemmas["lemmas"].list.len().fill_null(0).to_numpy()
    n_units = int(np.searchsorted(np.cumsum(lengths), span, side="right")) + 1
    offsets, flat = flat_streams(lemmas["lemmas"].head(n_units))
    if offsets[-1] == 0:
        return empty
    names = flat.dtype.categories.to_series()
    is_relative = names.is_in(relatives.implode()).fill_null(False).to_numpy()
    categories = flat.to_physical().to_numpy()
    positions = np.flatnonzero(is_relative[categories])
    if not len(positions):
        return empty
    found = pl.DataFrame({"position": positions, "c": categories[positions]}).with_columns(
        rank=pl.int_range(pl.len()).over("c")).filter(pl.col("rank") < cap)
    positions = found["position"].to_numpy()
    units = (np.searchsorted(offsets, positions, side="right") - 1).astype(np.int64)
    words = names.gather(found["c"])
    features = window_features(offsets, flat, units, positions, positions + 1, words)
    occurrences = pl.DataFrame({"m": np.arange(len(positions), dtype=np.int64), "relative": words})
    return (
        pl.concat([features, occurrences.select("m", feature=pl.lit("#"))])
        .join(occurrences, on="m")
        .group_by("relative", "feature").agg(n=pl.len())
    )


def mention_shard(lemmas: pl.DataFrame, terms: pl.DataFrame, term_context: pl.DataFrame,
                  flagged_terms: pl.Series | None = None, relatives: pl.Series | None = None) -> tuple[pl.DataFrame, int]:
    """A shard of lemma streams → its mentions with their proper-name flags, context words and sense features, and
    how many there are.

    The windows of the sense model's relatives (:func:`relative_contexts`) ride in the same shard as rows with no
    term (and no doc_id): `relative`, and `features` holding `n` copies-worth as `relative_n`."""
    flagged_terms = term_context["term"].unique() if flagged_terms is None else flagged_terms
    mentions = with_proper_names(lemmas, match_lemmas(lemmas, terms))
    mentions = with_context_words(lemmas, mentions, term_context)
    mentions = with_sense_features(lemmas, mentions, flagged_terms).with_columns(
        relative=pl.lit(None, pl.String), relative_feature=pl.lit(None, pl.String), relative_n=pl.lit(None, pl.UInt32))
    if relatives is not None and not relatives.is_empty():
        contexts = relative_contexts(lemmas, relatives)
        rows = contexts.select(relative="relative", relative_feature="feature", relative_n="n")
        mentions = pl.concat([mentions, rows], how="diagonal_relaxed")
    n_mentions = mentions["term"].is_not_null().sum()
    return mentions, n_mentions


def warm_up() -> None:
    """A two-term match in memory: a worker pays for its first call of these kernels before its first shard."""
    lemmas = pl.DataFrame({**{name: ["a"] for name in UNIT_SCHEMA}, "lemmas": [["sea", "lion", "swim"]],
                           "proper_names": [[0]]})
    terms = term_index(pl.DataFrame({"term": ["sea lion", "lion"]}))
    mention_shard(lemmas, terms, pl.DataFrame({"term": ["lion"], "word": ["swim"]}))


def parent_matches(lemmas: pl.DataFrame, lexicon: pl.DataFrame, parents: pl.DataFrame) -> pl.DataFrame:
    """Pure core: matches of the classes' hypernym terms (UNIT_SCHEMA's columns, term) in lemma streams.

    Class terms are matched too, so a class name hides the parent inside it ("tabby cat" is not
    also "cat"); only the parent matches are returned.
    """
    index = term_index(pl.concat([lexicon.select("term"), parents.select("term")]))
    found = match_lemmas(lemmas, index)
    return found.filter(pl.col("term").is_in(parents["term"].unique().implode())).select(*UNIT_SCHEMA, "term")


def parent_matches_in_shards(lemma_files: list[str], lexicon: pl.DataFrame, parents: pl.DataFrame) -> pl.DataFrame:
    """`parent_matches` over lemma-stream shards, one at a time; no rows (but the columns) without shards."""
    found = [parent_matches(pl.read_parquet(path, columns=[*UNIT_SCHEMA, "lemmas"]), lexicon, parents)
             for path in lemma_files]
    return pl.concat(found) if found else pl.DataFrame(schema={**UNIT_SCHEMA, "term": pl.String})


def term_context(lexicon: pl.DataFrame, class_context: pl.DataFrame) -> pl.DataFrame:
    """(term, word): for each flagged term, the context words of the classes it is flagged for."""
    return (
        lexicon.filter(pl.col("flagged").fill_null(False)).select("class_id", "term")
        .join(class_context.select("class_id", "word"), on="class_id")
        .select("term", "word").unique().sort("term", "word")
    )


def relative_words(sense_seeds: pl.DataFrame) -> pl.Series:
    """The single-word seeds of the sense model, whose windows in the corpus the match stage collects."""
    return sense_seeds.filter(~pl.col("feature").str.contains(":"))["feature"].unique().sort()


def flagged_terms(lexicon: pl.DataFrame) -> pl.Series:
    """The distinct terms some class counts with a flag: the mentions that get sense features."""
    return lexicon.filter(pl.col("flagged").fill_null(False), pl.col("status") == "counted")["term"].unique().sort()
