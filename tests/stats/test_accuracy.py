"""Accuracy import: every layout, percent detected, classes resolved by the most exact evidence."""

import json
import os
import re

import polars as pl
import pytest

from pipeline.core.config import AccuracyInput, parse_run
from pipeline.core.errors import ClassfreqError, InputError
from pipeline.stats.accuracy import (
    Entry,
    check_unique_models,
    check_unresolved_share,
    import_accuracy,
    read_accuracy_file,
    resolve_models,
)

from ..text.test_scoring import CLASSES

HEN, ZEBRA, SEA_LION, FOX = "n01514859", "n02391049", "n02077923", "n02120079"


def resolved(models):
    table, summary, unresolved = resolve_models({model: [Entry(*entry) for entry in entries]
                                                 for model, entries in models.items()}, CLASSES, "test")
    return ({(row["model"], row["class_id"]): (row["accuracy"], row["resolved_by"]) for row in table.iter_rows(named=True)},
            summary, unresolved)


def test_csv_with_sample_counts_and_every_kind_of_key(tmp_path):
    path = tmp_path / "llava.csv"
    path.write_text("class,accuracy,n\nHEN,0.5,10\nn02391049,0.25,4\nSea Lions,1.0,2\nwhite fox,0,3\nArctik fox,0.5,\n")
    models = read_accuracy_file(AccuracyInput(path=path, model="LLaVA"))
    assert models["LLaVA"][0] == ("HEN", 0.5, 10, "line 2", "accuracy")
    table, summary, unresolved = resolved(models)
    assert table[("LLaVA", HEN)] == (0.5, "name")
    assert table[("LLaVA", ZEBRA)] == (0.25, "wnid")
    assert table[("LLaVA", SEA_LION)] == (1.0, "normalized_name")
    assert table[("LLaVA", FOX)] == (0.0, "wordnet_lemma")
    # the misspelt key would resolve to the fox by fuzzy match, but the fox is already taken
    assert unresolved["key"].to_list() == ["Arctik fox"] and "duplicate" in unresolved["reason"][0]
    assert summary.row(0, named=True)["scale"] == "fraction"


def test_tsv_in_percent_is_scaled_and_the_scale_stated(tmp_path):
    path = tmp_path / "acc.tsv"
    path.write_text("class\taccuracy\nhen\t50\nzebra\t100\n")
    table, summary, _ = resolved(read_accuracy_file(AccuracyInput(path=path, format="tsv")))
    assert table[("acc", HEN)][0] == 0.5 and table[("acc", ZEBRA)][0] == 1.0
    assert summary["scale"].to_list() == ["percent"]


def test_json_object_and_the_openclip_results_layout(tmp_path):
    plain = tmp_path / "clip.json"
    plain.write_text(json.dumps({"hen": 0.9, "zebra": 0.8}))
    assert read_accuracy_file(AccuracyInput(path=plain, model="CLIP"))["CLIP"] == [("hen", 0.9, None, None, "hen"),
                                                                           ("zebra", 0.8, None, None, "zebra")]
    layout = tmp_path / "imagenet_ensemble_results.json"
    layout.write_text(json.dumps({
        "backboneViT-B-32_pretrainedlaion2b": {"full": 66.5, "classwise": {"hen": 70.0, "zebra": 96.0}},
        "backboneRN50_pretrainedcc3m": {"full": 20.1, "classwise": {"hen": 10.0, "zebra": 52.0}},
    }))
    models = read_accuracy_file(AccuracyInput(path=layout, format="openclip_results"))
    assert list(models) == ["ViT-B-32 laion2b", "RN50 cc3m"]
    table, summary, _ = resolved(models)
    assert table[("RN50 cc3m", ZEBRA)] == (0.52, "name")
    assert summary["scale"].to_list() == ["percent", "percent"]


def test_fuzzy_match_above_the_threshold_resolves(tmp_path):
    table, summary, _ = resolved({"m": [("zebrra", 0.5, None), ("sea loin", 0.5, None), ("horse", 0.1, None)]})
    assert table[("m", ZEBRA)][1] == "fuzzy:91"
    assert ("m", SEA_LION) not in table  # "sea loin" scores 87.5 < 90
    assert summary.row(0, named=True)["n_unresolved"] == 2 and summary["fuzzy_threshold"][0] == 90.0


def test_a_bad_number_names_file_line_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("class,accuracy\nhen,0.5\nzebra,high\n")
    with pytest.raises(InputError, match=r"bad.csv: line 3, field 'accuracy': expected a number, got 'high'"):
        read_accuracy_file(AccuracyInput(path=path))


def accuracy_error(tmp_path, name, text, **spec):
    """The message of the InputError (a ClassfreqError) that reading and resolving the file stops with."""
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(ClassfreqError) as raised:
        imported(AccuracyInput(path=path, **spec))
    return str(raised.value)


