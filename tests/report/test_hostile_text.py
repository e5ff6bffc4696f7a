"""Hostile and awkward text end to end: class names, terms, captions and model names with markup, script,
quotes and apostrophes are counted like any other name and reach the report as text, never as markup."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import tempfile
from pathlib import Path

import duckdb
import pytest

from pipeline.core.config import load_run
from pipeline.runner import run_pipeline

from ..browser import CHROMIUM, requires_chromium
from ..cli_runs import write_run
from ..conftest import project_directory
from .test_sections import plotly_figures

pytestmark = pytest.mark.slow  # whole pipelines or process pools: see docs/README.md

# each payload, if it ever ran, would leave a mark that the rendered page shows: a changed title or body attribute
SCRIPT_TAG = "<script>document.title='PWNED-script'</script>"
BREAKOUT = "</script><script>document.body.setAttribute('data-pwned','breakout')</script>"
IMG_ONERROR = "\"><img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">"
JAVASCRIPT_URL = "javascript:document.title='PWNED-url'"
PAYLOADS = (SCRIPT_TAG, BREAKOUT, IMG_ONERROR, JAVASCRIPT_URL)
QUOTED = ("potter's wheel", "jack-o'-lantern")
MODEL = f"{SCRIPT_TAG} O'Brien's \"best\""
OTHER_MODEL = IMG_ONERROR
CLASSES = [("tench", "n01440764"), ("goldfish", "n01443537"), (QUOTED[0], "n03992509"), (QUOTED[1], "n03590841")] + [
    (payload, "") for payload in PAYLOADS]
CAPTIONS = ["two goldfish and a tench", "a tench", "a potter's wheel", "three jack-o'-lanterns on a potter's wheel"] + [
    f"a photo of {payload}" for payload in PAYLOADS] + [f"{SCRIPT_TAG} again"]
RUN_NAME = "hostile"


def write_csv(path: Path, header: list[str], rows: list[tuple]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A complete run over hostile inputs: its folder and an open read-only connection to its database."""
    directory = tmp_path_factory.mktemp("hostile")
    write_csv(directory / "classes.csv", ["name", "wnid"], CLASSES)
    items = [{"id": f"<b>{i}</b>", "conversations": [{"from": "human", "value": "<image>\nWhat's this?"},
                                                      {"from": "gpt", "value": text}]} for i, text in enumerate(CAPTIONS)]
    items.append({"id": "bad", "conversations": [{"from": SCRIPT_TAG, "value": SCRIPT_TAG}]})  # rejected: unknown speaker
    (directory / "captions.json").write_text(json.dumps(items), encoding="utf-8")
    accuracies = [0.9, 0.8, 0.3, 0.5, 0.1, 0.2, 0.4, 0.6]
    write_csv(directory / "accuracy.csv", ["class", "accuracy"], list(zip([name for name, _ in CLASSES], accuracies)))
    write_csv(directory / "other.csv", ["class", "accuracy"], list(zip([name for name, _ in CLASSES], accuracies[::-1])))
    run_file = write_run(directory / "run.toml", {
        "name": RUN_NAME, "class_set": "hostile-set", "classes_file": "classes.csv",
        "options": {"input_policy": "skip", "workers": 1, "policy": "keep"},
        "sources": [{"name": "captions", "stage": "pretrain", "format": "llava", "path": "captions.json"}],
        "accuracy": [{"path": "accuracy.csv", "model": MODEL}, {"path": "other.csv", "model": OTHER_MODEL}],
    })
    with project_directory(directory):
        run_pipeline(load_run(run_file))
    with duckdb.connect(str(directory / "work" / RUN_NAME / "classfreq.duckdb"), read_only=True) as connection:
        yield directory, connection


