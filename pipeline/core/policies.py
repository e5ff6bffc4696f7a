"""The disambiguation policies: how a mention of a term shared by several classes, or flagged as ambiguous,
counts. The list is defined here and bound into the SQL that needs it (`$policies`); each policy's weight is
a `weight_<policy>` column of `mentions` (`sql/load_mentions.sql`), which `mention_weights` turns into rows
(tests/stages/test_count_sql.py checks that the two agree)."""

from __future__ import annotations

POLICIES = ("keep", "drop", "split", "context", "sense")  # also the run file's `Policy` (core/config.py)
#: A flagged term counts when the sense model, learned from the corpus being counted, gives its class's sense a
#: probability of at least 1/2 (docs/counting.md); chosen on the labelled sets' tuning half (`classfreq evaluate`).
DEFAULT_POLICY = "sense"

#: The policy whose rows of `class_frequency_by_policy` also hold the sense model's expected counts (bound as
#: `$expected_policy`, so that no query names a policy).
EXPECTED_POLICY = "sense"
