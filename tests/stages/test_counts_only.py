"""A run without [[accuracy]]: `all` counts, reports the counts, and says what it left out and why."""

import duckdb
import pytest

from pipeline.core.config import load_run, parse_run
from pipeline.core.errors import ClassfreqError
from pipeline.runner import run_pipeline

from ..cli_runs import write_run
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


COCO_LIKE = ["person", "bicycle", "train", "toilet", "kite", "banana", "hot dog", "baseball bat", "baseball glove"]
CAPTIONS = [
    "A boy swings a baseball bat at a baseball game.",  # a class term beats the shared compound "baseball bat"
    "Two hot dogs and a banana on a plate.",
    "kids eating a hotdog",  # the run's addition
    "a hot dog stand by the road",  # the run's blocking compound: a stall, not the food
    "A kite flies over the train.",
    "A bicycle leans on a toilet.",
    "a wheel of cheese",  # WordNet's "wheel" of bicycle, excluded by the run
]


def test_a_custom_class_set_with_run_local_curation_counts_end_to_end(workspace):
    (workspace / "coco.txt").write_text("# COCO-like names\n" + "\n".join(COCO_LIKE) + "\n")
    (workspace / "additions.csv").write_text("class_id,term,note\nhot_dog,hotdog,the one-word spelling\n")
    (workspace / "exclusions.csv").write_text("class_id,term,reason\nbicycle,wheel,a part of any vehicle in captions\n")
    (workspace / "blocking.csv").write_text("term,reason\nhot dog stand,a stall: not the food\n")
    write_json(workspace / "captions.json", [{"id": str(index), "conversations": [{"from": "gpt", "value": caption}]}
                                             for index, caption in enumerate(CAPTIONS)])
    run_file = write_run(workspace / "coco.toml", {
        "class_set": "coco", "classes_file": "coco.txt",
        "curation": {"additions": "additions.csv", "exclusions": "exclusions.csv", "blocking_compounds": "blocking.csv"},
        "options": {"policy": "keep", "workers": 1},  # every term counts: the test is about terms, not disambiguation
        "sources": [{"name": "captions", "stage": "pretrain", "format": "llava", "path": "captions.json"}],
    })
    run = load_run(run_file)
    results = run_pipeline(run)
    assert {result.stage for result in results if result.not_run} == {"accuracy", "correlate", "sensitivity"}
    with duckdb.connect(str(run.database), read_only=True) as connection:
        counts = dict(connection.execute(
            "select class_id, n_docs from class_frequency_by_scope where scope = 'combined'").fetchall())
        lexicon = {(class_id, term): (status, reason) for class_id, term, status, reason in connection.execute(
            "select class_id, term, status, reason from lexicon").fetchall()}
    assert counts == {"person": 0, "bicycle": 1, "train": 1, "toilet": 1, "kite": 1, "banana": 1, "hot_dog": 2,
                      "baseball_bat": 1, "baseball_glove": 0}
    assert lexicon["baseball_bat", "baseball bat"] == (
        "counted", "blocking compound 'baseball bat' not applied: it is a class term of baseball_bat")
    assert lexicon["bicycle", "wheel"] == ("excluded", "a part of any vehicle in captions")
    assert lexicon["hot_dog", "hot dog stand"] == ("blocked", "a stall: not the food")
    assert lexicon["hot_dog", "hotdog"][0] == "counted"
    assert "This run counts only" in run.report.read_text()
