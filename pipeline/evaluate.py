"""Precision and recall of each disambiguation policy on the hand-labelled development set.

An occurrence (text unit, class, term; label 1 when it refers to the class) counts under a policy
with the largest weight the policy gives that class in that text unit — exactly what `n_docs` adds
up — so precision = Σ weight·label / Σ weight and recall = Σ weight·label / Σ label. Besides the
four policies, `display_name_only` scores the published method: only the class's display name counts.

The count stage writes `policy_evaluation` and `policy_evaluation_by_term` when the run reads the
dev set's sources; `make evaluate` (this module) runs the pipeline up to count and prints them.
"""

from __future__ import annotations

import argparse
import sys

import duckdb
import polars as pl

from .config import RunConfig, load_run
from .devset import DEVSET, devset_documents, read_devset
from .errors import ClassfreqError
from .sql import connect, query_frame, replace_table, sql_frame

REFERENCE_POLICY = "display_name_only"


def score(judged: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Pure core: rows (…by, label, weight) → precision, recall and counts per group."""
    return (
        judged.group_by(by)
        .agg(
            n_occurrences=pl.len(),
            n_positive=pl.col("label").sum().cast(pl.Int64),
            counted=pl.col("weight").sum(),
            true_counted=(pl.col("weight") * pl.col("label")).sum(),
        )
        .with_columns(
            precision=pl.when(pl.col("counted") > 0).then(pl.col("true_counted") / pl.col("counted")),
            recall=pl.when(pl.col("n_positive") > 0).then(pl.col("true_counted") / pl.col("n_positive")),
        )
        .sort(by)
    )


def write_evaluation(connection: duckdb.DuckDBPyConnection, run: RunConfig) -> int:
    """Scores the dev set occurrences that lie in this run's sources; returns how many there are."""
    located = devset_documents(read_devset(), run)
    if located.is_empty():
        return 0
    replace_table(connection, "devset", located.select("doc_id", "term", "class_id", "label"))
    judged = sql_frame(connection, "devset_weights")
    replace_table(connection, "policy_evaluation", score(judged, ["policy"]))
    replace_table(connection, "policy_evaluation_by_term", score(judged, ["term", "policy"]))
    connection.execute("drop table devset")
    return located.height


def evaluation_tables(connection: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(per policy, per term with a column per policy) as printed and reported."""
    overall = query_frame(connection, """
        select policy, n_occurrences, n_positive, round(precision, 3) as precision, round(recall, 3) as recall
        from policy_evaluation order by precision desc""")
    by_term = query_frame(connection, """
        select term, any_value(n_occurrences) as n, any_value(n_positive) as positive,
            round(max(precision) filter (where policy = 'keep'), 2) as keep_p,
            round(max(recall) filter (where policy = 'keep'), 2) as keep_r,
            round(max(precision) filter (where policy = 'drop'), 2) as drop_p,
            round(max(recall) filter (where policy = 'drop'), 2) as drop_r,
            round(max(precision) filter (where policy = 'context'), 2) as context_p,
            round(max(recall) filter (where policy = 'context'), 2) as context_r
        from policy_evaluation_by_term group by term order by n desc, term""")
    return overall, by_term


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--run", default="demo")
    args = parser.parse_args(argv)
    from .count import run_policy  # count imports this module
    from .runner import run_pipeline

    try:
        run = load_run(args.run)
        run_pipeline(run, ["ingest", "normalize", "synonyms", "match", "count"])
        with connect(run.database, read_only=True) as connection:
            present = {row[0] for row in connection.execute("select table_name from information_schema.tables").fetchall()}
            if "policy_evaluation" not in present:
                raise ClassfreqError(f"run {run.name!r} reads none of the dev set's sources ({DEVSET})")
            overall, by_term = evaluation_tables(connection)
    except ClassfreqError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=160, tbl_hide_dataframe_shape=True,
                   tbl_hide_column_data_types=True):
        print(f"Development set {DEVSET.name}: precision and recall per policy (run {run.name}, "
              f"policy of the run: {run_policy(run)})")
        print(overall)
        print("Per term (p = precision, r = recall)")
        print(by_term)
    return 0


if __name__ == "__main__":
    sys.exit(main())
