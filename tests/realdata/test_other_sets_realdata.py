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
