"""Stage 3, synonyms: the lexicon of a class set — each class's terms, normalized like the text.

Terms come from the display name, the WordNet synset's lemma names, and curated additions in
`synonyms/<set>/additions.csv`, minus curated exclusions in `synonyms/<set>/exclusions.csv`. Every
term keeps its origin, and terms shared by several classes are flagged with how many share them.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from .classsets import load_class_set
from .config import RunConfig
from .normalize import normalize_series
from .stage import StageOutput, file_stat, run_stage

SYNONYMS_DIR = Path(__file__).resolve().parent.parent / "synonyms"
ORIGIN_ORDER = ["display_name", "wordnet", "curated"]


def candidate_terms(classes: pl.DataFrame, additions: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every (class_id, text, origin) before normalization."""
    display = classes.select("class_id", text="display_name", origin=pl.lit("display_name"))
    wordnet = (
        classes.select("class_id", text=pl.col("wordnet_lemmas").str.split("|"))
        .explode("text")
        .filter(pl.col("text").str.strip_chars() != "")
        .with_columns(origin=pl.lit("wordnet"))
    )
    parts = [display, wordnet]
    if additions is not None and not additions.is_empty():
        parts.append(additions.select("class_id", text="term", origin=pl.lit("curated")))
    return pl.concat(parts, how="vertical_relaxed")


def build_lexicon(
    classes: pl.DataFrame, additions: pl.DataFrame | None = None, exclusions: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Pure core: class table (+ curation) → (lexicon, terms dropped with the reason).

    The lexicon has one row per (class_id, term): `term` is the normalized form the matcher looks
    for, `text` the first written form, `origins` every source that gave it, `n_classes` how many
    classes of the set share the term.
    """
    raw = candidate_terms(classes, additions)
    raw = raw.with_columns(term=normalize_series(raw["text"]).list.join(" "))
    dropped = raw.filter(pl.col("term") == "").select("class_id", "text", "origin", reason=pl.lit("no word characters"))
    raw = raw.filter(pl.col("term") != "")
    if exclusions is not None and not exclusions.is_empty():
        excluded_terms = exclusions.with_columns(term=normalize_series(exclusions["term"]).list.join(" "))
        removed = raw.join(excluded_terms.select("class_id", "term", "reason"), on=["class_id", "term"], how="inner")
        dropped = pl.concat([dropped, removed.select("class_id", "text", "origin", "reason")])
        raw = raw.join(excluded_terms.select("class_id", "term"), on=["class_id", "term"], how="anti")
    rank = {origin: index for index, origin in enumerate(ORIGIN_ORDER)}
    lexicon = (
        raw.with_columns(rank=pl.col("origin").replace_strict(rank, return_dtype=pl.Int32))
        .sort(["class_id", "term", "rank"])
        .group_by(["class_id", "term"], maintain_order=True)
        .agg(text=pl.col("text").first(), origins=pl.col("origin").unique(maintain_order=True).str.join("|"))
    )
    shared = lexicon.group_by("term").agg(n_classes=pl.col("class_id").n_unique().cast(pl.Int32))
    lexicon = lexicon.join(shared, on="term").with_columns(
        n_tokens=(pl.col("term").str.count_matches(" ") + 1).cast(pl.Int32)
    )
    return lexicon.sort(["class_id", "term"]), dropped


def read_curation(class_set: str, kind: str) -> pl.DataFrame | None:
    path = SYNONYMS_DIR / class_set / f"{kind}.csv"
    return pl.read_csv(path, infer_schema=False) if path.exists() else None


def synonyms(run: RunConfig, force: bool = False):
    curation = [SYNONYMS_DIR / run.class_set / f"{kind}.csv" for kind in ("classes", "additions", "exclusions")]
    files = [file_stat(path) for path in curation if path.exists()]
    if run.classes_file:
        files.append(file_stat(run.classes_file))
    inputs = {"class_set": run.class_set, "files": files}

    def body(output_dir: Path, _digest: str) -> StageOutput:
        classes = load_class_set(run.class_set, run.classes_file)
        lexicon, dropped = build_lexicon(
            classes, read_curation(run.class_set, "additions"), read_curation(run.class_set, "exclusions")
        )
        classes.write_parquet(output_dir / "classes.parquet")
        lexicon.write_parquet(output_dir / "lexicon.parquet")
        dropped.write_parquet(output_dir / "dropped_terms.parquet")
        without_terms = classes.join(lexicon, on="class_id", how="anti").height
        return StageOutput(
            outputs={
                "classes": str(output_dir / "classes.parquet"),
                "lexicon": str(output_dir / "lexicon.parquet"),
                "dropped_terms": str(output_dir / "dropped_terms.parquet"),
            },
            rows={"classes": classes.height, "terms": lexicon.height, "dropped_terms": dropped.height},
            details={"classes_without_terms": without_terms, "shared_terms": lexicon.filter(pl.col("n_classes") > 1).height},
        )

    return run_stage(run.work_dir, "synonyms", inputs, body, force=force)
