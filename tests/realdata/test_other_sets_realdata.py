"""Flowers102, Caltech101 and StanfordCars end to end: COCO captions from ../shared/data, CLIP accuracies."""

import dataclasses

import duckdb
import pytest

from pipeline.core.config import load_run
from pipeline.runner import run_pipeline

from ..conftest import SHARED_DATA, requires_shared_data

pytestmark = [requires_shared_data, pytest.mark.realdata, pytest.mark.slow]


@pytest.mark.parametrize("class_set, n_classes, n_resolved", [("flowers102", 102, 101), ("caltech101", 102, 92),
                                                               ("stanfordcars", 196, 196)])
def test_class_set_runs_end_to_end(workspace, monkeypatch, class_set, n_classes, n_resolved):
    monkeypatch.setenv("DEMO_DATA", str(SHARED_DATA))
    run = load_run(f"demo-{class_set}")
    run = dataclasses.replace(run, sources=tuple(s for s in run.sources if s.name == "coco_val2017"))
    run_pipeline(run)
    with duckdb.connect(str(run.database), read_only=True) as connection:
        assert connection.execute("select count(*) from classes").fetchone()[0] == n_classes
        assert connection.execute("select count(distinct class_id) from lexicon where status = 'counted'").fetchone()[0] == n_classes
        per_model = connection.execute("select model, count(*) from accuracy group by model").fetchall()
        assert len(per_model) == 21 and {count for _, count in per_model} == {n_resolved}
        correlations = connection.execute(
            "select count(*), min(n_classes) from correlations where scope = 'combined' and spearman_rho is not null").fetchone()
        assert correlations == (21, n_resolved)
        mentioned = connection.execute(
            "select count(*) from class_frequency_by_scope where scope = 'combined' and n_docs_raw > 0").fetchone()[0]
        assert mentioned > 0
    assert (workspace / "work" / f"demo-{class_set}" / "report.html").exists()


def test_car_names_are_found_without_year_and_body_style(workspace, monkeypatch):
    monkeypatch.setenv("DEMO_DATA", str(SHARED_DATA))
    run = load_run("demo-stanfordcars")
    run_pipeline(run, ["synonyms"])
    import polars as pl

    from pipeline.core.stage import read_manifest

    lexicon = pl.read_parquet(read_manifest(run.work_dir, "synonyms")["outputs"]["lexicon"])
    tesla = lexicon.filter(pl.col("text").str.contains("(?i)tesla"))
    assert set(tesla["term"].to_list()) == {"2012 tesla model s sedan", "tesla model s sedan", "tesla model s"}
    assert set(tesla["origins"].to_list()) == {"display_name", "name_variant"}


def test_a_user_class_set_of_coco_names_counts_its_classes_under_the_sense_policy(workspace, monkeypatch):
    """Issue 18, Done-means 4, on the demo's COCO captions (where these names nearly always mean the class): a user
    class file, no wnids; "smartphone" has no WordNet synset at all and still counts every mention."""
    from pipeline.core.config import parse_run

    names = ["person", "bicycle", "car", "train", "bus", "kite", "banana", "hot dog", "toilet", "smartphone"]
    (workspace / "coco.csv").write_text("name\n" + "\n".join(names) + "\n", encoding="utf-8")
    run = parse_run({
        "name": "coco-names", "class_set": "coco-names", "classes_file": str(workspace / "coco.csv"),
        "options": {"workers": 1},
        "sources": [{"name": "coco_val2017", "stage": "pretrain", "format": "coco",
                     "path": str(SHARED_DATA / "captions" / "coco_captions_val2017.json")}],
    }, workspace / "coco.toml")
    assert run.options.policy == "sense"
    run_pipeline(run, ["ingest", "normalize", "synonyms", "match", "count"])
    with duckdb.connect(str(run.database), read_only=True) as connection:
        counts = {name: (keep, sense) for name, keep, sense in connection.execute(
            """select display_name, max(n_docs) filter (where policy = 'keep'), max(n_docs) filter (where policy = 'sense')
               from class_frequency_by_policy where scope = 'combined' group by display_name""").fetchall()}
        unmapped = connection.execute("select mapping from classes where display_name = 'smartphone'").fetchone()[0]
        uncountable = {term for (term,) in connection.execute("select term from uncountable_terms").fetchall()}
    for name in ("toilet", "kite", "banana", "hot dog", "train"):
        keep, sense = counts[name]
        assert keep >= 20 and sense >= 0.8 * keep, (name, keep, sense)
    assert unmapped == "unmapped" and counts["smartphone"][1] == counts["smartphone"][0] > 0
    # "wheel", "machine", "soul": synset lemmas whose dominant sense is another thing; warned about as uncountable
    assert {"wheel", "machine", "soul"} <= uncountable
