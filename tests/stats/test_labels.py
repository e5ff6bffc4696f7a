"""The labelled sets of synonyms/imagenet1k/labels/ (references only, never text), checked like dbt seeds:
unique keys, known classes, valid labels, a reason on every row, the sizes the evaluation needs, and a
fixed split into a tuning and a held-out half."""

import polars as pl

from pipeline.core.paths import LABELS_DIR
from pipeline.lexicon.classsets import load_class_set
from pipeline.stats.labels import HALVES, half_of, occurrence_labels, per_class_labels, recall_labels

REFERENCE = ["source_file", "record", "turn"]


def test_occurrences_are_unique_known_and_labelled():
    occurrences = occurrence_labels()
    assert pl.read_csv(LABELS_DIR / "occurrences.csv", n_rows=0).columns == [
        *REFERENCE, "term", "class_id", "sample", "label", "confidence", "reason"]
    assert not occurrences.select(*REFERENCE, "term", "class_id").is_duplicated().any()
    assert set(occurrences["class_id"]) <= set(load_class_set("imagenet1k")["class_id"])
    assert set(occurrences["label"]) == {0, 1}
    assert set(occurrences["confidence"]) <= {"high", "low"}
    assert (occurrences["reason"].fill_null("").str.strip_chars() != "").all()
    assert (occurrences["term"].fill_null("").str.strip_chars() != "").all()
    sizes = dict(occurrences.group_by("sample").len().iter_rows())
    assert sizes["random"] >= 800 and sizes["flagged"] >= 200


def test_recall_captions_are_unique_and_name_known_classes():
    assert pl.read_csv(LABELS_DIR / "recall.csv", n_rows=0).columns == [*REFERENCE, "class_ids", "note"]
    recall = recall_labels()
    assert recall.select(REFERENCE).n_unique() >= 300
    assert not recall.drop_nulls("class_id").select(*REFERENCE, "class_id").is_duplicated().any()
    named = recall.drop_nulls("class_id")
    assert named.height > 0 and set(named["class_id"]) <= set(load_class_set("imagenet1k")["class_id"])


def test_the_halves_are_fixed_by_the_reference_and_about_even():
    assert half_of("captions/flickr8k_token.txt", 10, 0) == half_of("captions/flickr8k_token.txt", 10, 0)
    assert {half_of("x", record, 0) for record in range(20)} == set(HALVES)
    occurrences = occurrence_labels()
    share = (occurrences["half"] == "tuning").mean()
    assert 0.4 < share < 0.6
    # every occurrence of a text unit is in the same half
    assert occurrences.group_by(REFERENCE).agg(pl.col("half").n_unique())["half"].max() == 1


def test_per_class_labels_are_unique_known_and_twenty_per_class():
    assert pl.read_csv(LABELS_DIR / "per_class.csv", n_rows=0).columns == [
        *REFERENCE, "class_id", "terms", "label", "confidence", "reason"]
    judged = per_class_labels()
    assert not judged.select(*REFERENCE, "class_id").is_duplicated().any()
    assert set(judged["class_id"]) <= set(load_class_set("imagenet1k")["class_id"])
    assert set(judged["label"]) == {0, 1} and set(judged["confidence"]) <= {"high", "low"}
    assert (judged["reason"].fill_null("").str.strip_chars() != "").all()
    sizes = judged.group_by("class_id").len()
    assert sizes.height == 50 and (sizes["len"] == 20).all()
