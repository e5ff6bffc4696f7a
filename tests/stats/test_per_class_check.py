"""The per-class check on hand-written rows: the labelled estimate, its exact interval, and which counts agree."""

import duckdb
import polars as pl
import pytest
from scipy.stats import binomtest

from pipeline.core.sql import replace_table, sql_frame
from pipeline.stats.evaluation import binomial_interval, per_class_check


def test_the_interval_is_clopper_pearson_and_closed_at_the_ends():
    low, high = binomial_interval(pl.Series([0, 7, 20]).to_numpy(), pl.Series([20, 20, 20]).to_numpy())
    exact = binomtest(7, 20).proportion_ci(0.95, method="exact")
    assert (low[1], high[1]) == pytest.approx((exact.low, exact.high))
    assert low[0] == 0.0 and high[0] == pytest.approx(1 - 0.025 ** (1 / 20))
    assert high[2] == 1.0 and low[2] == pytest.approx(0.025 ** (1 / 20))


def test_a_count_agrees_inside_the_interval_or_within_a_fifth_of_the_estimate():
    counts = pl.DataFrame({"class_id": ["orange"] * 3 + ["fly"],
                           "matches": [1000.0] * 3 + [200.0], "n_labelled": [20] * 4, "n_class_sense": [4] * 3 + [0],
                           "policy": ["keep", "sense", "drop", "sense"], "count": [1000.0, 230.0, 30.0, 3.0]})
    checked = per_class_check(counts)
    assert checked["estimate"].to_list() == [200.0] * 3 + [0.0]
    assert dict(zip(checked["policy"][:3], checked["within"][:3])) == {"keep": False, "sense": True, "drop": False}
    assert checked["within"][3]  # 3 of 200 lie in the interval of 0 judged of 20 (0 to 34)
    assert checked["estimate_low"][0] < checked["estimate"][0] < checked["estimate_high"][0]


def test_the_counts_sql_joins_judged_classes_with_every_policys_count_of_the_whole_corpus():
    with duckdb.connect() as db:
        replace_table(db, "per_class_judged", pl.DataFrame({"doc_id": ["d1", "d2", "d3"],
                                                            "class_id": ["orange", "orange", "kite"], "label": [1, 0, 1]}))
        rows = [(class_id, class_id, scope, policy, n)
                for class_id, n in (("orange", 10.0), ("kite", 4.0), ("goose", 9.0))
                for scope in ("combined", "pretrain") for policy, n in (("keep", n), ("sense", n / 2))]
        replace_table(db, "class_frequency_by_policy", pl.DataFrame(
            rows, schema=["class_id", "display_name", "scope", "policy", "n_docs"], orient="row"))
        table = sql_frame(db, "per_class_counts", {"policies": ["keep", "sense"]})
    assert table.select("class_id", "matches", "n_labelled", "n_class_sense", "policy", "count").rows() == [
        ("orange", 10.0, 2, 1, "keep", 10.0), ("orange", 10.0, 2, 1, "sense", 5.0),
        ("kite", 4.0, 1, 1, "keep", 4.0), ("kite", 4.0, 1, 1, "sense", 2.0)]
