"""End to end on tiny inputs in the exact LLaVA formats, counted against ImageNet-1k."""

import duckdb
import pytest

from pipeline.core.config import parse_run
from pipeline.runner import run_pipeline

from ..conftest import write_json

pytestmark = pytest.mark.slow  # whole pipelines or process pools: see docs/README.md

GOOSE, GREAT_WHITE, TIGER_SHARK, HAMMERHEAD = "n01855672", "n01484850", "n01491361", "n01494475"
MISSILE, PROJECTILE = "n03773504", "n04008634"
SUNGLASSES, SUNGLASS = "n04356056", "n04355933"
TENCH, MOUSETRAP, TABBY, COMPUTER_MOUSE = "n01440764", "n03794056", "n02123045", "n03793489"

PRETRAIN = [  # blip_laion_cc_sbu_558k.json: the caption is the gpt turn, <image> after the prompt
    {"id": "004539375", "image": "00453/004539375.jpg", "conversations": [
        {"from": "human", "value": "Render a clear and concise summary of the photo.\n<image>"},
        {"from": "gpt", "value": "two geese on a frozen pond"}]},
    {"id": "002239345", "image": "00223/002239345.jpg", "conversations": [
        {"from": "human", "value": "<image>\nWrite a terse but informative summary of the picture."},
        {"from": "gpt", "value": "great white shark"}]},
]
INSTRUCT = [  # llava_v1_5_mix665k.json: string and numeric ids, an item without image
    {"id": "000000033471", "image": "coco/train2017/000000033471.jpg", "conversations": [
        {"from": "human", "value": "<image>\nWhat is shown?"},
        {"from": "gpt", "value": "A missile next to a man wearing sunglasses."},
        {"from": "human", "value": "Anything else?"},
        {"from": "gpt", "value": "A tench"}]},
    {"id": 12345, "conversations": [
        {"from": "human", "value": "Name a fish."},
        {"from": "gpt", "value": "Tench."}]},
]


@pytest.fixture
def counted(workspace):
    pretrain = write_json(workspace / "blip_laion_cc_sbu_558k.json", PRETRAIN)
    instruct = write_json(workspace / "llava_v1_5_mix665k.json", INSTRUCT)
    run = parse_run({
        "name": "tiny",
        "class_set": "imagenet1k",
        "options": {"policy": "keep"},  # every term counts: these tests are about matching, not disambiguation
        "sources": [
            {"name": "pretrain", "stage": "pretrain", "format": "llava", "path": str(pretrain)},
            {"name": "instruct", "stage": "instruct", "format": "llava", "path": str(instruct)},
        ],
    })
    run_pipeline(run, ["ingest", "normalize", "synonyms", "match", "count"])
    connection = duckdb.connect(str(run.database), read_only=True)
    yield run, connection
    connection.close()


def frequency(connection, class_id, scope="combined"):
    return connection.execute(
        "select n_docs, n_mentions, n_conversations from class_frequency_by_scope where class_id = ? and scope = ?",
        [class_id, scope],
    ).fetchone()


def test_plural_counts_the_class(counted):
    _, connection = counted
    assert frequency(connection, GOOSE) == (1, 1, 1)


def test_great_white_shark_counts_once_and_not_as_other_sharks(counted):
    _, connection = counted
    assert frequency(connection, GREAT_WHITE) == (1, 1, 1)
    assert frequency(connection, TIGER_SHARK) == (0, 0, 0)
    assert frequency(connection, HAMMERHEAD) == (0, 0, 0)


def test_a_name_that_is_the_whole_text_counts(counted):
    # "great white shark" is both the first and the last token of its caption; "Tench." likewise
    _, connection = counted
    assert frequency(connection, TENCH, "instruct") == (2, 2, 2)


def test_a_class_seen_only_in_instruction_data_is_kept(counted):
    _, connection = counted
    assert frequency(connection, TENCH, "pretrain") == (0, 0, 0)
    assert frequency(connection, TENCH, "combined") == (2, 2, 2)


def test_duplicate_display_names_stay_separate_classes(counted):
    _, connection = counted
    names = dict(connection.execute(
        "select class_id, display_name from classes where class_id in (?, ?, ?, ?)",
        [MISSILE, PROJECTILE, SUNGLASSES, SUNGLASS]).fetchall())
    assert names[MISSILE] == names[PROJECTILE] == "missile"
    assert names[SUNGLASSES] == names[SUNGLASS] == "sunglasses"
    # one mention of a shared name is a mention of each class that bears it, each on its own row
    assert frequency(connection, MISSILE) == (1, 1, 1)
    assert frequency(connection, PROJECTILE) == (1, 1, 1)


