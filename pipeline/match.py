"""Stage 4, match: lexicon terms found in lemma streams, longest first and never overlapping.

Matching is an n-gram lookup, never a scan per class: for every token that can start a term, the
n-grams that start there are joined against the terms of that length. At each position the longest
term wins, and a match hides the shorter ones inside it ("sea lion" is not also "lion"); where
matches overlap, the leftmost-longest is kept, as a reader would read the text.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from .config import RunConfig
from .parallel import map_shards
from .stage import StageOutput, require_manifest, run_stage

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


def match_lemmas(lemmas: pl.DataFrame, terms: pl.DataFrame) -> pl.DataFrame:
    """Pure core: lemma streams (doc_id, lemmas) × term index → mentions (doc_id, start, n_tokens, term)."""
    flat = lemmas.select(
        "doc_id", pl.col("lemmas").alias("lemma"), pl.int_ranges(pl.col("lemmas").list.len(), dtype=pl.Int32).alias("pos")
    ).explode(["lemma", "pos"]).drop_nulls("lemma")
    if flat.is_empty() or terms.is_empty():
        return pl.DataFrame(schema=MENTION_SCHEMA)
    lemma, position = flat["lemma"], flat["pos"]
    starts = flat.with_row_index("row").filter(pl.col("lemma").is_in(terms["first"].unique().implode()))["row"]
    candidates = []
    for length in sorted(terms["n_tokens"].unique().to_list(), reverse=True):
        rows = starts.filter(starts + length - 1 < len(flat)).cast(pl.Int64)
        if length > 1:
            rows = rows.filter(position.gather(rows + length - 1) == position.gather(rows) + length - 1)
        if rows.is_empty():
            continue
        grams = pl.DataFrame({f"t{k}": lemma.gather(rows + k) for k in range(length)}).select(
            row=rows, term=pl.concat_str(pl.all(), separator=" ")
        )
        found = grams.join(
            terms.filter(pl.col("n_tokens") == length).select("term", "n_tokens"), on="term", how="inner"
        )
        candidates.append(found)
    if not candidates:
        return pl.DataFrame(schema=MENTION_SCHEMA)
    longest = (
        pl.concat(candidates).sort(["row", "n_tokens"], descending=[False, True]).unique("row", keep="first", maintain_order=True)
    )
    kept = _leftmost_longest(longest)
    return kept.select(
        doc_id=flat["doc_id"].gather(kept["row"]),
        start=position.gather(kept["row"]),
        n_tokens=kept["n_tokens"].cast(pl.Int32),
        term=kept["term"],
    )


def _leftmost_longest(candidates: pl.DataFrame) -> pl.DataFrame:
    """Drops matches that overlap an earlier kept one; candidates are sorted by row, one per row."""
    ends = candidates["row"] + candidates["n_tokens"]
    reach = ends.cum_max().shift(1, fill_value=0)
    if (candidates["row"] >= reach).all():
        return candidates
    keep, reach_of_kept = [], -1
    for row, end in zip(candidates["row"].to_list(), ends.to_list()):
        keep.append(row >= reach_of_kept)
        if keep[-1]:
            reach_of_kept = end
    return candidates.filter(pl.Series(keep))


def match_shard(source: str, target: str, terms_path: str) -> int:
    lemmas = pl.read_parquet(source, columns=["doc_id", "lemmas"])
    mentions = match_lemmas(lemmas, pl.read_parquet(terms_path))
    mentions.write_parquet(target)
    return mentions.height


def match(run: RunConfig, force: bool = False):
    normalized = require_manifest(run.work_dir, "normalize", "match")
    lexicon = require_manifest(run.work_dir, "synonyms", "match")
    shards = sorted(Path(normalized["outputs"]["lemmas"]).glob("*.parquet"))
    inputs = {"normalize": normalized["fingerprint"], "synonyms": lexicon["fingerprint"]}

    def body(output_dir: Path, _digest: str) -> StageOutput:
        terms_path = output_dir / "_terms.parquet"
        term_index(pl.read_parquet(lexicon["outputs"]["lexicon"])).write_parquet(terms_path)
        targets = [str(output_dir / shard.name) for shard in shards]
        found = map_shards(match_shard, [str(s) for s in shards], targets, [str(terms_path)] * len(shards),
                           workers=run.option("workers", 0), desc="match")
        terms_path.unlink()
        return StageOutput(outputs={"mentions": str(output_dir)}, rows={"mentions": sum(found)})

    return run_stage(run.work_dir, "match", inputs, body, force=force)