def imported(spec):
    return import_accuracy(spec, CLASSES, None)


@pytest.mark.parametrize(("text", "where", "reason"), [
    ("class,accuracy\nhen,0.5\nzebra,nan\n", "line 3, field 'accuracy'", "not a finite number: nan"),
    ("class,accuracy\nhen,inf\nzebra,50\n", "line 2, field 'accuracy'", "not a finite number: inf"),
    ("class,accuracy\nhen,-inf\n", "line 2, field 'accuracy'", "not a finite number: -inf"),
    ("class,accuracy\nhen,0.5\nzebra,-0.1\n", "line 3, field 'accuracy'", "below 0: -0.1"),
    ("class,accuracy\nhen,50\nzebra,100.5\n", "line 3, field 'accuracy'", "above 100, so neither a fraction nor a percentage: 100.5"),
    ("class,accuracy,n\nhen,0.5,ten\n", "line 2, field 'n'", "expected a whole number of images (1 or more): 'ten'"),
    ("class,accuracy,n\nhen,0.5,0\n", "line 2, field 'n'", "expected a whole number of images (1 or more): '0'"),
    ("class,accuracy\nhen,0.5\nzebra,0.25\nhen,0.75\n", "line 4, field 'class'", "class key again (first on line 2): 'hen'"),
    ("class,accuracy\n", None, "no accuracy rows after the header"),
    ("class,accuracy,accuracy\nhen,0.1,0.9\n", "header", "repeated column name 'accuracy'"),
    ("class,accuracy\nhen,0.1,0.9\n", "line 2", "has 3 columns, the header has 2"),
    ("", None, "the file is empty"),
])
def test_a_bad_value_names_the_file_the_line_and_the_reason(tmp_path, text, where, reason):
    message = accuracy_error(tmp_path, "acc.csv", text)
    assert message == f"{tmp_path / 'acc.csv'}: {where + ': ' if where else ''}{reason}"


def test_inf_in_json_is_refused_and_never_turns_the_other_values_into_percent(tmp_path):
    # 1e400 parses as inf; before, it made the scale percent and divided 0.5 by 100
    message = accuracy_error(tmp_path, "clip.json", '{"hen": 0.5, "zebra": 1e400}')
    assert message.endswith("clip.json: field 'zebra': not a finite number: inf")
    assert accuracy_error(tmp_path, "clip.json", '{"hen": NaN}').endswith("field 'hen': not a finite number: nan")


def test_a_duplicate_json_key_is_refused_not_silently_overwritten(tmp_path):
    message = accuracy_error(tmp_path, "clip.json", '{"hen": 0.5, "zebra": 0.25, "hen": 0.75}')
    assert message.endswith("clip.json: field 'hen': duplicate key in a JSON object (JSON keeps only the last value)")
    layout = '{"backboneA_pretrainedB": {"classwise": {"hen": 1}}, "A B": {"classwise": {"hen": 2}}}'
    assert accuracy_error(tmp_path, "r.json", layout).endswith(
        "r.json: model 'A B': names the same model as 'backboneA_pretrainedB': 'A B'")


def test_fractions_and_percents_mixed_in_one_model_are_refused(tmp_path):
    text = "class,accuracy\nhen,0.5\nrooster,0.25\nzebra,0.75\nsea lion,40\n"
    message = accuracy_error(tmp_path, "mix.csv", text)
    assert message == (f"{tmp_path / 'mix.csv'}: line 2, field 'accuracy': mixes fractions and percentages: 3 of 4 "
                       "non-zero values are at most 1, and 'sea lion' (line 5) is 40; set scale = \"fraction\" or \"percent\" "
                       "on this [[accuracy]] entry: 0.5")
    # said outright, the scale decides: 0.5 % is a percentage like any other
    path = tmp_path / "mix.csv"
    table, summary, _ = imported(AccuracyInput(path=path, scale="percent"))
    assert dict(zip(table["class_id"], table["accuracy"]))[HEN] == 0.005 and summary["scale"][0] == "percent"
    assert accuracy_error(tmp_path, "mix.csv", text, scale="fraction").endswith(
        "line 5, field 'accuracy': above 1, the top of scale = \"fraction\": 40.0")
    layout = '{"backboneA_pretrainedB": {"classwise": {"hen": 0.5, "rooster": 0.25, "zebra": 40}}}'
    assert accuracy_error(tmp_path, "r.json", layout).endswith(
        "r.json: model 'backboneA_pretrainedB', field 'hen': mixes fractions and percentages: 2 of 3 non-zero values "
        "are at most 1, and 'zebra' (model 'backboneA_pretrainedB') is 40; set scale = \"fraction\" or \"percent\" "
        "on this [[accuracy]] entry: 0.5")
    # a few values of at most 1 among percentages are small percentages
    path.write_text("class,accuracy\nhen,0.5\nrooster,25\nzebra,75\nsea lion,0\n")
    table, summary, _ = imported(AccuracyInput(path=path))
    assert dict(zip(table["class_id"], table["accuracy"]))[HEN] == 0.005 and summary["scale"][0] == "percent"


