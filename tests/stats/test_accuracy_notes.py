"""The sentences that name what the accuracy import and the correlation leave out (console and report alike)."""

import duckdb
import polars as pl

from pipeline.core.sql import replace_table
from pipeline.stats.accuracy import MODELS_SCHEMA, UNRESOLVED_SCHEMA
from pipeline.stats.accuracy_notes import accuracy_notes, unusable_model_notes

CLIP = "caltech101_ensemble_results.json"


def connection_with(models, unresolved, points=None, correlations=None):
    connection = duckdb.connect()
    replace_table(connection, "accuracy_models", pl.DataFrame(
        [{"scoring": None, "fuzzy_threshold": 90.0, "n_records": None} | model for model in models], schema=MODELS_SCHEMA))
    replace_table(connection, "accuracy_unresolved", pl.DataFrame(unresolved, schema=UNRESOLVED_SCHEMA))
    if points is not None:
        replace_table(connection, "correlated_points", pl.DataFrame(
            points, schema={"model": pl.String, "scope": pl.String, "frequency": pl.Float64, "accuracy": pl.Float64},
            orient="row"))
        replace_table(connection, "correlations", pl.DataFrame(
            correlations, schema={"model": pl.String, "scope": pl.String, "spearman_rho": pl.Float64}, orient="row"))
    return connection


def test_models_of_one_file_that_leave_out_the_same_keys_share_a_sentence():
    models = [{"model": f"clip-{index}", "source": CLIP, "scale": "percent", "n_keys": 100, "n_resolved": 98,
               "n_unresolved": 2} for index in range(7)]
    unresolved = [{"model": model["model"], "source": CLIP, "key": key, "reason": "no match"}
                  for model in models for key in ("car_side", "cougar_body")]
    models.append({"model": "llava", "source": "answers.jsonl", "scale": "fraction", "scoring": "open_world",
                   "n_keys": 3, "n_resolved": 2, "n_unresolved": 1})
    unresolved.append({"model": "llava", "source": "answers.jsonl", "key": "Hen", "reason": "duplicate of 'hen'"})
    with connection_with(models, unresolved) as connection:
        assert accuracy_notes(connection) == [
            f"7 models ('clip-0', 'clip-1', 'clip-2', 'clip-3', 'clip-4' and 2 more) of {CLIP}, each: 2 of its 100 "
            "accuracy keys did not resolve to a class and are left out, e.g. 'car_side' (no match), 'cougar_body' "
            "(no match); all of them: table accuracy_unresolved",
            "model 'llava' (answers.jsonl): 1 of its 3 accuracy keys named a class another of its keys had already "
            "named and is left out, e.g. 'Hen' (duplicate of 'hen'); all of them: table accuracy_unresolved",
            "accuracy read in percent (divided by 100) for 7 models ('clip-0', 'clip-1', 'clip-2', 'clip-3', 'clip-4' "
            "and 2 more), scored from raw answers for 1 model ('llava'); each model's scale: table accuracy_models",
        ]


def test_each_model_without_a_correlation_is_named_with_the_reason():
    kinds = {"none": 0, "two": 2, "unseen": 4, "flat": 4, "same": 4, "fine": 4}
    models = [{"model": model, "source": "a.csv", "scale": "fraction", "n_keys": 4, "n_resolved": n,
               "n_unresolved": 4 - n} for model, n in kinds.items()]
    points = ([("two", "combined", 1.0, 0.5), ("two", "combined", 2.0, 0.1)]
              + [("unseen", "combined", 0.0, a) for a in (0.1, 0.2, 0.3, 0.4)]
              + [("flat", "combined", 3.0, a) for a in (0.1, 0.2, 0.3, 0.4)]
              + [("same", "combined", f, 0.5) for f in (0.0, 1.0, 2.0, 3.0)]
              + [("fine", "combined", f, a) for f, a in ((0.0, 0.1), (1.0, 0.2), (2.0, 0.3), (3.0, 0.4))])
    correlations = [(model, "combined", 1.0 if model == "fine" else None) for model in kinds if model != "none"]
    with connection_with(models, [], points, correlations) as connection:
        assert unusable_model_notes(connection) == [
            "model 'flat' (a.csv) has no correlation of accuracy with frequency: all of its 4 classes have the same "
            "frequency",
            "model 'none' (a.csv) has no correlation of accuracy with frequency: none of its accuracy keys resolved to "
            "a class",
            "model 'same' (a.csv) has no correlation of accuracy with frequency: its accuracy is the same on all of its "
            "4 classes",
            "model 'two' (a.csv) has no correlation of accuracy with frequency: only 2 of its classes have both a "
            "frequency and an accuracy (a correlation needs 3)",
            "model 'unseen' (a.csv) has no correlation of accuracy with frequency: none of its 4 classes is mentioned "
            "in the text (every frequency is 0)",
        ]
