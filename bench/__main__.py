"""`make bench` (`python -m bench`): production vs the spaCy baseline vs the tokenize-only floor, on resampled real text.

For each corpus, `--repeat` times in turn: the production path end to end (ingest → normalize → match →
count, all cores) in a fresh process of its own, timed with the peak memory of that process and its
workers; the floor (lower-case + tokenize, nothing else, one process) over the same ingested texts; the
baseline (spaCy `nlp.pipe` + Python n-gram lookup) on `--baseline-texts` texts spread over the corpus,
because at its speed the whole corpus would take hours. The medians are reported (every production run's
time beside), and the highest peak. Then the per-document reference on `--check-texts` such texts,
which must find exactly production's mentions; and how often spaCy's tokenizer splits a text
differently from production.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

from pipeline.core.config import RunConfig, RunOptions, parse_run
from pipeline.executors.local import worker_count
from pipeline.text.normalize import TOKEN_PATTERN

from .baseline import baseline_mentions, spacy_lemmatizer, tokenization_differences
from .corpus import load_pools, write_captions, write_mixture
from .isolated import build_lexicon, in_fresh_process, measured_run
from .reference import reference_mentions
from .runs import median_run

PRODUCTION_STAGES = ["ingest", "normalize", "match", "count"]
REPOSITORY = Path(__file__).resolve().parents[1]
RESULTS = REPOSITORY / "bench" / "results"


def generate(kind: str, size: int, folder: Path, data: Path) -> Path:
    """The corpus folder, generated once (a `done` marker guards against a half-written one)."""
    target = folder / f"{kind}-{size}"
    if not (target / "done").exists():
        target.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        pools = load_pools(data)
        if kind == "captions":
            write_captions(target / "captions.tsv", size, pools)
        else:
            write_mixture(target, size, pools)
        (target / "done").write_text("")
        print(f"  generated {kind} corpus of {size:,} records in {time.perf_counter() - started:.0f}s: {target}", flush=True)
    return target


def corpus_sources(kind: str, folder: Path) -> list[dict]:
    if kind == "captions":
        return [{"name": "captions", "stage": "pretrain", "format": "tsv", "path": str(folder / "captions.tsv"),
                 "header": False, "text_field": 0}]
    return [
        {"name": "pretrain", "stage": "pretrain", "format": "llava", "path": str(folder / "blip_laion_cc_sbu_558k.json")},
        {"name": "instruct", "stage": "instruct", "format": "llava", "path": str(folder / "llava_v1_5_mix665k.json")},
    ]


def shard_files(manifest: dict, output: str) -> list[Path]:
    return sorted(p for p in Path(manifest["outputs"][output]).glob("*.parquet") if p.name != "rejects.parquet")


def floor_pass(document_files: list[Path]) -> tuple[int, float]:
    """Words and seconds of lower-case + tokenize alone, shard by shard, reading excluded from the time."""
    words, seconds = 0, 0.0
    for path in document_files:
        texts = pl.read_parquet(path, columns=["text"])["text"]
        started = time.perf_counter()
        words += int(texts.str.to_lowercase().str.extract_all(TOKEN_PATTERN).list.len().sum() or 0)
        seconds += time.perf_counter() - started
    return words, seconds


def sample_texts(document_files: list[Path], count: int, total: int) -> pl.DataFrame:
    """About `count` texts drawn over the whole corpus by a hash of their id (every k-th row would pick only
    questions or only answers of the conversations)."""
    step = max(1, total // count)
    return (
        pl.scan_parquet(document_files).select("doc_id", "text")
        .filter(pl.col("doc_id").hash(seed=7) % step == 0).head(count).collect()
    )


def production_run(kind: str, size: int, args: argparse.Namespace) -> RunConfig:
    folder = generate(kind, size, args.out / "corpora", args.data)
    return parse_run({
        "name": f"bench-{kind}-{size}",
        "class_set": "imagenet1k",
        "options": {"workers": args.workers, "shard_size": args.shard_size},
        "sources": corpus_sources(kind, folder),
    })


def measure(kind: str, size: int, args: argparse.Namespace, nlp) -> dict:
    """Production, floor and baseline on one corpus, `args.repeat` times in turn, then the checks on the last run.

    Each production run is timed in a fresh process with its peak memory. The three measurements alternate so that
    a change in the machine's speed (it shares its cores) reaches all three alike: measured one after the other,
    minutes apart, the floor and the baseline once ran 30% slower than during the production runs.
    """
    run = production_run(kind, size, args)
    lexicon = in_fresh_process(build_lexicon, run)  # once per class set, not per corpus: outside the timing
    terms = set(pl.read_parquet(lexicon["outputs"]["lexicon"])["term"].unique().to_list())
    runs, floors, baselines, sample = [], [], [], None
    for _ in range(args.repeat):
        runs.append(in_fresh_process(measured_run, run, PRODUCTION_STAGES))
        manifests = runs[-1][2]  # its outputs are on disk until the next forced run replaces them
        documents = shard_files(manifests["ingest"], "documents")
        floor_words, floor_seconds = floor_pass(documents)
        assert floor_words == manifests["normalize"]["rows"]["words"], f"the floor counted {floor_words} words"
        floors.append(floor_seconds)
        if sample is None:
            sample = sample_texts(documents, args.baseline_texts, sum(manifests["ingest"]["rows"].values()))
        started = time.perf_counter()
        found, baseline_words = baseline_mentions(nlp, sample["doc_id"].to_list(), sample["text"].to_list(), terms)
        baselines.append((time.perf_counter() - started, found, baseline_words))
        print(f"  run {len(runs)}: production {runs[-1][0]:.1f}s, floor {floor_seconds:.2f}s, "
              f"baseline {baselines[-1][0]:.2f}s on {sample.height:,} texts", flush=True)

    seconds, memory, timed = median_run(runs)
    words = manifests["normalize"]["rows"]["words"]
    texts = sum(manifests["ingest"]["rows"].values())
    floor_seconds = statistics.median_low(floors)  # the same rule as median_run
    baseline_seconds, baseline_found, baseline_words = median_run(baselines)
    peak_total, peak_main = max(run[1]["total"] for run in runs), max(run[1]["main"] for run in runs)
    result = {
        "corpus": kind, "records": sum(source["records"] for source in manifests["ingest"]["details"]["sources"]),
        "texts": texts, "words": words, "workers": worker_count(args.workers),
        "stage_seconds": {stage: timed[stage]["seconds"] for stage in PRODUCTION_STAGES},
        "production": {"seconds": seconds, "words_per_s": words / seconds, "texts_per_s": texts / seconds,
                       "runs_seconds": [run[0] for run in runs],
                       "peak_rss_total": peak_total, "peak_rss_main": peak_main},
        "floor": {"seconds": floor_seconds, "words_per_s": words / floor_seconds, "processes": 1, "runs_seconds": floors},
        "baseline": {"texts": sample.height, "words": baseline_words, "seconds": baseline_seconds,
                     "words_per_s": baseline_words / baseline_seconds, "texts_per_s": sample.height / baseline_seconds,
                     "runs_seconds": [baseline[0] for baseline in baselines]},
    }
    print(f"  production: {seconds:.1f}s (median), {words / seconds / 1e6:.2f} M words/s, peak RSS "
          f"{peak_total / 2**30:.2f} GiB over the runs (their process {peak_main / 2**30:.2f} GiB; "
          f"{memory['before'] / 2**30:.2f} GiB before the median run)", flush=True)
    check(result, manifests, documents, sample, baseline_found, terms, nlp, args)
    return result


def check(result: dict, manifests: dict, documents: list[Path], sample: pl.DataFrame, baseline_found: list,
          terms: set[str], nlp, args: argparse.Namespace) -> None:
    """The reference check and the tokenization differences on the last run's outputs (`documents` its shards),
    added to `result`."""
    production_tokens = sample["text"].str.to_lowercase().str.extract_all(TOKEN_PATTERN).to_list()
    differing, examples = tokenization_differences(nlp, sample["text"].to_list(), production_tokens)
    mentions = pl.scan_parquet(shard_files(manifests["match"], "mentions"))
    in_sample = mentions.filter(pl.col("doc_id").is_in(sample["doc_id"].implode())).collect()
    baseline_terms = {(doc, term) for doc, _start, _n, term in baseline_found}
    production_terms = set(in_sample.select("doc_id", "term").iter_rows())
    result["tokenization"] = {
        "texts": sample.height, "differing_texts": differing, "examples": examples,
        "baseline_mentions": len(baseline_found), "production_mentions_same_texts": in_sample.height,
        "doc_terms_only_baseline": len(baseline_terms - production_terms),
        "doc_terms_only_production": len(production_terms - baseline_terms),
    }

    check_texts = sample_texts(documents, args.check_texts, result["texts"])
    expected = sorted(reference_mentions(check_texts.iter_rows(), terms))
    found = (mentions.filter(pl.col("doc_id").is_in(check_texts["doc_id"].implode()))
             .select("doc_id", "start", "n_tokens", "term").sort("doc_id", "start").collect().rows())
    result["reference"] = {"texts": check_texts.height, "mentions": len(expected), "identical": found == expected}


def ratio_table(results: list[dict]) -> str:
    lines = [
        "| corpus | records | texts | words | workers | production s, median (ingest+normalize+match+count) | every run s "
        "| M words/s | k texts/s "
        "| normalize+match M words/s | peak RSS GiB (tree / main) "
        "| baseline M words/s | floor M words/s (1 proc) | prod/baseline | prod/floor | reference = production |",
        "|---|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        p, b, f = r["production"], r["baseline"], r["floor"]
        lines.append(
            f"| {r['corpus']} | {r['records']:,} | {r['texts']:,} | {r['words']:,} | {r['workers']} | {p['seconds']:.1f} "
            f"({'+'.join(f'{s:.1f}' for s in r['stage_seconds'].values())}) "
            f"| {', '.join(f'{s:.1f}' for s in p['runs_seconds'])} "
            f"| {p['words_per_s'] / 1e6:.2f} | {p['texts_per_s'] / 1e3:.0f} "
            f"| {r['words'] / (r['stage_seconds']['normalize'] + r['stage_seconds']['match']) / 1e6:.2f} "
            f"| {p['peak_rss_total'] / 2**30:.2f} / {p['peak_rss_main'] / 2**30:.2f} | {b['words_per_s'] / 1e6:.3f} "
            f"| {f['words_per_s'] / 1e6:.2f} | {p['words_per_s'] / b['words_per_s']:.0f}x | {p['words_per_s'] / f['words_per_s']:.2f}x "
            f"| {'yes' if r['reference']['identical'] else 'NO'} ({r['reference']['mentions']:,} mentions in {r['reference']['texts']:,} texts) |"
        )
    return "\n".join(lines)


def around_first_difference(tokens: list[str], other: list[str], context: int = 4) -> str:
    at = next((i for i, (a, b) in enumerate(zip(tokens, other)) if a != b), min(len(tokens), len(other)))
    return " ".join(["…"] * (at > context) + tokens[max(0, at - context):at + context])


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("DEMO_DATA", REPOSITORY.parent / "shared" / "data")))
    parser.add_argument("--out", type=Path, default=REPOSITORY / "work" / "bench")
    parser.add_argument("--captions", default="1000000,5000000", help="caption-only corpus sizes (captions), comma-separated")
    parser.add_argument("--mixture", default="1200000", help="LLaVA-like mixture sizes (records), comma-separated")
    parser.add_argument("--baseline-texts", type=int, default=20_000)
    parser.add_argument("--check-texts", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=0, help="0 = all cores")
    parser.add_argument("--shard-size", type=int, default=RunOptions().shard_size)
    parser.add_argument("--repeat", type=positive, default=3,
                        help="production runs, floor and baseline passes per corpus, in turn; the medians are reported, "
                             "and the highest peak RSS")
    args = parser.parse_args()
    os.environ.setdefault("CLASSFREQ_WORK", str(args.out / "work"))
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}; load average before: "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
    corpora = [("captions", int(n)) for n in args.captions.split(",") if n] + [
        ("mixture", int(n)) for n in args.mixture.split(",") if n]
    for kind, size in corpora:  # generating reads the whole data pool: not inside any measurement
        generate(kind, size, args.out / "corpora", args.data)
    nlp = spacy_lemmatizer()
    results = []
    for kind, size in corpora:
        print(f"{kind} {size:,}:", flush=True)
        result = measure(kind, size, args, nlp)
        results.append(result)
        tokenization = result["tokenization"]
        print(f"  tokenization: {tokenization['differing_texts']:,} of {tokenization['texts']:,} texts split differently "
              f"by spaCy; (doc, term) pairs only baseline {tokenization['doc_terms_only_baseline']}, only production "
              f"{tokenization['doc_terms_only_production']}", flush=True)
        for _text, theirs, ours in tokenization["examples"][:3]:
            print(f"    spaCy: {around_first_difference(theirs, ours)}\n    ours:  {around_first_difference(ours, theirs)}")
    load_after = os.getloadavg()
    print(f"load average after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    table = ratio_table(results)
    print(table)
    (args.out / "results.json").write_text(json.dumps(results, indent=2))
    print(f"details: {args.out / 'results.json'}")
    page = results_page(table, sys.argv[1:], load, load_after)
    RESULTS.mkdir(parents=True, exist_ok=True)
    for name in (f"{time.strftime('%Y-%m-%d', time.gmtime())}-{commit()}.md", "latest.md"):
        (RESULTS / name).write_text(page, encoding="utf-8")
    print(f"results: {RESULTS / 'latest.md'}")


def commit() -> str:
    """The checked-out commit, with `+changes` when the work tree differs from it."""
    def git(*arguments: str) -> str:
        return subprocess.run(["git", *arguments], cwd=REPOSITORY, capture_output=True, text=True).stdout.strip()

    return (git("rev-parse", "--short", "HEAD") or "unknown") + ("+changes" if git("status", "--porcelain", "--", "pipeline", "sql") else "")


def results_page(table: str, arguments: list[str], load_before: tuple, load_after: tuple) -> str:
    return "\n".join([
        f"# make bench, {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, commit {commit()}",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after. "
        f"Arguments: `{' '.join(arguments) or '(defaults)'}`. Written by `make bench`; what the columns mean: "
        "[docs/performance.md](../../docs/performance.md).",
        "",
        table,
        "",
    ])


if __name__ == "__main__":
    main()
