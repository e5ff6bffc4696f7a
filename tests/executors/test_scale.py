"""The vectorized path against the plain per-document reference, and the Ray executor against the local one."""

import dataclasses
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.corpus import load_pools, write_captions, write_mixture
from bench.memory import PeakMemory, tree_rss
from bench.reference import reference_mentions
from bench.runs import median_run
from pipeline import runner
from pipeline.core.config import parse_run
from pipeline.core.errors import ClassfreqError
from pipeline.core.stage import StageOutput
from pipeline.executors import local
from pipeline.executors.local import _POOLS, map_shards, start_workers, stop_workers, wait_for_workers
from pipeline.runner import run_pipeline
from pipeline.text.match import match_lemmas, term_index
from pipeline.text.normalize import normalize_documents, normalize_text

from ..conftest import SHARED_DATA, project_directory, requires_shared_data

pytestmark = pytest.mark.slow  # whole pipelines or process pools: see docs/README.md

TRICKY_TEXTS = [
    "A great white shark, a white shark and a shark.",
    "sea lion lion sea",
    "x y z w y z",
    "",
    "Great-White Sharks' fins; two GEESE and mice!",
    "crème brûlée near the café — naïve façade ÆSIR Straße",
    "a a a a",
    "hot dog hot dog dog",
]
TRICKY_TERMS = ["great white shark", "white shark", "shark", "sea lion", "lion", "x y", "y z w", "w", "goose",
                "mouse", "crème brûlée", "café", "straße", "a a", "hot dog", "dog"]


def production_mentions(texts: list[str], terms: list[str]) -> list[tuple]:
    documents = pl.DataFrame({"doc_id": [str(i) for i in range(len(texts))], "text": texts})
    lexicon = pl.DataFrame({"term": [" ".join(normalize_text(t)) for t in terms]})
    found = match_lemmas(normalize_documents(documents), term_index(lexicon))
    return list(found.iter_rows())


def test_vectorized_mentions_equal_the_per_document_reference_on_tricky_rows():
    terms = [" ".join(normalize_text(t)) for t in TRICKY_TERMS]
    expected = reference_mentions(((str(i), text) for i, text in enumerate(TRICKY_TEXTS)), terms)
    assert production_mentions(TRICKY_TEXTS, TRICKY_TERMS) == expected
    # the reference is not vacuous: it finds the longest terms and skips what they cover
    assert ("0", 1, 3, "great white shark") in expected and ("7", 0, 2, "hot dog") in expected
    assert [m for m in expected if m[0] == "6"] == [("6", 0, 2, "a a"), ("6", 2, 2, "a a")]


WORDS = ["sea", "lion", "lions", "geese", "goose", "white", "shark", "a", "Hot", "dog", "x"]
texts_strategy = st.lists(
    st.lists(st.sampled_from(WORDS + [",", "-", "'s", "!"]), max_size=12).map(" ".join), min_size=1, max_size=6
)
terms_strategy = st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(texts=texts_strategy, raw_terms=terms_strategy)
def test_vectorized_mentions_equal_the_reference_on_random_texts_and_terms(texts, raw_terms):
    terms = [" ".join(normalize_text(t)) for t in raw_terms]
    assert production_mentions(texts, raw_terms) == reference_mentions(((str(i), t) for i, t in enumerate(texts)), terms)


