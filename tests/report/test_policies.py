"""Per-policy rows side by side, and the policies named nowhere in the SQL but in its comments."""

import re
from pathlib import Path

import polars as pl

from pipeline.core.paths import SQL_DIR
from pipeline.core.policies import POLICIES
from pipeline.report.policies import policies_side_by_side


def test_each_policy_gets_its_columns_in_policy_order_and_rows_keep_their_order():
    long = pl.DataFrame({
        "term": ["b", "b", "a", "a", "a"], "share": [None, None, 0.5, 0.5, 0.5],
        "policy": ["context", "keep", "keep", "drop", "display_name_only"], "p": [0.1, 0.2, 0.3, 0.4, 0.9],
    })
    wide = policies_side_by_side(long, ["term", "share"], {"p": "{policy}_p"})
    assert wide.columns == ["term", "share", *(f"{policy}_p" for policy in POLICIES)]
    assert wide.rows() == [("b", None, 0.2, None, None, 0.1, None), ("a", 0.5, 0.3, 0.4, None, None, None)]


def test_no_query_lists_the_policies_except_keep_for_the_raw_counts():
    for path in sorted(Path(SQL_DIR).rglob("*.sql")):
        code = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
        named = set(re.findall(r"'([a-z_]+)'", code)) & set(POLICIES)
        assert named <= {"keep"}, f"{path.name} names the policies {sorted(named)}: bind \\$policies instead"
