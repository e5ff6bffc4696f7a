"""A run without [[accuracy]]: `all` counts, reports the counts, and says what it left out and why."""

import duckdb
import pytest

from pipeline.core.config import parse_run
from pipeline.core.errors import ClassfreqError
from pipeline.runner import run_pipeline

from ..conftest import write_json
from .test_pipeline_llava import GOOSE, INSTRUCT, PRETRAIN

pytestmark = pytest.mark.slow  # a whole pipeline


def test_a_run_without_accuracy_counts_and_reports_the_counts(workspace):
    run = parse_run({"name": "counts", "class_set": "imagenet1k", "sources": [
        {"name": "pretrain", "stage": "pretrain", "format": "llava",
         "path": str(write_json(workspace / "pretrain.json", PRETRAIN))},
        {"name": "instruct", "stage": "instruct", "format": "llava",
         "path": str(write_json(workspace / "instruct.json", INSTRUCT))},
    ]})
    lines = []
    results = run_pipeline(run, on_result=lambda result: lines.append(result.summary))
    not_run = {result.stage: result.not_run for result in results if result.not_run}
    assert set(not_run) == {"accuracy", "correlate", "sensitivity"}
    assert "no [[accuracy]] inputs" in not_run["accuracy"] and "needs accuracy" in not_run["correlate"]
    assert "accuracy: not run: the run has no [[accuracy]] inputs" in "\n".join(lines)
    with duckdb.connect(str(run.database), read_only=True) as connection:
        tables = {name for (name,) in connection.execute("select table_name from information_schema.tables").fetchall()}
        goose = connection.execute("select n_docs from class_frequency_by_scope where class_id = $c and scope = 'combined'",
                                   {"c": GOOSE}).fetchone()[0]
    assert {"class_frequency", "class_frequency_by_scope", "policy_cuts"} <= tables and "correlations" not in tables
    assert goose == 1
    page = (workspace / "work" / "counts" / "report.html").read_text()
    assert "This run counts only" in page and 'id="mentioned"' in page and 'id="top-classes"' in page
    assert 'id="correlations"' not in page
    # asked for by name, the stage says why it cannot run
    with pytest.raises(ClassfreqError, match="no \\[\\[accuracy\\]\\] inputs"):
        run_pipeline(run, ["accuracy"])


def test_dropping_accuracy_from_a_run_leaves_no_correlation_of_the_earlier_run_in_its_report(workspace):
    sources = [{"name": "pretrain", "stage": "pretrain", "format": "llava",
                "path": str(write_json(workspace / "pretrain.json", PRETRAIN))}]
    accuracy = workspace / "accuracy.csv"
    accuracy.write_text("class,accuracy\n" + "".join(f"{index},{index % 10 / 10}\n" for index in range(1000)))
    with_accuracy = parse_run({"name": "mix", "class_set": "imagenet1k", "sources": sources,
                               "accuracy": [{"path": str(accuracy), "model": "m", "keys": "indices"}]})
    run_pipeline(with_accuracy)
    page = workspace / "work" / "mix" / "report.html"
    assert 'id="correlations"' in page.read_text()
    run_pipeline(parse_run({"name": "mix", "class_set": "imagenet1k", "sources": sources}))
    text = page.read_text()
    assert "This run counts only" in text and 'id="correlations"' not in text and 'id="sensitivity"' not in text