def test_an_unknown_executor_is_refused():
    with pytest.raises(ClassfreqError, match="options.executor: 'spark' is not one of local, ray"):
        parse_run({"name": "spark", "class_set": "imagenet1k", "options": {"executor": "spark"},
                   "sources": [{"name": "s", "stage": "pretrain", "format": "tsv", "path": "unused.tsv"}]})


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    """Real captions and instruction items, resampled: 6,000 captions and a 1,500-record LLaVA-like mixture."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not found at {SHARED_DATA} (set DEMO_DATA to its folder)")
    folder = tmp_path_factory.mktemp("corpus")
    pools = load_pools(SHARED_DATA)
    write_captions(folder / "captions.tsv", 6_000, pools, seed=1)
    write_mixture(folder, 1_500, pools, seed=2)
    return folder


def corpus_run(folder: Path, name: str, **options) -> dict:
    return parse_run({
        "name": name,
        "class_set": "imagenet1k",
        "options": {"shard_size": 2_500, **options},
        "sources": [
            {"name": "captions", "stage": "pretrain", "format": "tsv", "path": str(folder / "captions.tsv"),
             "header": False, "text_field": 0},
            {"name": "pretrain", "stage": "pretrain", "format": "llava", "path": str(folder / "blip_laion_cc_sbu_558k.json")},
            {"name": "instruct", "stage": "instruct", "format": "llava", "path": str(folder / "llava_v1_5_mix665k.json")},
        ],
    })


@pytest.fixture(scope="module")
def local_run(small_corpus, tmp_path_factory):
    with project_directory(tmp_path_factory.mktemp("local")):
        run = corpus_run(small_corpus, "local", workers=2)
        results = {r.stage: r.manifest for r in run_pipeline(run, ["ingest", "normalize", "synonyms", "match", "count"])}
        yield run.database, results


def stage_files(manifest: dict, output: str) -> list[str]:
    return sorted(str(p) for p in Path(manifest["outputs"][output]).glob("*.parquet") if p.name != "rejects.parquet")


@requires_shared_data
def test_stage_mentions_equal_the_reference_on_resampled_real_text(local_run):
    _, manifests = local_run
    documents = pl.read_parquet(stage_files(manifests["ingest"], "documents"), columns=["doc_id", "text"])
    lexicon = pl.read_parquet(manifests["synonyms"]["outputs"]["lexicon"])
    # the sense model's relatives' windows ride in the mention shards as rows without a term
    mentions = pl.read_parquet(stage_files(manifests["match"], "mentions"), columns=["doc_id", "start", "n_tokens", "term"]
                               ).filter(pl.col("term").is_not_null())
    expected = reference_mentions(documents.iter_rows(), lexicon["term"].unique())
    found = mentions.sort("doc_id", "start").rows()
    assert len(documents) == 6_000 + manifests["ingest"]["rows"]["pretrain"] + manifests["ingest"]["rows"]["instruct"]
    assert len(expected) > 1_000
    assert found == sorted(expected)


def count_tables(database: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return {
            table: connection.execute(f"select * from {table} order by all").fetchall()
            for table in ("documents_summary", "mentions", "class_frequency_by_scope")
        }


@requires_shared_data
def test_ray_executor_counts_equal_the_local_executor(local_run, small_corpus, tmp_path_factory):
    ray = pytest.importorskip("ray", reason="Ray is an optional extra: pip install -e '.[ray]'")
    local_database, _ = local_run
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        with project_directory(tmp_path_factory.mktemp("ray")):
            on_ray = corpus_run(small_corpus, "ray", executor="ray")
            results = run_pipeline(on_ray, ["ingest", "normalize", "synonyms", "match", "count"])
            ray_database = on_ray.database
    finally:
        ray.shutdown()
    assert {r.stage: r.manifest["details"].get("executor") for r in results if r.stage in ("normalize", "match")} == {
        "normalize": "ray", "match": "ray"}
    local_tables, ray_tables = count_tables(local_database), count_tables(ray_database)
    assert len(local_tables["mentions"]) > 1_000
    assert ray_tables == local_tables


def test_map_shards_keeps_order_and_reuses_its_workers():
    first = map_shards(pow, [2, 3, 4, 5], [2, 2, 2, 2], workers=2)
    pool = _POOLS[2]
    assert first == [4, 9, 16, 25]
    assert map_shards(pow, [2, 3], [3, 3], workers=2) == [8, 27]
    assert _POOLS[2] is pool


def test_peak_memory_counts_the_worker_processes():
    with PeakMemory(interval=0.01) as memory:
        map_shards(pow, [2, 3], [2, 2], workers=2)
    own, total = tree_rss(os.getpid())
    assert 0 < memory.peak_main <= memory.peak_total
    assert total > own  # the pool's workers are alive and counted


def test_a_failing_shard_stops_map_shards_with_its_error():
    with pytest.raises(ZeroDivisionError):
        map_shards(divmod, [1, 2, 3], [1, 0, 1], workers=2)
    assert map_shards(divmod, [7, 9], [2, 2], workers=2) == [(3, 1), (4, 1)]  # the pool still works


def test_stopped_workers_give_way_to_a_new_pool():
    map_shards(pow, [2, 3], [2, 2], workers=2)
    pool = _POOLS[2]
    stop_workers()
    assert _POOLS == {}
    assert map_shards(pow, [2, 3], [2, 2], workers=2) == [4, 9]
    assert _POOLS[2] is not pool


def with_bodies(**bodies):
    """The declared stages, those named here with another body and no inputs: the runner's view stays the same."""
    return tuple(dataclasses.replace(stage, body=bodies[stage.name], needs=(), writes_folder=False)
                 if stage.name in bodies else stage for stage in runner.STAGES)


