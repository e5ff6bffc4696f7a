"""Each class's frequency next to each model's accuracy, under the run's counting method (classfreq's lexicon
counts, or the published method's sentence counts with any of its quirks fixed)."""

from __future__ import annotations

import polars as pl

from ..core.config import RunConfig
from ..core.errors import ClassfreqError
from ..core.sql import sql_frame

PUBLISHED_QUIRKS = {"fix_sentence_edges": False, "fix_lemmas": False, "fix_duplicates": False,
                    "fix_instruct_only": False, "fix_name_key": False}


def published_parameters(run: RunConfig, **fixes: bool) -> dict[str, bool]:
    """The parameters of `sql/published_points.sql`: every quirk as published unless fixed here."""
    unknown = set(fixes) - set(PUBLISHED_QUIRKS)
    if unknown:
        raise ClassfreqError(f"unknown fixes {sorted(unknown)} (known: {', '.join(PUBLISHED_QUIRKS)})")
    return {**PUBLISHED_QUIRKS, **fixes, "human_turns": run.options.vlmclassifier.human_turns}


def frequency_accuracy(connection, run: RunConfig, reference_model: str | None = None) -> tuple[pl.DataFrame, str]:
    """Each model's accuracy next to each class's frequency under the run's counting method, and the measure;
    `reference_accuracy` is the reference model's accuracy on the same point (null without one)."""
    if run.options.method != "vlmclassifier":
        return sql_frame(connection, "frequency_accuracy", {"reference_model": reference_model}), "n_docs"
    points = sql_frame(connection, "published_points", published_parameters(run))
    if reference_model is None:
        return points.with_columns(reference_accuracy=pl.lit(None, dtype=pl.Float64)), "n_sentences"
    reference = points.filter(pl.col("model") == reference_model).select(
        "scope", "class_id", reference_accuracy=pl.col("accuracy"))
    return points.join(reference, on=["scope", "class_id"], how="left", maintain_order="left"), "n_sentences"
