"""Accuracy import: every layout, percent detected, classes resolved by the most exact evidence."""

import json

import pytest

from pipeline.core.config import AccuracyInput
from pipeline.core.errors import InputError
from pipeline.stats.accuracy import read_accuracy_file, resolve_models

from ..text.test_scoring import CLASSES

HEN, ZEBRA, SEA_LION, FOX = "n01514859", "n02391049", "n02077923", "n02120079"


def resolved(models):
    table, summary, unresolved = resolve_models(models, CLASSES, "test")
    return ({(row["model"], row["class_id"]): (row["accuracy"], row["resolved_by"]) for row in table.iter_rows(named=True)},
            summary, unresolved)


def test_csv_with_sample_counts_and_every_kind_of_key(tmp_path):
    path = tmp_path / "llava.csv"
    path.write_text("class,accuracy,n\n8,0.5,10\nn02391049,0.25,4\nSea Lions,1.0,2\nwhite fox,0,3\nArctik fox,0.5,\n")
    models = read_accuracy_file(AccuracyInput(path=path, model="LLaVA"))
    assert models["LLaVA"][0] == ("8", 0.5, 10)
    table, summary, unresolved = resolved(models)
    assert table[("LLaVA", HEN)] == (0.5, "index")
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
    assert read_accuracy_file(AccuracyInput(path=plain, model="CLIP"))["CLIP"] == [("hen", 0.9, None), ("zebra", 0.8, None)]
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
