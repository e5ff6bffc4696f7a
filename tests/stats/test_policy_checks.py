"""What the run's policy cuts and can never count, on hand-written lexicons and counts."""

import duckdb
import polars as pl

from pipeline.core.sql import replace_table, sql_frame
from pipeline.stats.policy_checks import best_case_mentions, policy_warnings

LEXICON = pl.DataFrame({
    "class_id": ["crane_bird", "crane_machine", "crane_bird", "kite_bird"],
    "term": ["crane", "crane", "whooping crane", "kite"],
    "text": ["crane", "crane", "whooping crane", "kite"],
    "status": ["counted"] * 4,
    "flagged": [True, True, False, True],
    "n_classes": [2, 2, 1, 1],
})
CONTEXT = pl.DataFrame({"class_id": ["crane_bird"], "word": ["heron"]})  # the machine and the kite have none


def weights(policy: str) -> dict[tuple[str, str], float]:
    best = best_case_mentions(LEXICON, CONTEXT).filter(pl.col("policy") == policy)
    return {(class_id, term): weight for class_id, term, _, weight in best.rows()}


def test_a_flagged_term_counts_under_context_only_where_its_class_has_context_words():
    assert weights("context") == {("crane_bird", "crane"): 1.0, ("crane_machine", "crane"): 0.0,
                                  ("crane_bird", "whooping crane"): 1.0, ("kite_bird", "kite"): 0.0}


def test_drop_never_counts_a_flagged_term_of_a_class_that_has_an_unflagged_one():
    assert weights("drop")[("crane_bird", "crane")] == 0.0
    assert weights("drop")[("crane_machine", "crane")] == 1.0
    assert set(weights("keep").values()) == {1.0}


def test_cuts_and_terms_that_never_count_are_tabled_and_warned_about():
    with duckdb.connect() as connection:
        replace_table(connection, "classes", pl.DataFrame({
            "class_id": ["crane_bird", "crane_machine", "kite_bird"], "class_index": [0, 1, 2],
            "display_name": ["crane", "crane (machine)", "kite"], "mapping": ["wnid", "exact_lemma", "unmapped"]}))
        replace_table(connection, "class_frequency_by_policy", pl.DataFrame({
            "class_id": ["crane_bird", "crane_bird", "kite_bird", "kite_bird", "crane_machine", "crane_machine"],
            "class_index": [0, 0, 2, 2, 1, 1], "display_name": ["crane", "crane", "kite", "kite", "m", "m"],
            "scope": ["combined"] * 6, "policy": ["keep", "context"] * 3,
            "n_docs": [10.0, 6.0, 8.0, 0.0, 4.0, 1.0]}))
        warnings = policy_warnings(connection, "context", LEXICON, CONTEXT)
        cuts = sql_frame(connection, "report/policy_cuts", {"limit": 10})
        never = sql_frame(connection, "report/uncountable_terms", {"limit": 10})
    assert cuts.rows() == [("kite", "kite_bird", 8.0, 0.0), ("m", "crane_machine", 4.0, 1.0)]  # crane keeps 60%
    assert never.rows() == [("crane", "crane (machine)"), ("kite", "kite")]
    assert len(warnings) == 3
    assert "cuts 2 classes" in warnings[0] and "kite (kite_bird) 8 → 0" in warnings[0]
    assert "never count 2 terms" in warnings[1] and "'kite' (kite)" in warnings[1]
    assert warnings[2].startswith("1 class has no WordNet mapping") and "e.g. 'kite':" in warnings[2]
