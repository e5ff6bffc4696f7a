"""The correlation, binned and exposure sections on hand-made tables: what a reader of the page gets to see."""

import re

import duckdb
import numpy as np
import polars as pl
import pytest

from pipeline.core.sql import replace_table
from pipeline.report.render import render_report
from pipeline.report.sections import SECTIONS, correlation_section
from pipeline.stats.correlation import correlations

from ..browser import Browser, requires_chromium

# a real OpenCLIP name, and a name with no place to break it
MODELS = ("ViT-B-32 laion200m_train_test_sim_normalized", "x" * 60, "reference")
SCOPES = ("combined", "instruct", "pretrain", "source:coco_val2017", "source:llava_gpt4_qa")


def correlation_table(models=MODELS) -> pl.DataFrame:
    rng = np.random.default_rng(0)
    frequency = rng.integers(0, 1000, 50)
    joined = pl.DataFrame([
        {"model": model, "scope": scope, "class_index": index, "n_docs": int(frequency[index]),
         # the first model's accuracy follows frequency, the others' is noise
         "accuracy": frequency[index] / 1000 if model == models[0] else float(rng.random()),
         "reference_accuracy": float(rng.random())}
        for model in models for scope in SCOPES for index in range(50)])
    return correlations(joined, reference_model="reference", n_resamples=50)


@pytest.fixture(scope="module")
def connection():
    with duckdb.connect() as connection:
        replace_table(connection, "correlations", correlation_table())
        yield connection


def table_cells(html: str, table_id: str) -> tuple[list[str], list[list[str]]]:
    table = re.search(f'<table[^>]* id="{table_id}">(.*?)</table>', html).group(1)
    head, body = table.split("</thead>")
    return re.findall(r"<th\b[^>]*>(.*?)</th>", head), [re.findall(r"<td\b[^>]*>(.*?)</td>", row)
                                                       for row in re.findall(r"<tr>(.*?)</tr>", body)]


def test_the_correlation_table_folds_intervals_into_cells_and_formats_p_values(connection):
    html = correlation_section(connection)
    headers, rows = table_cells(html, "correlation-table")
    assert headers == ["model", "scope", "classes (never mentioned)", "Spearman ρ", "p", "accuracy per decade",
                       "partial ρ", "p"]
    assert len(rows) == len(MODELS) * len(SCOPES)
    estimate = re.compile(r"-?\d\.\d\d \[-?\d\.\d\d, -?\d\.\d\d\]")
    p_value = re.compile(r"&lt; 0\.001|[01]\.\d\d\d|–")
    for row in rows:
        assert re.fullmatch(r"50 \(\d+\)", row[2])
        assert estimate.fullmatch(row[3]) and p_value.fullmatch(row[4]), row
    assert {row[4] for row in rows if row[0] == MODELS[0]} == {"&lt; 0.001"}  # its accuracy follows frequency
    # Kendall and Pearson, which tell the same story, are folded away below
    assert html.index("<details>") < html.index('id="correlation-details"')
    headers, rows = table_cells(html, "correlation-details")
    assert headers == ["model", "scope", "Kendall τ", "p", "Pearson r on log10(1 + f)", "p"]
    assert all(estimate.fullmatch(row[2]) and estimate.fullmatch(row[4]) for row in rows)


@requires_chromium
def test_the_correlation_tables_fit_a_1400_pixel_screen(connection, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(render_report(connection, "narrow", SECTIONS), encoding="utf-8")
    with Browser(width=1400, height=900) as browser:
        browser.open(page)
        browser.evaluate("document.querySelectorAll('details').forEach(function (d) { d.open = true; })")
        assert browser.evaluate("document.documentElement.scrollWidth") <= 1400
        for table in ("correlation-table", "correlation-details"):
            wrap = browser.evaluate(f"(function () {{ var wrap = document.getElementById('{table}').parentElement;"
                                    "return [wrap.scrollWidth, wrap.clientWidth]; })()")
            assert wrap[0] <= wrap[1], table
