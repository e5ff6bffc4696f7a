"""The runner's view of the stage declarations: order, what a stage pulls in, and the names make knows."""

import re
from pathlib import Path

import pytest

from pipeline.core.config import parse_run
from pipeline.core.stage import StageOutput
from pipeline.core.step import Stage
from pipeline.runner import ordered, selected_stages, upstream_of
from pipeline.stages import STAGES

REPO = Path(__file__).resolve().parents[1]


def stage(name: str, needs: tuple[str, ...] = (), uses: tuple[str, ...] = ()) -> Stage:
    return Stage(name=name, summary=name, needs=needs, uses=uses, body=lambda context, output_dir: StageOutput())


def test_a_stage_runs_after_what_it_needs_or_uses_and_in_declaration_order_otherwise():
    declared = [stage("report", needs=("count",)), stage("ingest"), stage("count", needs=("ingest",), uses=("extra",)),
                stage("extra")]
    assert [s.name for s in ordered(declared)] == ["ingest", "extra", "count", "report"]


def test_declarations_that_cannot_be_ordered_are_refused():
    with pytest.raises(ValueError, match="need each other"):
        ordered([stage("a", needs=("b",)), stage("b", needs=("a",))])
    with pytest.raises(ValueError, match="not stages"):
        ordered([stage("a", uses=("typo",))])


def test_the_declared_stages_are_in_an_order_that_satisfies_them():
    assert ordered(STAGES) == STAGES
    for index, declared in enumerate(STAGES):
        assert set(declared.needs + declared.uses) <= {earlier.name for earlier in STAGES[:index]}


def test_a_stage_pulls_in_what_it_needs_and_named_stages_run_in_order():
    assert upstream_of("count") == ["ingest", "normalize", "synonyms", "match", "count"]
    assert [s.name for s in selected_stages(["report", "ingest"])] == ["ingest", "report"]


def test_the_makefile_knows_every_stage_and_no_other():
    make_stages = re.search(r"^STAGES := (.*)$", (REPO / "Makefile").read_text(), re.M).group(1).split()
    assert make_stages == [s.name for s in STAGES]


def test_every_stage_is_declared_once():
    assert len({s.name for s in STAGES}) == len(STAGES)


def test_a_stage_reads_what_it_uses_as_well_as_what_it_needs():
    assert upstream_of("report")[-1] == "report"
    assert {"ingest", "count", "accuracy", "correlate", "sensitivity", "published"} <= set(upstream_of("report"))


def test_a_stage_run_alone_brings_up_to_date_only_what_it_reads_under_the_run():
    source = {"name": "s", "stage": "pretrain", "format": "tsv", "path": "x.tsv"}
    counts_only = parse_run({"name": "c", "class_set": "imagenet1k", "sources": [source]})
    assert "published" not in upstream_of("report", run=counts_only)  # only sensitivity, which does not apply, reads it
    correlated = parse_run({"name": "a", "class_set": "imagenet1k", "sources": [source], "accuracy": [{"path": "a.csv"}]})
    assert "published" not in upstream_of("correlate", run=correlated)
    published = parse_run({"name": "p", "class_set": "imagenet1k", "sources": [source], "accuracy": [{"path": "a.csv"}],
                           "options": {"method": "vlmclassifier"}})
    assert "published" in upstream_of("correlate", run=published)
