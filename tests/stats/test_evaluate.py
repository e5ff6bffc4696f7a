"""The development set's schema and the scoring of policies on it."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.core.paths import DEVSET
from pipeline.lexicon.classsets import load_class_set
from pipeline.stats.devset import DEVSET_SCHEMA, draw, read_devset
from pipeline.stats.evaluation import score


def test_score_weights_each_occurrence():
    judged = pl.DataFrame({"policy": ["keep"] * 4 + ["split"] * 4, "label": [1, 1, 0, 0] * 2,
                           "weight": [1.0, 1.0, 1.0, 0.0, 0.5, 1.0, 0.5, 0.0]})
    scored = {row["policy"]: row for row in score(judged, ["policy"]).iter_rows(named=True)}
    assert scored["keep"]["precision"] == pytest.approx(2 / 3) and scored["keep"]["recall"] == 1.0
    assert scored["split"]["precision"] == pytest.approx(1.5 / 2) and scored["split"]["recall"] == pytest.approx(0.75)


def test_score_without_positives_or_counts_is_null():
    judged = pl.DataFrame({"term": ["kite", "kite"], "label": [0, 0], "weight": [0.0, 0.0]})
    row = score(judged, ["term"]).row(0, named=True)
    assert row["precision"] is None and row["recall"] is None and row["n_occurrences"] == 2


def test_draw_takes_each_stratum():
    found = pl.DataFrame({
        "doc_id": [f"d{i}" for i in range(9)], "term": ["kite", "kite", "kite", "hot dog", "goose", "tench", "tench", "tench", "tench"],
        "class_id": ["k"] * 3 + ["h", "g"] + ["t"] * 4, "flagged": [True] * 3 + [False] * 6,
        "n_tokens": [1, 1, 1, 2, 1, 1, 1, 1, 1], "inflected": [False] * 4 + [True] + [False] * 4,
    })
    drawn = draw(found, flagged=2, plural_or_compound=5, other=1, seed=0)
    assert drawn.height == 2 + 2 + 1
    assert sorted(drawn["term"].to_list()) == ["goose", "hot dog", "kite", "kite", "tench"]


def test_devset_is_references_only_labelled_and_unique():
    devset = read_devset()  # raises on a missing or non-0/1 label
    assert devset.columns == list(DEVSET_SCHEMA)  # no caption text, only where to find it
    assert devset.height >= 300
    assert not devset.select("source_file", "record", "term", "class_id").is_duplicated().any()
    assert (devset["term"].str.strip_chars() != "").all()
    assert set(devset["class_id"]) <= set(load_class_set("imagenet1k")["class_id"])
    assert set(devset["source_file"]) == {"captions/coco_captions_val2017.json", "captions/flickr8k_token.txt",
                                          "captions/cc3m_validation.tsv"}
    assert 0 < devset["label"].mean() < 1
    assert DEVSET.read_text(encoding="utf-8").count("\n") == devset.height + 1
