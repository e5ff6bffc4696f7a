"""A hand-labelled development set of term occurrences: draw it, show it for labelling, map it onto a run.

An occurrence is a text unit, a class and the term that matched it there. The set is stored as
references only (`source_file` relative to the data folder, `record` as the reader numbers it, `term`,
`class_id`, `label` 1 when the occurrence refers to the class, else 0), never the caption text:

    classfreq devset sample --run demo --out new-devset.csv   # draws unlabelled rows
    classfreq devset show --run demo                          # prints each with its text

Occurrences are drawn from every match of the lexicon's terms, curated exclusions included
(`mentions` and `uncounted_mentions` of the run), so the set does not depend on the curation it judges.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ..core.config import RunConfig
from ..core.errors import ClassfreqError
from ..core.paths import DEVSET
from ..core.sql import connect, sql_frame
from ..core.stage import require_manifest

DEVSET_SCHEMA = {"source_file": pl.String, "record": pl.Int64, "term": pl.String, "class_id": pl.String, "label": pl.Int8}
CAPTION_SOURCES = ("coco_val2017", "flickr8k", "cc3m_val")


def source_files(run: RunConfig, data_dir: Path) -> dict[str, str]:
    """Run source name → its file relative to the data folder (how the dev set names it)."""
    files = {}
    for source in run.sources:
        if source.path is not None:
            try:
                files[source.name] = source.path.resolve().relative_to(data_dir.resolve()).as_posix()
            except ValueError:
                files[source.name] = source.path.name
    return files


def documents(run: RunConfig) -> pl.LazyFrame:
    ingested = require_manifest(run.work_dir, "ingest", "devset")
    return pl.scan_parquet(f"{ingested['outputs']['documents']}/*.parquet").select("doc_id", "source", "record", "turn",
                                                                                    "text")


def occurrences(run: RunConfig) -> pl.DataFrame:
    """Every (doc_id, source, term, class_id, flagged, n_tokens) the run's lexicon matched, curated or not."""
    with connect(run.database, read_only=True) as connection:
        return sql_frame(connection, "devset/occurrences")


def draw(found: pl.DataFrame, flagged: int, plural_or_compound: int, other: int, seed: int) -> pl.DataFrame:
    """Pure core: a stratified random draw — occurrences of flagged terms, of multi-word terms or inflected
    forms (`inflected` marks a surface form that differs from the term), and of the other terms."""
    distinct = found.unique(["doc_id", "term", "class_id"]).sort(["doc_id", "term", "class_id"])
    strata = [
        distinct.filter("flagged"),
        distinct.filter(~pl.col("flagged"), (pl.col("n_tokens") > 1) | pl.col("inflected")),
        distinct.filter(~pl.col("flagged"), pl.col("n_tokens") == 1, ~pl.col("inflected")),
    ]
    picked = [stratum.sample(min(n, stratum.height), seed=seed) for stratum, n in zip(strata, (flagged, plural_or_compound, other))]
    return pl.concat(picked)


def sample(run: RunConfig, data_dir: Path, out: Path, n: int, seed: int) -> pl.DataFrame:
    found = occurrences(run).filter(pl.col("source").is_in(CAPTION_SOURCES))
    texts = documents(run).filter(pl.col("doc_id").is_in(found["doc_id"].unique().implode())).collect()
    found = found.join(texts.select("doc_id", "record", "text"), on="doc_id")
    # an inflected form: the caption does not contain the term as written ("geese" for goose)
    found = found.with_columns(inflected=~pl.col("text").str.to_lowercase().str.contains(pl.col("term"), literal=True))
    drawn = draw(found, flagged=n * 2 // 3, plural_or_compound=n // 6, other=n - n * 2 // 3 - n // 6, seed=seed)
    files = source_files(run, data_dir)
    rows = drawn.select(source_file=pl.col("source").replace_strict(files), record="record", term="term",
                        class_id="class_id", label=pl.lit(None, pl.Int8)).sort(["source_file", "record", "term"])
    rows.write_csv(out)
    return rows


def read_devset(path: Path = DEVSET) -> pl.DataFrame:
    if not path.exists():
        raise ClassfreqError(f"no development set at {path}")
    frame = pl.read_csv(path, schema=DEVSET_SCHEMA)
    unlabelled = frame.filter(pl.col("label").is_null() | ~pl.col("label").is_in([0, 1]))
    if unlabelled.height:
        first = unlabelled.row(0, named=True)
        raise ClassfreqError(f"{path}: {unlabelled.height} rows without a 0/1 label, e.g. {first['source_file']} "
                             f"record {first['record']} term {first['term']!r}")
    return frame


def locate_text_units(references: pl.DataFrame, run: RunConfig) -> pl.DataFrame:
    """Rows that name text units by (source_file, record[, turn]) with the run's doc_id of each; rows of
    sources the run does not read are dropped. A file is a run's source when the source's path ends with it
    (`captions/flickr8k_token.txt`); without a `turn` column, a record's text units all match."""
    by_file = {file: source.name for file in references["source_file"].unique().to_list() for source in run.sources
               if source.path is not None and ("/" + source.path.as_posix()).endswith("/" + file)}
    located = references.with_columns(
        source=pl.col("source_file").replace_strict(by_file, default=None, return_dtype=pl.String)
    ).drop_nulls("source")
    if located.is_empty():
        return located.with_columns(doc_id=pl.lit(None, pl.String))
    keys = ["source", "record", *(["turn"] if "turn" in references.columns else [])]
    docs = documents(run).filter(pl.col("source").is_in(list(by_file.values()))).select("doc_id", *keys)
    return located.join(docs.collect(), on=keys, how="inner")


def show(run: RunConfig, path: Path, start: int, count: int) -> None:
    rows = pl.read_csv(path, schema=DEVSET_SCHEMA).with_row_index("row")
    located = locate_text_units(rows.with_columns(label=pl.lit(0, pl.Int8)), run)
    texts = documents(run).filter(pl.col("doc_id").is_in(located["doc_id"].implode())).collect()
    with connect(run.database, read_only=True) as connection:
        classes = sql_frame(connection, "devset/class_glosses")
    table = located.join(texts.select("doc_id", "text"), on="doc_id").join(classes, on="class_id").sort("row")
    for row in table.slice(start, count).iter_rows(named=True):
        print(f"{row['row']:>4} [{row['term']}] -> {row['display_name']} ({row['gloss'][:60]}) :: {row['text']}")
