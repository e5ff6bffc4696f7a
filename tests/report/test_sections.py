"""The correlation, binned and exposure sections on hand-made tables: what a reader of the page gets to see."""

import json
import re

import duckdb
import numpy as np
import polars as pl
import pytest

from pipeline.core.sql import replace_table, sql_frame
from pipeline.report.binned import binned_section, chosen_scheme, short_bin_label
from pipeline.report.render import render_report
from pipeline.report.sections import SECTIONS, correlation_section, exposure_section
from pipeline.stats.correlation import binned_accuracy, correlated_points, correlations, frequency_bins

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


def points(frequencies: list[int], models: dict[str, float]) -> pl.DataFrame:
    """Every model's accuracy on each class: its skill, and for each decade of the class's frequency the more the
    more skilled it is, plus noise: the stronger model's accuracy follows frequency more closely."""
    return pl.DataFrame([
        {"model": model, "scope": "combined", "class_id": f"c{index}", "class_index": index, "wnid": f"n{index:08d}",
         "display_name": f"class {index}", "n_docs": frequency,
         "accuracy": min(1.0, skill * (1 + 0.1 * np.log10(1 + frequency)) + 0.02 * (index * 3 % 7)),
         "reference_accuracy": None}
        for model, skill in models.items() for index, frequency in enumerate(frequencies)])


def binned_connection(frequencies: list[int], models: dict[str, float]) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    joined = points(frequencies, models)
    replace_table(connection, "correlated_points", correlated_points(joined, "n_docs"))
    replace_table(connection, "frequency_bins", frequency_bins())
    replace_table(connection, "binned_accuracy", binned_accuracy(sql_frame(connection, "binned_classes"), 50))
    replace_table(connection, "correlations", correlations(joined, n_resamples=50))
    return connection


def plotly_figures(html: str) -> dict[str, tuple[list, dict]]:
    """The data and layout of each plotly figure in a page, by its div's id."""
    decoder, figures = json.JSONDecoder(), {}
    for match in re.finditer(r'Plotly\.newPlot\(\s*"([^"]+)",\s*', html):
        data, end = decoder.raw_decode(html, match.end())
        layout, _ = decoder.raw_decode(html, re.match(r",\s*", html[end:]).end() + end)
        figures[match.group(1)] = (data, layout)
    return figures


SMALL_CORPUS = [0] * 60 + [3] * 25 + [15, 40, 70, 150, 400, 900, 2000, 5000] + [30] * 7
LARGE_CORPUS = [int(10 ** (index / 200)) for index in range(1000)]  # log-uniform from 1 to 10^5
MODEL_SKILLS = {"<b>weak</b>": 0.1, "strong": 0.6, "middling": 0.3}


def test_each_model_has_its_own_panel_on_shared_axes_without_a_legend():
    with binned_connection(SMALL_CORPUS, MODEL_SKILLS) as connection:
        html = binned_section(connection)
    data, layout = plotly_figures(html)["binned-decade"]
    assert [trace["name"] for trace in data] == ["strong", "middling", "&lt;b&gt;weak&lt;/b&gt;"]  # strongest ρ first
    assert [trace["xaxis"] for trace in data] == ["x", "x2", "x3"] and not any(trace["showlegend"] for trace in data)
    assert [note["text"] for note in layout["annotations"]] == ["strong", "middling", "&lt;b&gt;weak&lt;/b&gt;"]
    assert all(layout[f"yaxis{n}"]["range"] == [0, 1] for n in ("", "2", "3"))
    assert all(layout[f"xaxis{n}"]["categoryarray"] == ["0", "1–10", "10–100", "100–1k", "1k–10k"]
               for n in ("", "2", "3"))
    assert "<b>weak" not in html


