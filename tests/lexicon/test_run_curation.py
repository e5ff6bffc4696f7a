"""A run's own curation files: read with the checks of the shipped ones, every wrong row named by its file and line,
and merged with the shipped rows (a run's row replacing a shipped row with the same key)."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.core.config import parse_run
from pipeline.core.errors import ClassfreqError
from pipeline.core.stage import fingerprint
from pipeline.core.step import StageContext
from pipeline.lexicon.curation import read_curation_file
from pipeline.lexicon.synonyms import build_lexicon, read_curation
from pipeline.stages.synonyms import parameters

from ..cli_runs import classfreq, write_run
from .test_synonyms import CLASSES


def written(tmp_path, text: str, name: str = "mine.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def refusal(path, kind: str) -> str:
    with pytest.raises(ClassfreqError) as error:
        read_curation_file(path, kind)
    return str(error.value)


@pytest.mark.parametrize(("kind", "text", "message"), [
    ("exclusions", "class_id,term\nbicycle,wheel\n", "line 1: the columns of exclusions are class_id,term,reason, not class_id,term"),
    ("additions", "", "line 1: the columns of additions are class_id,term,note, not none"),
    ("exclusions", "class_id,term,reason\nbicycle,,a part\n", "line 2: empty term"),
    ("additions", "class_id,term,note\n,bike,\n", "line 2: empty class_id"),
    ("additions", "class_id,term,note\nbicycle,--,\n", "line 2: '--' has no words"),
    ("exclusions", "class_id,term,reason\nbicycle,wheel,\n", "line 2: no reason: every row of exclusions says why"),
    ("blocking_compounds", "term,reason\nhot dog stand\n", "line 2: 1 fields where the header has 2"),
    ("exclusions", "class_id,term,reason\nbicycle,wheel,a part\n\nbicycle,Wheels,again\n",
     "line 4: repeats the class_id/term of line 2"),
    ("blocking_compounds", 'term,reason\n"train\nstation",a place\ntrain station,again\n',
     "line 4: repeats the term of line 2"),
])
def test_a_wrong_row_is_named_by_its_file_line_and_reason(tmp_path, kind, text, message):
    path = written(tmp_path, text)
    assert refusal(path, kind) == f"{path}: {message}"


def test_a_missing_or_undecodable_file_is_named(tmp_path):
    assert refusal(tmp_path / "absent.csv", "additions") == f"{tmp_path / 'absent.csv'}: no such additions file"
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"class_id,term,note\nbicycle,v\xe9lo,\n")
    bad = b"\xe9lo,"
    assert refusal(path, "additions") == f"{path}: byte 28: not valid UTF-8: {bad!r}"


def test_rows_are_stripped_and_carry_their_place_in_any_column_order_and_a_spreadsheet_bom_is_allowed(tmp_path):
    path = written(tmp_path, "reason,term\r\n a shirt , tank top \r\n", encoding="utf-8-sig")
    frame = read_curation_file(path, "blocking_compounds")
    assert frame.rows(named=True) == [{"term": "tank top", "reason": "a shirt", "where": f"{path}: line 2"}]


def test_a_runs_rows_join_the_shipped_ones_and_replace_a_shipped_row_with_the_same_key(tmp_path):
    shipped = read_curation("imagenet1k")
    head = shipped.exclusions.filter(pl.col("term") == "head")
    path = written(tmp_path, f"class_id,term,reason\n{head['class_id'].item()},Heads,my reason\n")
    compounds = written(tmp_path, "term,reason\nhot dog stand,a stall\n", name="compounds.csv")
    merged = read_curation("imagenet1k", {"exclusions": path, "blocking_compounds": compounds})
    assert merged.exclusions.height == shipped.exclusions.height
    assert merged.exclusions.filter(pl.col("class_id") == head["class_id"].item())["reason"].to_list() == ["my reason"]
    assert merged.blocking_compounds.height == shipped.blocking_compounds.height + 1
    assert merged.blocking_compounds["where"].to_list()[-1] == f"{compounds}: line 2"


def test_a_row_naming_a_class_or_term_the_set_does_not_have_is_named_by_its_line(tmp_path):
    additions = written(tmp_path, "class_id,term,note\ntank,battle tank,\nno_such_class,x,\nnor_this,y,\n")
    with pytest.raises(ClassfreqError) as error:
        build_lexicon(CLASSES, read_curation("none", {"additions": additions}))
    assert str(error.value) == (f"{additions}: line 3: names class 'no_such_class', which this class set does not have "
                                "(and 1 more rows like it)")
    exclusions = written(tmp_path, "class_id,term,reason\ntank,kite,not a tank\n", name="exclusions.csv")
    with pytest.raises(ClassfreqError) as error:
        build_lexicon(CLASSES, read_curation("none", {"exclusions": exclusions}))
    assert str(error.value) == f"{exclusions}: line 2: excludes 'kite', which is not a term of class 'tank'"


@pytest.mark.slow  # the synonyms stage in a child process
@pytest.mark.parametrize(("exclusions", "message"), [
    ("class_id,term,reason\nbicycle,bike,a test\nbicycel,wheel,a typo\n",
     "error: exclusions.csv: line 3: names class 'bicycel', which this class set does not have"),
    (None, "error: curation.exclusions: no file at exclusions.csv"),
])
def test_the_command_names_a_wrong_run_local_row_and_exits_2(workspace, exclusions, message):
    (workspace / "classes.txt").write_text("bicycle\nkite\n")
    if exclusions is not None:
        (workspace / "exclusions.csv").write_text(exclusions)
    write_run(workspace / "mine.toml", {
        "class_set": "mine", "classes_file": "classes.txt", "curation": {"exclusions": "exclusions.csv"},
        "sources": [{"name": "captions", "stage": "pretrain", "format": "llava", "path": "captions.json"}]})
    done = classfreq("synonyms", "--run", "mine.toml", cwd=workspace, work=workspace / "work")
    assert (done.returncode, done.stderr.strip()) == (2, message), done.stderr


def test_the_cached_lexicons_key_holds_each_run_file_by_its_kind_and_content(tmp_path):
    # lexicons are reused across runs by this key: a run-local file left out of it would bring back a stale lexicon
    path = written(tmp_path, "class_id,term,note\n")

    def key(**curation) -> str:
        run = parse_run({"name": "r", "class_set": "imagenet1k", "curation": curation,
                         "sources": [{"name": "s", "stage": "pretrain", "format": "tsv", "path": "x.tsv"}]})
        return fingerprint(parameters(StageContext(run=run, stage="synonyms", upstream={}, executor=None)))

    as_additions, as_exclusions = key(additions=str(path)), key(exclusions=str(path))
    assert len({key(), as_additions, as_exclusions}) == 3
    path.write_text("class_id,term,note\nn01440764,tinca,the genus\n")
    assert key(additions=str(path)) != as_additions