def test_quoted_and_hostile_names_are_counted_resolved_and_correlated(hostile):
    _, connection = hostile
    frequency = dict(connection.execute(
        "select display_name, n_docs from class_frequency_by_scope where scope = 'combined'"
    ).fetchall())
    assert frequency == {"tench": 2, "goldfish": 1, QUOTED[0]: 2, QUOTED[1]: 1,
                         SCRIPT_TAG: 2, BREAKOUT: 1, IMG_ONERROR: 1, JAVASCRIPT_URL: 1}
    terms = dict(connection.execute("select text, term from lexicon where origins like '%display_name%'").fetchall())
    assert terms[QUOTED[0]] == "potter s wheel" and terms[QUOTED[1]] == "jack o lantern"
    assert terms[SCRIPT_TAG] == "script document title pwned script script"
    resolved = connection.execute(
        "select model, key, resolved_by from accuracy join classes using (class_id) where key = display_name order by all"
    ).fetchall()
    assert {(model, key) for model, key, _ in resolved} == {(m, name) for m in (MODEL, OTHER_MODEL) for name, _ in CLASSES}
    assert connection.execute("select count(*) from accuracy_unresolved").fetchone() == (0,)
    correlations = connection.execute(
        "select model, n_classes, spearman_rho from correlations where scope = 'combined' order by model").fetchall()
    assert [(model, n) for model, n, _ in correlations] == sorted([(MODEL, 8), (OTHER_MODEL, 8)])
    assert all(rho is not None for _, _, rho in correlations)


def test_report_source_holds_hostile_text_only_escaped(hostile):
    directory, _ = hostile
    page = (directory / "work" / RUN_NAME / "report.html").read_text(encoding="utf-8")
    # every '<' of dataset text is escaped, as an HTML entity in tables or as \u003c in plotly's JSON
    for raw in (SCRIPT_TAG, BREAKOUT, IMG_ONERROR, MODEL, "<b>0</b>"):
        assert raw not in page
    assert "&lt;script&gt;document.title=&#x27;PWNED-script&#x27;&lt;/script&gt; O&#x27;Brien&#x27;s &quot;best&quot;" in page
    assert "&quot;&gt;&lt;img src=x onerror=&quot;document.body.setAttribute(" in page
    # plotly shows a trace's name as HTML of its own (a few tags, entities decoded): every one is escaped text
    names = [trace["name"] for data, _ in plotly_figures(page).values() for trace in data if "name" in trace]
    assert any("O&#x27;Brien" in name for name in names) and not any("<" in name for name in names)
    rejects = re.search(r'<table class="sortable" id="rejects">.*?</table>', page).group(0)
    assert '<td>captions</td><td>unknown speaker (expected human or gpt)</td><td data-value="1.0">1</td>' in rejects


def render_in_chromium(page: Path) -> str:
    """The DOM after the page loaded and its scripts ran (virtual time lets timers and image errors fire)."""
    with tempfile.TemporaryDirectory(prefix="classfreq-chromium-") as profile:
        done = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--virtual-time-budget=5000", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def injected_marks(dom: str) -> list[str]:
    """What a payload that ran would have left: a changed title, a marked body, or a live javascript: link."""
    marks = re.findall(r"<title>[^<]*PWNED[^<]*</title>", dom)
    marks += re.findall(r"<body[^>]*data-pwned[^>]*>", dom)
    marks += re.findall(r"""(?:href|src|action)=["']?javascript:""", dom, flags=re.IGNORECASE)
    marks += re.findall(r"<img[^>]*onerror", dom, flags=re.IGNORECASE)
    return marks


@requires_chromium
def test_the_mark_detector_sees_payloads_that_do_run(tmp_path):
    page = tmp_path / "unsafe.html"
    # the payloads pasted in unescaped, where a careless template would put them
    page.write_text("<!DOCTYPE html><html><head><title>safe</title></head><body>"
                    f"<p>{SCRIPT_TAG}</p><p title=\"{IMG_ONERROR}\"></p><a href=\"{JAVASCRIPT_URL}\">x</a>"
                    f"<script>var name = \"{BREAKOUT}\";</script></body></html>")
    marks = injected_marks(render_in_chromium(page))
    assert len(marks) == 4, marks


@requires_chromium
def test_report_built_from_hostile_inputs_runs_no_injected_script(hostile):
    directory, _ = hostile
    dom = render_in_chromium(directory / "work" / RUN_NAME / "report.html")
    assert injected_marks(dom) == []
    assert f"<title>classfreq: {RUN_NAME}</title>" in dom
    assert "class=\"plotly-graph-div" in dom and "main-svg" in dom  # plotly did render, with the hostile names in it
    assert "&lt;script&gt;document.title='PWNED-script'&lt;/script&gt; O'Brien's \"best\"" in dom
