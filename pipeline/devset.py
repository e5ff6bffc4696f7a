"""A hand-labelled development set of term occurrences: draw it, show it for labelling, map it onto a run.

An occurrence is a text unit, a class and the term that matched it there. The set is stored as
references only (`source_file` relative to the data folder, `record` as the reader numbers it, `term`,
`class_id`, `label` 1 when the occurrence refers to the class, else 0), never the caption text:

    python -m pipeline.devset sample --run demo --out tests/data/devset.csv   # draws unlabelled rows
    python -m pipeline.devset show --run demo                                 # prints each with its text

Occurrences are drawn from every match of the lexicon's terms, curated exclusions included
(`mentions` and `uncounted_mentions` of the run), so the set does not depend on the curation it judges.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

from .config import RunConfig, load_run
from .errors import ClassfreqError
from .sql import connect, query_frame
from .stage import require_manifest

DEVSET = Path(__file__).resolve().parent.parent / "tests" / "data" / "devset.csv"
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
    return pl.scan_parquet(f"{ingested['outputs']['documents']}/*.parquet").select("doc_id", "source", "record", "text")


def occurrences(run: RunConfig) -> pl.DataFrame:
    """Every (doc_id, source, term, class_id, flagged, n_tokens) the run's lexicon matched, curated or not."""
    with connect(run.database, read_only=True) as connection:
        return query_frame(connection, """
            select doc_id, source, term, class_id, flagged, n_tokens from mentions
            union all
            select doc_id, source, term, class_id, false, n_tokens from uncounted_mentions where status = 'excluded'""")


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


def devset_documents(devset: pl.DataFrame, run: RunConfig) -> pl.DataFrame:
    """The dev set's rows with the run's doc_id of each (source_file, record); rows of absent sources are dropped.

    A dev set file is a run's source when the source's path ends with it (`captions/flickr8k_token.txt`).
    """
    by_file = {file: source.name for file in devset["source_file"].unique().to_list() for source in run.sources
               if source.path is not None and ("/" + source.path.as_posix()).endswith("/" + file)}
    located = devset.with_columns(
        source=pl.col("source_file").replace_strict(by_file, default=None, return_dtype=pl.String)
    ).drop_nulls("source")
    if located.is_empty():
        return located.with_columns(doc_id=pl.lit(None, pl.String))
    docs = documents(run).filter(pl.col("source").is_in(list(by_file.values()))).select("doc_id", "source", "record")
    return located.join(docs.collect(), on=["source", "record"], how="inner")


def show(run: RunConfig, path: Path, start: int, count: int) -> None:
    rows = pl.read_csv(path, schema=DEVSET_SCHEMA).with_row_index("row")
    located = devset_documents(rows.with_columns(label=pl.lit(0, pl.Int8)), run)
    texts = documents(run).filter(pl.col("doc_id").is_in(located["doc_id"].implode())).collect()
    with connect(run.database, read_only=True) as connection:
        classes = query_frame(connection, "select class_id, display_name, gloss from classes")
    table = located.join(texts.select("doc_id", "text"), on="doc_id").join(classes, on="class_id").sort("row")
    for row in table.slice(start, count).iter_rows(named=True):
        print(f"{row['row']:>4} [{row['term']}] -> {row['display_name']} ({row['gloss'][:60]}) :: {row['text']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.devset", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["sample", "show"])
    parser.add_argument("--run", default="demo")
    parser.add_argument("--data", type=Path, default=Path("../shared/data"), help="the data folder source files are relative to")
    parser.add_argument("--out", type=Path, default=DEVSET)
    parser.add_argument("--n", type=int, default=330)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args(argv)
    try:
        run = load_run(args.run)
        if args.command == "sample":
            if args.out.exists():
                raise ClassfreqError(f"{args.out} exists: labels would be lost; give another --out")
            print(f"{sample(run, args.data, args.out, args.n, args.seed).height} occurrences written to {args.out}")
        else:
            show(run, args.out, args.start, args.count)
    except ClassfreqError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