@pytest.mark.parametrize(("corpus", "shown", "folded", "note", "summary"), [
    # the paper's bins mostly empty: decades first
    (SMALL_CORPUS, "binned-decade", "binned-paper",
     "Decades of frequency are shown, because Zhang et al.&#x27;s bins are mostly empty here: 85 of 100 classes "
     "fall in their first bin, [0, 10), and 12 of their 14 bins hold fewer than 5 classes",
     "Zhang et al.&#x27;s bins"),
    # the paper's bins filled: they come first
    (LARGE_CORPUS, "binned-paper", "binned-decade",
     "Zhang et al.&#x27;s bins are shown: 200 of 1,000 classes fall in their first bin, [0, 10), and 1 of "
     "their 14 bins holds fewer than 5 classes",
     "Decades of frequency"),
])
def test_the_scheme_that_fills_its_bins_is_shown_first_and_the_other_folded(corpus, shown, folded, note, summary):
    with binned_connection(corpus, MODEL_SKILLS) as connection:
        html = binned_section(connection)
    assert html.index(f'id="{shown}"') < html.index("<details>") < html.index(f'id="{folded}"')
    assert note in html
    assert f"<summary>{summary}</summary>" in html


def paper_bins(counts: list[int]) -> pl.DataFrame:
    bins = frequency_bins().filter(pl.col("scheme") == "paper")
    return bins.with_columns(n_classes=pl.Series(counts + [0] * (bins.height - len(counts))))


def test_the_bin_rule_counts_the_first_bin_and_the_sparse_bins():
    assert chosen_scheme(paper_bins([51] + [7] * 7))[0] == "decade"  # more than half in [0, 10)
    assert chosen_scheme(paper_bins([50] + [10] * 5))[0] == "decade"  # half in [0, 10), but 8 of 14 bins sparse
    assert chosen_scheme(paper_bins([50] + [10] * 6))[0] == "paper"  # half in [0, 10), 7 of 14 sparse: neither is more


def test_short_bin_labels():
    assert [short_bin_label(lower, upper) for lower, upper in
            ((0, 1), (1, 10), (0, 10), (100, 1_000), (10_000, 100_000), (100_000, None), (10**6, 10**7))] == [
        "0", "1–10", "0–10", "100–1k", "10k–100k", "≥100k", "1M–10M"]


def test_exposure_ranks_each_class_among_the_classes_of_the_same_model():
    # a strong model has classes 0-5, a weak one 4-9; within each, accuracy follows frequency exactly: no class is off
    # the trend, though averaging their accuracies would put 0-3 (strong only) far above 6-9 (weak only)
    rows = [{"model": model, "scope": "combined", "class_id": f"c{index}", "class_index": index, "wnid": f"n{index}",
             "display_name": f"class {index}", "n_docs": 10 * index, "accuracy": base + 0.01 * index,
             "reference_accuracy": None}
            for model, base, classes in (("strong", 0.9, range(0, 6)), ("<i>weak</i>", 0.1, range(4, 10)))
            for index in classes]
    with duckdb.connect() as connection:
        replace_table(connection, "correlated_points", correlated_points(pl.DataFrame(rows), "n_docs"))
        ranked = sql_frame(connection, "report/class_exposure")
        html = exposure_section(connection)
    assert ranked["exposure_gap"].to_list() == [0.0] * 10
    assert dict(zip(ranked["class_index"], ranked["n_models"])) == {i: 2 if i in (4, 5) else 1 for i in range(10)}
    assert "Compared within each model: each model&#x27;s classes are ranked by their frequency" in html
    assert "The models cover different classes: &#x27;models&#x27; says how many of the 2 have the class." in html
    headers, _ = table_cells(html, "over-exposed")
    assert headers == ["class", "wnid", "text units", "models", "frequency percentile", "accuracy percentile", "gap"]


def test_exposure_says_when_every_model_has_every_class():
    with binned_connection(SMALL_CORPUS, MODEL_SKILLS) as connection:
        html = exposure_section(connection)
    assert "Here each of the 3 models has an accuracy for every class." in html
    assert "models" not in table_cells(html, "under-exposed")[0]
