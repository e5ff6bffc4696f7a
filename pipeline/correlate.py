"""Stage 7, correlate: does a class's accuracy follow how often the class was seen?

Per model × frequency scope: Spearman's rho on the frequency, and Pearson's r on log10(1 + frequency)
(raw counts span six decades; Pearson on them measures a handful of very frequent classes).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
from scipy import stats

from .config import RunConfig
from .sql import replace_table, sql_frame, tables_exist
from .stage import StageOutput, database_transaction, require_manifest, run_stage

FREQUENCY_MEASURE = "n_docs"
CORRELATE_TABLES = ("correlations",)


def correlation_row(frequency: np.ndarray, accuracy: np.ndarray) -> dict[str, float | int | None]:
    """Pure core: the statistics of one model × scope."""
    n = len(frequency)
    row: dict[str, float | int | None] = {"n_classes": n, "n_zero": int((frequency == 0).sum())}
    constant = n < 3 or np.ptp(frequency) == 0 or np.ptp(accuracy) == 0
    if constant:
        return row | {"spearman_rho": None, "spearman_p": None, "pearson_log_r": None, "pearson_log_p": None}
    spearman = stats.spearmanr(frequency, accuracy)
    pearson = stats.pearsonr(np.log10(1 + frequency), accuracy)
    return row | {
        "spearman_rho": float(spearman.statistic),
        "spearman_p": float(spearman.pvalue),
        "pearson_log_r": float(pearson.statistic),
        "pearson_log_p": float(pearson.pvalue),
    }


def correlations(joined: pl.DataFrame, measure: str = FREQUENCY_MEASURE) -> pl.DataFrame:
    rows = []
    for (model, scope), group in joined.group_by(["model", "scope"], maintain_order=True):
        stats_row = correlation_row(group[measure].to_numpy().astype(float), group["accuracy"].to_numpy())
        rows.append({"model": model, "scope": scope, "frequency": measure, **stats_row})
    return pl.DataFrame(rows).sort(["model", "scope"])


def correlate(run: RunConfig, force: bool = False):
    counted = require_manifest(run.work_dir, "count", "correlate")
    accuracies = require_manifest(run.work_dir, "accuracy", "correlate")
    inputs = {"count": counted["fingerprint"], "accuracy": accuracies["fingerprint"], "measure": FREQUENCY_MEASURE}

    def body(_output_dir: Path, _digest: str) -> StageOutput:
        with database_transaction(run.database, "correlate") as connection:
            table = correlations(sql_frame(connection, "frequency_accuracy"))
            replace_table(connection, "correlations", table)
        return StageOutput(outputs={"database": str(run.database)}, rows={"correlations": table.height})

    return run_stage(run.work_dir, "correlate", inputs, body, force=force, writes_files=False,
                     outputs_exist=lambda manifest: tables_exist(run.database, CORRELATE_TABLES))
