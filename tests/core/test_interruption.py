"""Interrupted runs, concurrent runs and reruns: a SIGKILL in the middle of any stage loses nothing and corrupts
nothing, a second process on the same work directory is refused, and an unchanged rerun does no work.

The kill lands at a known moment through the documented test hook `CLASSFREQ_TEST_PAUSE_AT`
(`pipeline.stage.pause_point`): the latest point before a stage commits, when its new outputs are
all written (file stages: the manifest is written but not renamed; database stages: inside the
open transaction; report: the new page is written but not renamed).
"""

from __future__ import annotations

import hashlib
import json
import signal
from pathlib import Path

import duckdb
import pytest

from pipeline.core.config import load_run
from pipeline.core.errors import ClassfreqError
from pipeline.runner import ordered, run_pipeline
from pipeline.stages import STAGES as DECLARED
from pipeline.stages.accuracy import ACCURACY_TABLES
from pipeline.stages.correlate import CORRELATE_TABLES
from pipeline.stages.count import COUNT_TABLES
from pipeline.stages.published import PUBLISHED_TABLES
from pipeline.stages.sensitivity import SENSITIVITY_TABLES

from ..cli_runs import classfreq, start_classfreq, wait_until_paused, write_run
from ..conftest import project_directory

pytestmark = pytest.mark.slow  # whole pipelines or process pools: see docs/README.md

RUN_NAME = "interrupted"
STAGES = [stage.name for stage in ordered(DECLARED)]
FILE_STAGES = ("ingest", "normalize", "synonyms", "match", "published")
STAGE_TABLES = {  # each database stage's own tables, as the stage declares them
    "count": COUNT_TABLES,
    "published": PUBLISHED_TABLES,
    "accuracy": ACCURACY_TABLES,
    "correlate": CORRELATE_TABLES,
    "sensitivity": SENSITIVITY_TABLES,
}

VERSIONS = {  # two states of the inputs; going from one to the other changes every stage's fingerprint
    1: {
        "class_set": "imagenet1k",
        "texts": ["two geese near a tench", "a great white shark", "Goldfish in a bowl, a goose, a hen"],
        "accuracy": "class,accuracy\ntench,0.9\ngoldfish,0.5\ngreat white shark,0.7\ngoose,0.2\nhen,0.4\n",
    },
    2: {
        "class_set": "caltech101",
        "texts": ["dolphins and an elephant", "an elephant", "a leopard chasing an emu", "a dalmatian on a chair"],
        "accuracy": "class,accuracy\ndolphin,0.8\nelephant,0.9\nleopard,0.3\nemu,0.1\ndalmatian,0.6\nchair,0.5\n",
    },
}


def kill_point(stage: str) -> str:
    if stage in STAGE_TABLES:
        return f"{stage}:commit"
    if stage == "report":
        return "write:report.html"
    return f"write:{stage}.json"


def use_version(directory: Path, version: int) -> Path:
    """Writes the inputs of `version` into `directory` and returns the run file (paths relative to it)."""
    inputs = VERSIONS[version]
    items = [{"id": str(i), "conversations": [{"from": "human", "value": "<image>\nDescribe."},
                                               {"from": "gpt", "value": text}]} for i, text in enumerate(inputs["texts"])]
    (directory / "captions.json").write_text(json.dumps(items), encoding="utf-8")
    (directory / "accuracy.csv").write_text(inputs["accuracy"], encoding="utf-8")
    return write_run(directory / "run.toml", {
        "name": RUN_NAME, "class_set": inputs["class_set"],
        "options": {"workers": 1, "max_unresolved_share": 0.5},
        "sources": [{"name": "captions", "stage": "pretrain", "format": "llava", "path": "captions.json"}],
        "accuracy": [{"path": "accuracy.csv", "model": "model-a"}],
    })


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stage_state(directory: Path) -> dict[str, dict]:
    """Per stage: its manifest, the files of its output folders, its database tables, and (report) the page."""
    work = directory / "work" / RUN_NAME
    database = work / "classfreq.duckdb"
    tables = {}
    if database.exists():
        with duckdb.connect(str(database), read_only=True) as connection:
            present = {row[0] for row in connection.execute("select table_name from information_schema.tables").fetchall()}
            tables = {name: connection.execute(f'select * from "{name}" order by all').fetchall()
                      for names in STAGE_TABLES.values() for name in names if name in present}
    state = {}
    for stage in STAGES:
        manifest = work / "manifests" / f"{stage}.json"
        state[stage] = {
            "manifest": manifest.read_text() if manifest.exists() else None,
            "files": {str(path.relative_to(work)): sha256(path) for path in sorted(work.glob(f"{stage}-*/**/*"))
                      if path.is_file()},
            "tables": {name: tables.get(name) for name in STAGE_TABLES.get(stage, ())},
        }
    report = directory / "work" / RUN_NAME / "report.html"
    state["report"]["page"] = sha256(report) if report.exists() else None
    return state


