"""Precision and recall of each disambiguation policy on the hand-labelled development set.

An occurrence (text unit, class, term; label 1 when it refers to the class) counts under a policy
with the largest weight the policy gives that class in that text unit — exactly what `n_docs` adds
up — so precision = Σ weight·label / Σ weight and recall = Σ weight·label / Σ label. Besides the
policies, `display_name_only` scores the published method: only the class's display name counts.

The per-class check compares each policy's count of a class with the labelled estimate of its class-sense
text units: the text units the class is matched in (policy keep) times the share of its judged ones that mean
the class, with a 95% Clopper-Pearson interval. A count agrees when it lies in the interval or within
:data:`PER_CLASS_TOLERANCE` of the estimate.

The count stage writes `policy_evaluation` and `policy_evaluation_by_term` when the run reads the
dev set's sources; `classfreq evaluate` (`make evaluate`) runs the pipeline up to count and prints them.
"""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl
from scipy.stats import beta

from ..core.config import RunConfig
from ..core.paths import DEVSET
from ..core.policies import POLICIES
from ..core.sql import drop_relation, replace_table, sql_frame
from .devset import locate_text_units, read_devset
from .labels import occurrence_labels, per_class_labels, recall_labels

#: How far from the labelled estimate a class's count may lie, outside its interval, and still agree with it.
PER_CLASS_TOLERANCE = 0.2


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


def judged_weights(connection: duckdb.DuckDBPyConnection, occurrences: pl.DataFrame) -> pl.DataFrame:
    """Each judged occurrence (doc_id, term, class_id, label) with the weight each policy gives it."""
    replace_table(connection, "judged_occurrences", occurrences.select("doc_id", "term", "class_id", "label"))
    judged = sql_frame(connection, "judged_weights", {"policies": list(POLICIES)})
    drop_relation(connection, "judged_occurrences")
    return judged


def binomial_interval(successes: np.ndarray, trials: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Pure core: the Clopper-Pearson (exact) interval of each share successes / trials."""
    tail = (1 - level) / 2
    with np.errstate(invalid="ignore"):
        low = np.where(successes > 0, beta.ppf(tail, successes, trials - successes + 1), 0.0)
        high = np.where(successes < trials, beta.ppf(1 - tail, successes + 1, trials - successes), 1.0)
    return low, high


def per_class_check(counts: pl.DataFrame) -> pl.DataFrame:
    """Pure core: rows (class …, matches, n_labelled, n_class_sense, policy, count) plus the labelled estimate
    (`estimate`, `estimate_low`, `estimate_high`) and whether the count agrees with it (`within`)."""
    low, high = binomial_interval(counts["n_class_sense"].to_numpy(), counts["n_labelled"].to_numpy())
    matches = pl.col("matches")
    return counts.with_columns(
        estimate=matches * pl.col("n_class_sense") / pl.col("n_labelled"),
        estimate_low=matches * pl.Series(low), estimate_high=matches * pl.Series(high),
    ).with_columns(
        within=pl.col("count").is_between("estimate_low", "estimate_high")
        | ((pl.col("count") - pl.col("estimate")).abs() <= PER_CLASS_TOLERANCE * pl.col("estimate")),
    )


EVALUATION_TABLES = ("policy_evaluation", "policy_evaluation_by_term", "label_evaluation", "recall_evaluation",
                     "per_class_check")


def labels_apply(run: RunConfig) -> bool:
    """The dev set and the labelled sets judge ImageNet-1k classes: they score runs of the built-in set only."""
    return run.class_set == "imagenet1k" and run.classes_file is None


def write_evaluations(connection: duckdb.DuckDBPyConnection, run: RunConfig) -> dict[str, int]:
    """Scores the dev set and the labelled sets on the parts of them this run's sources hold; returns how many
    dev-set occurrences and labelled text units that is. Every evaluation table is written anew or not at all,
    so a run they do not apply to (another class set, a user class file) keeps none of an earlier run's."""
    for table in EVALUATION_TABLES:
        drop_relation(connection, table)
    if not labels_apply(run):
        return {"devset_occurrences": 0, "labelled_text_units": 0}
    return {"devset_occurrences": _write_devset_evaluation(connection, run),
            "labelled_text_units": _write_labelled_evaluation(connection, run),
            "per_class_text_units": _write_per_class_check(connection, run)}


def _write_devset_evaluation(connection: duckdb.DuckDBPyConnection, run: RunConfig) -> int:
    located = locate_text_units(read_devset(), run) if DEVSET.exists() else pl.DataFrame()
    if located.is_empty():
        return 0
    judged = judged_weights(connection, located)
    replace_table(connection, "policy_evaluation", score(judged, ["policy"]))
    replace_table(connection, "policy_evaluation_by_term", score(judged, ["term", "policy"]))
    return located.height


def _write_labelled_evaluation(connection: duckdb.DuckDBPyConnection, run: RunConfig) -> int:
    """Per half: the occurrences per sample (`label_evaluation`) and the recall set (`recall_evaluation`)."""
    occurrences = locate_text_units(occurrence_labels(), run)
    captions = locate_text_units(recall_labels(), run)
    if occurrences.is_empty() and captions.is_empty():
        return 0
    halves = occurrences.select("doc_id", "term", "class_id", "half", "sample")
    judged = judged_weights(connection, occurrences).join(halves, on=["doc_id", "term", "class_id"])
    replace_table(connection, "label_evaluation", score(judged, ["half", "sample", "policy"]))
    replace_table(connection, "recall_captions", captions.select("doc_id", "half").unique())
    replace_table(connection, "recall_classes", captions.drop_nulls("class_id").select("doc_id", "class_id"))
    replace_table(connection, "recall_evaluation", sql_frame(connection, "recall_weights", {"policies": list(POLICIES)}))
    drop_relation(connection, "recall_captions")
    drop_relation(connection, "recall_classes")
    return occurrences["doc_id"].n_unique() + captions["doc_id"].n_unique()


def _write_per_class_check(connection: duckdb.DuckDBPyConnection, run: RunConfig) -> int:
    judged = locate_text_units(per_class_labels(), run)
    if judged.is_empty():
        return 0
    replace_table(connection, "per_class_judged", judged.select("doc_id", "class_id", "label"))
    counts = sql_frame(connection, "per_class_counts", {"policies": list(POLICIES)})
    drop_relation(connection, "per_class_judged")
    replace_table(connection, "per_class_check", per_class_check(counts))
    return judged.height
