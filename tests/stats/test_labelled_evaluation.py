"""The recall set's SQL on hand-written rows: recall over the classes captions name, precision over what is counted."""

import duckdb
import polars as pl
import pytest

from pipeline.core.policies import POLICIES
from pipeline.core.sql import replace_table, sql_frame


@pytest.fixture
def connection():
    with duckdb.connect() as db:
        # d1 names goose and kite; d2 names nothing; d3 (other half) names crane
        replace_table(db, "recall_captions", pl.DataFrame({"doc_id": ["d1", "d2", "d3"],
                                                           "half": ["held_out", "held_out", "tuning"]}))
        replace_table(db, "recall_classes", pl.DataFrame({"doc_id": ["d1", "d1", "d3"],
                                                          "class_id": ["goose", "kite", "crane"]}))
        weights = [("d1", "goose", policy, 1.0) for policy in POLICIES]  # found by every policy
        weights += [("d1", "kite", "keep", 1.0), ("d1", "kite", "drop", 0.0), ("d1", "kite", "split", 0.5),
                    ("d1", "kite", "context", 0.0)]
        weights += [("d2", "fly", policy, 1.0 if policy == "keep" else 0.0) for policy in POLICIES]  # a false match
        weights += [("d9", "goose", "keep", 1.0)]  # not a recall caption: ignored
        replace_table(db, "mention_weights", pl.DataFrame(weights, schema=["doc_id", "class_id", "policy", "weight"],
                                                          orient="row"))
        yield db


def test_recall_counts_named_classes_and_precision_what_the_policy_counts(connection):
    table = sql_frame(connection, "recall_weights", {"policies": list(POLICIES)})
    held_out = {row["policy"]: row for row in table.filter(pl.col("half") == "held_out").iter_rows(named=True)}
    assert {policy: (row["n_captions"], row["n_named"]) for policy, row in held_out.items()} == dict.fromkeys(POLICIES, (2, 2))
    assert held_out["keep"]["recall"] == 1.0 and held_out["keep"]["precision"] == pytest.approx(2 / 3)
    assert held_out["split"]["recall"] == 0.75 and held_out["split"]["precision"] == 1.0
    assert held_out["context"]["recall"] == 0.5 and held_out["context"]["precision"] == 1.0
    tuning = table.filter(pl.col("half") == "tuning")
    assert tuning["recall"].to_list() == [0.0] * len(POLICIES)  # crane named, never counted
    assert tuning["precision"].null_count() == len(POLICIES)  # nothing counted: no precision, not zero
