"""Provenance that cannot lie: a stage run alone first brings what it reads up to date, the report shows each
input as the stage that read it recorded it, and a report belongs to one work folder."""

import json

import duckdb
import pytest

from pipeline.core.config import parse_run
from pipeline.core.stage import file_sha256, read_manifest
from pipeline.runner import run_pipeline

from ..conftest import project_directory, write_json
from .test_pipeline_llava import GOOSE, PRETRAIN

pytestmark = pytest.mark.slow  # whole pipelines

GEESE = {"id": "x1", "conversations": [{"from": "human", "value": "<image>\nDescribe."},
                                       {"from": "gpt", "value": "a goose and its goslings"}]}


def counts_run(source):
    return parse_run({"name": "prov", "class_set": "imagenet1k", "sources": [
        {"name": "pretrain", "stage": "pretrain", "format": "llava", "path": str(source)}]})


def goose_documents(run) -> int:
    with duckdb.connect(str(run.database), read_only=True) as connection:
        return connection.execute("select n_docs from class_frequency_by_scope where class_id = $c and scope = 'combined'",
                                  {"c": GOOSE}).fetchone()[0]


def test_a_stage_run_alone_reruns_a_stale_ingest_and_the_report_shows_the_file_that_was_read(workspace):
    source = write_json(workspace / "pretrain.json", PRETRAIN)
    run = counts_run(source)
    run_pipeline(run)
    assert goose_documents(run) == 1
    write_json(source, [*PRETRAIN, GEESE])
    ran = {result.stage: result.skipped for result in run_pipeline(run, ["count"])}
    assert ran["ingest"] is False and ran["count"] is False  # not "inputs unchanged"
    assert goose_documents(run) == 2
    run_pipeline(run, ["report"])
    recorded = read_manifest(run.work_dir, "ingest")["details"]["sources"][0]["sha256"]
    assert recorded == file_sha256(source)
    page = run.report.read_text()
    assert recorded in page
    # edited again, the report asked for alone counts the new file before it names it
    write_json(source, PRETRAIN)
    ran = {result.stage: result.skipped for result in run_pipeline(run, ["report"])}
    assert ran["ingest"] is False and ran["report"] is False and goose_documents(run) == 1
    assert file_sha256(source) in run.report.read_text() and recorded not in run.report.read_text()


def test_two_work_folders_keep_two_reports_and_a_report_overwritten_from_outside_is_made_again(tmp_path):
    source = write_json(tmp_path / "pretrain.json", PRETRAIN)
    reports = {}
    for folder in ("first", "second"):
        (tmp_path / folder).mkdir()
        with project_directory(tmp_path / folder):
            run = counts_run(source)
            run_pipeline(run)
            reports[folder] = run.report
    assert reports["first"] != reports["second"] and all(path.exists() for path in reports.values())
    reports["first"].write_text("<p>another run's page</p>")
    with project_directory(tmp_path / "first"):
        results = run_pipeline(counts_run(source), ["report"])
    assert results[-1].stage == "report" and results[-1].skipped is False
    assert "another run" not in reports["first"].read_text()
    assert json.loads((tmp_path / "first" / "work" / "prov" / "manifests" / "report.json").read_text())[
        "outputs"]["report"] == str(reports["first"])