def test_the_pool_runs_with_the_parallel_stages_and_is_gone_for_the_next_one(workspace, monkeypatch):
    seen = {}

    def parallel_stage(context, output_dir):
        seen["parallel"] = map_shards(pow, [2, 3], [2, 2], workers=2)
        return StageOutput()

    def serial_stage(context, output_dir):
        seen["workers during the serial stage"] = dict(_POOLS)
        return StageOutput()

    monkeypatch.setattr(runner, "STAGES", with_bodies(match=parallel_stage, count=serial_stage))
    run = parse_run({"name": "pool", "class_set": "imagenet1k", "options": {"workers": 2},
                     "sources": [{"name": "s", "stage": "pretrain", "format": "tsv", "path": "unused.tsv"}]})
    run_pipeline(run, ["match", "count"])
    assert seen == {"parallel": [4, 9], "workers during the serial stage": {}}


def test_the_bench_reports_the_median_run():
    runs = [(5.0, "slow"), (4.0, "middle"), (3.0, "fast")]
    assert median_run(runs) == (4.0, "middle")
    assert median_run(runs[:2]) == (4.0, "middle")  # of two, the faster: what was reached, not an average
    assert median_run(runs[2:]) == (3.0, "fast")


def test_a_run_that_fails_before_its_parallel_stages_leaves_no_worker_half_started(workspace, monkeypatch):
    def failing_stage(context, output_dir):
        raise ClassfreqError("bad input")

    monkeypatch.setattr(runner, "STAGES", with_bodies(ingest=failing_stage))
    run = parse_run({"name": "pool", "class_set": "imagenet1k", "options": {"workers": 2},
                     "sources": [{"name": "s", "stage": "pretrain", "format": "tsv", "path": "unused.tsv"}]})
    try:
        with pytest.raises(ClassfreqError, match="bad input"):
            run_pipeline(run, ["ingest", "normalize"])
        assert not [thread for thread in threading.enumerate() if thread.name == "classfreq workers"]
        started = _POOLS[2]
        assert map_shards(pow, [2, 3], [2, 2], workers=2) == [4, 9]
        assert _POOLS == {2: started}  # the pool it started is the one the next stage uses
    finally:
        stop_workers()


def test_the_warmed_up_pool_runs_even_fewer_shards_than_workers():
    try:
        start_workers(3)
        wait_for_workers()
        warmed_up = _POOLS[3]
        assert map_shards(pow, [2, 3], [2, 2], workers=3) == [4, 9]
        assert _POOLS == {3: warmed_up}
    finally:
        stop_workers()


def test_a_pool_that_fails_to_start_fails_the_stage_that_needs_it(monkeypatch):
    class Unstartable(ProcessPoolExecutor):
        def submit(self, *arguments, **keywords):
            raise OSError("too many open files")

    monkeypatch.setattr(local, "ProcessPoolExecutor", Unstartable)
    try:
        start_workers(2)
        wait_for_workers()  # on its own thread: nothing raised, and no broken pool kept
        assert _POOLS == {}
        with pytest.raises(OSError, match="too many open files"):
            map_shards(pow, [2, 3], [2, 2], workers=2)
    finally:
        stop_workers()
