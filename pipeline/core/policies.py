"""The disambiguation policies: how a mention of a term shared by several classes, or flagged as ambiguous,
counts. The list is defined here and bound into the SQL that needs it (`$policies`); each policy's weight is
a `weight_<policy>` column of `mentions` (`sql/load_mentions.sql`), which `mention_weights` turns into rows
(tests/stages/test_count_sql.py checks that the two agree)."""

from __future__ import annotations

from .config import RunConfig
from .errors import ClassfreqError

POLICIES = ("keep", "drop", "split", "context")
#: The policy with the best precision at recall >= 0.9 on the development set (`classfreq evaluate`).
DEFAULT_POLICY = "context"


def run_policy(run: RunConfig) -> str:
    policy = run.option("policy", DEFAULT_POLICY)
    if policy not in POLICIES:
        where = run.file or run.name
        raise ClassfreqError(f"{where}: options.policy must be one of {', '.join(POLICIES)}, got {policy!r}")
    return policy