def results(directory: Path) -> dict:
    """What a run produced, without the fingerprint-named paths: every table, and the report page with the
    run's own directory (named in its provenance) taken out."""
    state = stage_state(directory)
    report = directory / "work" / RUN_NAME / "report.html"
    page = report.read_text(encoding="utf-8").replace(str(directory), "<workspace>") if report.exists() else None
    return {"tables": {stage: state[stage]["tables"] for stage in STAGE_TABLES}, "report": page}


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """The results of version 2 computed in one uninterrupted run."""
    directory = tmp_path_factory.mktemp("uninterrupted")
    with project_directory(directory):
        run_pipeline(load_run(use_version(directory, 2)))
    return results(directory)


@pytest.mark.parametrize("stage", list(STAGES))
def test_sigkill_in_the_middle_of_a_stage_keeps_previous_outputs_and_the_rerun_matches(workspace, uninterrupted, stage):
    run_pipeline(load_run(use_version(workspace, 1)))
    before = stage_state(workspace)
    run_file = use_version(workspace, 2)

    child = start_classfreq("all", "--run", str(run_file), cwd=workspace, work=workspace / "work",
                            CLASSFREQ_TEST_PAUSE_AT=kill_point(stage))
    try:
        wait_until_paused(child, kill_point(stage))
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        child.stderr.close()

    after = stage_state(workspace)
    later = list(STAGES)[list(STAGES).index(stage):]
    for name in later:  # the killed stage and every later one: as the previous run left them
        assert after[name]["manifest"] == before[name]["manifest"], name
        assert after[name]["tables"] == before[name]["tables"], name
        assert after[name].get("page") == before[name].get("page"), name
        # the previous output files are untouched; the killed stage's uncommitted folder may sit beside them
        assert before[name]["files"].items() <= after[name]["files"].items(), name
    for name in list(STAGES)[: len(STAGES) - len(later)]:  # the earlier ones did finish with the new inputs
        assert after[name]["manifest"] != before[name]["manifest"], name

    run_pipeline(load_run(run_file))
    assert results(workspace) == uninterrupted
    work = workspace / "work" / RUN_NAME
    assert sorted(path.name.split("-")[0] for path in work.glob("*-*")) == sorted(FILE_STAGES)
    assert [path for path in workspace.rglob("*.tmp")] == []


def test_a_second_run_on_the_same_work_directory_is_refused(workspace, uninterrupted):
    run_file = use_version(workspace, 2)
    first = start_classfreq("all", "--run", str(run_file), cwd=workspace, work=workspace / "work",
                            CLASSFREQ_TEST_PAUSE_AT="write:normalize.json")
    try:
        wait_until_paused(first, "write:normalize.json")
        second = classfreq("all", "--run", str(run_file), cwd=workspace, work=workspace / "work")
        assert second.returncode == 2
        assert "Traceback" not in second.stderr
        lock = workspace / "work" / RUN_NAME / ".lock"
        assert second.stderr.strip() == (f"error: another classfreq process is working in {lock.parent}; "
                                         f"wait for it to finish (the lock is {lock})")
        with pytest.raises(ClassfreqError, match="another classfreq process is working"):
            run_pipeline(load_run(run_file))
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
        first.stdout.close()
        first.stderr.close()
    # the refused runs changed nothing; once the first process is gone, the work directory is usable
    run_pipeline(load_run(run_file))
    assert results(workspace) == uninterrupted


def test_rerunning_everything_on_unchanged_inputs_does_no_work_and_changes_nothing(workspace):
    run_file = use_version(workspace, 2)
    run_pipeline(load_run(run_file))
    database = workspace / "work" / RUN_NAME / "classfreq.duckdb"
    report = workspace / "work" / RUN_NAME / "report.html"
    before = (stage_state(workspace), sha256(database), report.stat().st_mtime_ns)

    rerun = run_pipeline(load_run(run_file))
    assert [(result.stage, result.skipped) for result in rerun] == [(stage, True) for stage in STAGES]
    assert (stage_state(workspace), sha256(database), report.stat().st_mtime_ns) == before

    expected = results(workspace)
    forced = run_pipeline(load_run(run_file), force=True)  # forced work gives the same results
    assert not any(result.skipped for result in forced)
    assert results(workspace) == expected