def test_zero_frequency_classes_are_rows_with_zeros(counted):
    _, connection = counted
    per_scope = connection.execute(
        "select scope, count(*), count(distinct class_id), sum(n_docs) from class_frequency_by_scope group by scope order by scope"
    ).fetchall()
    assert [row[0] for row in per_scope] == ["combined", "instruct", "pretrain", "source:instruct", "source:pretrain"]
    assert all(row[1] == 1000 and row[2] == 1000 for row in per_scope)
    assert frequency(connection, MOUSETRAP) == (0, 0, 0)
    slices = connection.execute("select count(*) from documents_summary").fetchone()[0]
    assert connection.execute("select count(*) from class_frequency").fetchone()[0] == 1000 * slices


def test_image_placeholder_never_counts_as_text(counted):
    run, connection = counted
    words = dict(connection.execute("select source, sum(n_words) from documents_summary group by source").fetchall())
    # pretrain: prompt 1 (9 words) + "two geese on a frozen pond" (6) + prompt 2 (9) + "great white shark" (3)
    assert words["pretrain"] == 9 + 6 + 9 + 3
    texts = connection.execute(
        "select text from read_parquet(?) where text like '%<image>%' or text like '%image%'",
        [str(run.work_dir / "ingest-*" / "*.parquet")],
    ).fetchall()
    assert texts == []


def test_rerun_with_unchanged_inputs_does_no_work(counted):
    run, connection = counted
    connection.close()
    results = run_pipeline(run, ["ingest", "normalize", "synonyms", "match", "count"])
    assert all(result.skipped for result in results)


def test_policies_sit_side_by_side_and_the_raw_counts_beside_the_run_policy(counted):
    _, connection = counted
    by_policy = dict(connection.execute(
        "select policy, n_docs from class_frequency_by_policy where class_id = ? and scope = 'combined'", [MISSILE]).fetchall())
    # "missile" is shared by two classes and the caption has no word of either gloss; the sense model, with no
    # evidence either way, leaves each class at its prior of 1/2, so `sense` counts it for both, like keep
    assert by_policy == {"keep": 1.0, "drop": 1.0, "split": 0.5, "context": 0.0, "sense": 1.0}
    raw = connection.execute(
        "select n_docs, n_docs_raw from class_frequency_by_scope where class_id = ? and scope = 'combined'", [MISSILE]).fetchone()
    assert raw == (1.0, 1)


@pytest.mark.parametrize("hypernyms, expected", [(False, 0), (True, 1)])
def test_parent_concepts_are_counted_apart_only_when_asked(workspace, hypernyms, expected):
    captions = write_json(workspace / "captions.json", [
        {"id": "1", "conversations": [{"from": "gpt", "value": "a cat asleep on a sofa"}]},
        {"id": "2", "conversations": [{"from": "gpt", "value": "a tabby cat"}]},
    ])
    run = parse_run({
        "name": f"parents-{hypernyms}", "class_set": "imagenet1k",
        "options": {"policy": "keep", "hypernyms": hypernyms, "workers": 1},
        "sources": [{"name": "captions", "stage": "pretrain", "format": "llava", "path": str(captions)}],
    })
    run_pipeline(run, ["ingest", "normalize", "synonyms", "match", "count"])
    with duckdb.connect(str(run.database), read_only=True) as connection:
        n_docs, n_parent = connection.execute(
            "select n_docs, n_docs_hypernym from class_frequency_by_scope where class_id = ? and scope = 'combined'",
            [TABBY]).fetchall()[0]
    # "tabby cat" is the class itself; "cat" alone names its parent concept, counted apart
    assert (n_docs, n_parent) == (1, expected)


def test_a_proper_name_counts_for_the_class_under_keep_but_not_under_sense(workspace):
    captions = write_json(workspace / "captions.json", [
        {"id": "1", "conversations": [{"from": "gpt", "value": "a girl holding a Minnie Mouse doll"}]},
        {"id": "2", "conversations": [{"from": "gpt", "value": "a mouse next to the keyboard"}]},
    ])
    run = parse_run({
        "name": "proper-names", "class_set": "imagenet1k", "options": {"workers": 1},
        "sources": [{"name": "captions", "stage": "pretrain", "format": "llava", "path": str(captions)}],
    })
    run_pipeline(run, ["ingest", "normalize", "synonyms", "match", "count"])
    with duckdb.connect(str(run.database), read_only=True) as connection:
        mentions = connection.execute("""
            select mentions.doc_id, proper_name, weight_keep::double, weight_sense::double, mentions.sense_probability,
                   senses.sense_probability
            from mentions join mention_senses as senses using (doc_id, start, class_id)
            where class_id = ? order by doc_id""", [COMPUTER_MOUSE]).fetchall()
    # "mouse" is flagged (the rodent) and written in lower case: Minnie Mouse is no computer mouse under sense,
    # whatever the sense model says; the mouse by the keyboard is left to the sense model
    minnie, keyboard = mentions
    assert minnie[:5] == ("captions:0:0", True, 1.0, 0.0, 0.0)
    model = keyboard[5]
    assert keyboard == ("captions:1:0", False, 1.0, float(model >= 0.5), model, model)
