"""Sensitivity: how much each counting choice moves the correlation of accuracy with frequency.

For each model: the correlation under the published method (`published`, quirks included), under the
published method with each quirk fixed one at a time, with all of them fixed, with the other choice
of counting human turns, and under classfreq's own method (and, when the count stage provides
`class_frequency_by_policy`, under each disambiguation policy). All on the combined frequency
(pretraining + instruction). Statistics: Spearman, Pearson on raw counts (as published) and Pearson
on log10(1 + frequency). Kept in DuckDB as `sensitivity`; `pipeline.report.sensitivity` renders it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from ..core.config import RunConfig
from ..core.sql import relation_exists, sql_frame
from .frequency import PUBLISHED_QUIRKS, published_parameters

SCOPE = "combined"
POLICY_TABLE = "class_frequency_by_policy"


@dataclass(frozen=True)
class Variant:
    name: str
    method: str
    description: str
    fixes: dict[str, bool] = field(default_factory=dict)
    human_turns: bool | None = None  # None: as the run says


QUIRK_FIXES = (
    Variant("fix: sentence edges", "vlmclassifier", "a name at a sentence's first or last token counts",
            {"fix_sentence_edges": True}),
    Variant("fix: tokenized-name join", "vlmclassifier",
            "counts joined to classes by the tokenized name, so names tokenization changes (\"potter's wheel\") count",
            {"fix_name_key": True}),
    Variant("fix: instruction-only classes", "vlmclassifier",
            "combined frequency over all classes, not only those seen in pretraining", {"fix_instruct_only": True}),
    Variant("fix: duplicate names", "vlmclassifier",
            "a duplicated display name counts once per sentence, and each class is its own point",
            {"fix_duplicates": True}),
    Variant("fix: lemmas", "vlmclassifier", "tokens and names lemmatized (spaCy lookup table), so plurals count",
            {"fix_lemmas": True}),
)
PUBLISHED = Variant("published", "vlmclassifier", "the published counting, every quirk included")
ALL_FIXED = Variant("all fixes", "vlmclassifier", "the published counting with every fix above",
                    dict.fromkeys(PUBLISHED_QUIRKS, True))
CLASSFREQ = Variant("classfreq", "classfreq",
                    "classfreq's method: text units mentioning any lexicon term (display name, WordNet synonyms, "
                    "lemmas), every class its own point")


def variant_statistics(frequency: np.ndarray, accuracy: np.ndarray) -> dict[str, float | int | None]:
    """Pure core: Spearman, the published Pearson on raw counts, and Pearson on log10(1 + frequency)."""
    from scipy import stats  # imported here: 0.7 s that the worker pool need not pay
    row: dict[str, float | int | None] = {"n_classes": len(frequency), "n_zero": int((frequency == 0).sum())}
    names = ("spearman_rho", "spearman_p", "pearson_r", "pearson_p", "pearson_log_r", "pearson_log_p")
    if len(frequency) < 3 or np.ptp(frequency) == 0 or np.ptp(accuracy) == 0:
        return row | dict.fromkeys(names)
    results = (stats.spearmanr(frequency, accuracy), stats.pearsonr(frequency, accuracy),
               stats.pearsonr(np.log10(1 + frequency), accuracy))
    values = [float(value) for result in results for value in (result.statistic, result.pvalue)]
    return row | dict(zip(names, values))


def sensitivity_rows(points: pl.DataFrame, variant: Variant, order: int, frequency: str) -> list[dict]:
    """Pure core: one variant's points (model, frequency column, accuracy) → one row per model."""
    rows = []
    for (model,), group in points.group_by(["model"], maintain_order=True):
        statistics = variant_statistics(group[frequency].to_numpy().astype(float), group["accuracy"].to_numpy())
        rows.append({"model": model, "variant": variant.name, "variant_order": order, "method": variant.method,
                     "description": variant.description, **statistics})
    return rows


def sensitivity_table(rows: list[dict]) -> pl.DataFrame:
    """Rows of every variant → the table, with each variant's change in Spearman from the published one."""
    table = pl.DataFrame(rows, infer_schema_length=None).rename({"n_classes": "n_points"})
    published = table.filter(pl.col("variant") == PUBLISHED.name).select("model", published_rho="spearman_rho")
    return (table.join(published, on="model", how="left")
            .with_columns(spearman_change=pl.col("spearman_rho") - pl.col("published_rho"))
            .drop("published_rho")
            .sort("model", "variant_order"))


def published_variants(run: RunConfig) -> list[Variant]:
    """The published counting, each fix alone, all fixes, and the other choice for human turns."""
    counted = run.options.vlmclassifier.human_turns
    other_choice = Variant(
        f"published, human turns {'excluded' if counted else 'included'}", "vlmclassifier",
        f"the published counting with human turns {'left out' if counted else 'counted'} "
        f"(this run {'counts' if counted else 'leaves out'} them; the paper does not say)",
        human_turns=not counted,
    )
    return [PUBLISHED, *QUIRK_FIXES, ALL_FIXED, other_choice]


def compute_sensitivity(connection, run: RunConfig) -> pl.DataFrame:
    rows: list[dict] = []
    variants = published_variants(run)
    for order, variant in enumerate(variants):
        parameters = published_parameters(run, **variant.fixes)
        if variant.human_turns is not None:
            parameters["human_turns"] = variant.human_turns
        points = sql_frame(connection, "published_points", parameters).filter(pl.col("scope") == SCOPE)
        rows += sensitivity_rows(points, variant, order, "n_sentences")
    order = len(variants)
    default = sql_frame(connection, "frequency_accuracy", {"reference_model": None}).filter(pl.col("scope") == SCOPE)
    rows += sensitivity_rows(default, CLASSFREQ, order, "n_docs")
    if relation_exists(connection, POLICY_TABLE):
        policies = sql_frame(connection, "sensitivity_policy_points", {"scope": SCOPE})
        for offset, policy in enumerate(policies["policy"].unique(maintain_order=True).to_list(), start=1):
            variant = Variant(f"classfreq, policy {policy}", "classfreq",
                              f"classfreq's method with the {policy!r} policy for terms shared by several classes")
            rows += sensitivity_rows(policies.filter(pl.col("policy") == policy), variant, order + offset, "n_docs")
    return sensitivity_table(rows)
