"""The report: sections only for tables that exist, escaped text, the same bytes for the same inputs."""

import shutil

import duckdb
import polars as pl
import pytest

from pipeline.core import stage
from pipeline.core.config import parse_run
from pipeline.core.paths import SQL_DIR
from pipeline.core.sql import replace_table
from pipeline.report.render import render_report
from pipeline.report.sections import SECTIONS, lead
from pipeline.runner import run_pipeline

from ..browser import Browser, requires_chromium
from ..conftest import project_directory, write_json
from ..stages.test_pipeline_llava import INSTRUCT, PRETRAIN

pytestmark = pytest.mark.slow  # whole pipelines or process pools: see docs/README.md

HOSTILE = '<script>window.injected=1</script>"><img src=x onerror="window.injected=2">'


def test_sections_whose_tables_are_absent_are_left_out():
    with duckdb.connect() as connection:
        replace_table(connection, "documents_summary", pl.DataFrame(
            {"source": ["s"], "stage": ["pretrain"], "role": ["caption"], "n_docs": [3], "n_conversations": [3],
             "n_words": [12]}))
        replace_table(connection, "class_frequency_by_scope", pl.DataFrame(
            {"class_id": ["a", "b"], "scope": ["combined", "combined"], "n_docs": [2, 0]}))
        page = render_report(connection, "partial", SECTIONS)
    assert 'id="counted"' in page and "3 text units and 12 words from 1 sources; 2 classes." in page
    for absent in ("correlations", "scatter", "binned", "exposure", "classes"):
        assert f'id="{absent}"' not in page and f'href="#{absent}"' not in page


def lead_of(models):
    with duckdb.connect() as connection:
        replace_table(connection, "correlations", pl.DataFrame(
            {"model": [model for model, _ in models], "scope": ["combined"] * len(models),
             "spearman_rho": [rho for _, rho in models], "spearman_low": [0.7] * len(models),
             "spearman_high": [0.85] * len(models), "n_classes": [5] * len(models), "n_zero": [1] * len(models)},
            schema_overrides={"spearman_rho": pl.Float64}))
        return lead(connection)


def test_the_lead_reads_right_for_one_model_and_for_none():
    assert lead_of([("m", 0.79)]) == (
        '<p class="lead">For m, Spearman&#x27;s ρ between how often a class is mentioned (all text, 5 classes, 1 never '
        "mentioned) and the model&#x27;s accuracy on it is 0.79 [95% CI 0.70–0.85]; the interval excludes zero.</p>")
    assert "Across 2 models" in lead_of([("m", 0.79), ("n", 0.75)])
    assert lead_of([("m", None)]) == ('<p class="lead">No model has a correlation of accuracy with frequency; the '
                                      "warnings below say why.</p>")


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory):
    work = tmp_path_factory.mktemp("tiny")
    with project_directory(work):
        accuracy = work / "accuracy.csv"
        accuracy.write_text("class,accuracy,n\n" + "".join(
            f"{index},{(index * 37 % 100) / 100},{10}\n" for index in range(1000)))
        run = parse_run({
            "name": "tiny",
            "class_set": "imagenet1k",
            "options": {"reference_model": "reference"},
            "sources": [
                {"name": "pretrain", "stage": "pretrain", "format": "llava",
                 "path": str(write_json(work / "pretrain.json", PRETRAIN))},
                {"name": "instruct", "stage": "instruct", "format": "llava",
                 "path": str(write_json(work / "instruct.json", INSTRUCT))},
            ],
            "accuracy": [{"path": str(accuracy), "model": HOSTILE, "keys": "indices"},
                         {"path": str(accuracy), "model": "reference", "keys": "indices"}],
        })
        run_pipeline(run)
        yield run, work / "work" / "tiny" / "report.html"


def test_every_section_is_there_and_dataset_text_is_escaped(tiny_report):
    _, path = tiny_report
    page = path.read_text()
    for section in ("counted", "correlations", "scatter", "binned", "exposure", "classes", "provenance"):
        assert f'<section id="{section}">' in page
    assert HOSTILE not in page and "<img src=x" not in page
    assert "&lt;script&gt;window.injected=1&lt;/script&gt;" in page


def test_rendering_again_gives_the_same_bytes(tiny_report):
    run, path = tiny_report
    first = path.read_bytes()
    run_pipeline(run, ["report"], force=True)
    assert path.read_bytes() == first


@requires_chromium
def test_hostile_model_names_run_no_script_in_the_browser(tiny_report):
    _, path = tiny_report
    with Browser() as browser:
        browser.open(path)
        assert browser.errors() == []
        assert browser.evaluate("window.injected === undefined")
        assert browser.evaluate("document.querySelectorAll('#correlation-table img').length") == 0
        assert HOSTILE in browser.evaluate("document.querySelector('#correlation-table tbody').textContent")


def test_editing_a_query_in_a_subfolder_of_sql_runs_the_report_again(tiny_report, tmp_path, monkeypatch):
    run, _ = tiny_report
    with project_directory(tiny_report[1].parents[2]):
        assert {result.skipped for result in run_pipeline(run, ["report"])} == {True}
        edited = tmp_path / "sql"
        shutil.copytree(SQL_DIR, edited)
        query = edited / "report" / "flagged_term_count.sql"
        query.write_text(query.read_text() + "\n-- edited\n")
        monkeypatch.setattr(stage, "SQL_DIR", edited)
        stage.code_fingerprint.cache_clear()
        try:
            assert run_pipeline(run, ["report"])[-1].skipped is False  # (the code changed: every stage reran)
            assert {result.skipped for result in run_pipeline(run, ["report"])} == {True}
        finally:
            monkeypatch.undo()
            stage.code_fingerprint.cache_clear()
