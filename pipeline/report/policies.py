"""Per-policy rows side by side: the report's tables (and `classfreq evaluate`) show one column per policy, in
the order of `POLICIES`; the SQL returns them long, so no query lists the policies."""

from __future__ import annotations

import polars as pl

from ..core.policies import POLICIES


def policies_side_by_side(long: pl.DataFrame, index: list[str], values: dict[str, str]) -> pl.DataFrame:
    """`long` (index columns, `policy`, value columns) with a column per policy and value, named by `values`'
    pattern (`{policy}` filled in), in POLICIES order; rows keep their first order. Other policies (such as
    the published method's `display_name_only`) are left out."""
    rows = long.filter(pl.col("policy").is_in(POLICIES))
    columns = {f"{policy}\0{column}": pattern.format(policy=policy)
               for policy in POLICIES for column, pattern in values.items()}
    wide = (rows.with_columns(pl.struct(*index).alias("\0row"))  # a struct key: null index values still group
            .select("\0row", *(pl.when(pl.col("policy") == policy).then(pl.col(column)).alias(f"{policy}\0{column}")
                               for policy in POLICIES for column in values))
            .group_by("\0row", maintain_order=True).agg(pl.all().drop_nulls().first()))
    return wide.unnest("\0row").rename(columns).select(*index, *columns.values())