def test_invalid_utf8_names_the_file_and_the_byte(tmp_path):
    message = accuracy_error(tmp_path, "acc.csv", b"class,accuracy\nh\xffn,0.5\n")
    assert message == f"{tmp_path / 'acc.csv'}: byte 16: not valid UTF-8: b'\\xffn,0'"
    assert accuracy_error(tmp_path, "a.json", b'\xef\xbb\xbf{"h\xc3": 1}').endswith(
        "a.json: byte 6: not valid UTF-8: b'\\xc3\": '")


def test_two_accuracy_entries_with_the_same_model_are_refused(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    for path in (first, second):
        path.write_text("class,accuracy\nhen,0.5\n")
    parts = [imported(AccuracyInput(path=path, model="m")) for path in (first, second)]
    with pytest.raises(ClassfreqError, match=r"^model 'm' comes from more than one \[\[accuracy\]\] entry "
                                             rf"\({re.escape(str(first))}, {re.escape(str(second))}\): give each its own"):
        check_unique_models(pl.concat([part[1] for part in parts]))


NUMBERED = pl.DataFrame({"class_id": ["c0", "c1", "c2", "c3"], "class_index": [0, 1, 2, 3], "wnid": [None] * 4,
                         "display_name": ["3", "2", "1", "cat"], "wordnet_lemmas": [None] * 4})


def test_keys_resolve_by_name_before_index_and_by_index_only_when_the_entry_says_so(tmp_path):
    path = tmp_path / "numbered.csv"
    path.write_text("class,accuracy\n1,0.1\n2,0.2\n3,0.3\ncat,0.4\n")
    table, _, unresolved = import_accuracy(AccuracyInput(path=path), NUMBERED, None)
    assert dict(zip(table["class_id"], table["accuracy"])) == {"c2": 0.1, "c1": 0.2, "c0": 0.3, "c3": 0.4}
    assert set(table["resolved_by"]) == {"name"} and unresolved.is_empty()
    path.write_text("class,accuracy\n1,0.1\n2,0.2\n3,0.3\n0,0.4\n")
    table, _, unresolved = import_accuracy(AccuracyInput(path=path, keys="indices"), NUMBERED, None)
    assert dict(zip(table["class_id"], table["accuracy"])) == {"c1": 0.1, "c2": 0.2, "c3": 0.3, "c0": 0.4}
    assert set(table["resolved_by"]) == {"index"}
    # by index, a name is no index; by name, a number that names no class says where to look
    path.write_text("class,accuracy\ncat,0.4\n7,0.5\n")
    _, _, unresolved = import_accuracy(AccuracyInput(path=path, keys="indices"), NUMBERED, None)
    assert dict(zip(unresolved["key"], unresolved["reason"])) == {"cat": "not a class index", "7": "no class index 7"}
    _, _, unresolved = import_accuracy(AccuracyInput(path=path), NUMBERED, None)
    assert dict(zip(unresolved["key"], unresolved["reason"]))["7"] == 'no match (class indices need keys = "indices")'
    with pytest.raises(ClassfreqError, match=r"accuracy\[0\].keys: 'index' is not one of names, indices: "
                                             r"did you mean 'indices'\?"):
        parse_run({"class_set": "numbers", "name": "n", "accuracy": [{"path": str(path), "keys": "index"}],
                   "sources": [{"name": "s", "stage": "pretrain", "format": "tsv", "path": "x.tsv"}]})


def test_no_resolved_key_in_any_model_is_an_error_not_an_empty_table(tmp_path):
    # with max_unresolved_share = 1 nothing else stops it, and sensitivity used to fail on the empty table
    path = tmp_path / "acc.csv"
    path.write_text("class,accuracy\nunicorn,0.5\ndragon,0.2\n")
    table, summary, unresolved = imported(AccuracyInput(path=path, model="m"))
    with pytest.raises(ClassfreqError, match=r"^no accuracy key of any \[\[accuracy\]\] entry resolved to a class of "
                                             r"imagenet1k \(e\.g\. 'unicorn' \(no match\), 'dragon' \(no match\)\): "
                                             "nothing to correlate"):
        check_unresolved_share(summary, unresolved, 1.0, "imagenet1k")


def test_json_nested_too_deep_or_a_path_that_is_no_file_is_named_not_a_traceback(tmp_path):
    message = accuracy_error(tmp_path, "deep.json", "[" * 5000 + "]" * 5000)
    assert message == f"{tmp_path / 'deep.json'}: record 0: nested too deep to be an accuracy file"
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)  # read, it would block forever
    with pytest.raises(ClassfreqError, match="pipe.csv: the accuracy file is not a regular file$"):
        imported(AccuracyInput(path=fifo))
