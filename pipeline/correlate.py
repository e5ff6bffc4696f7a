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
from .published import frequency_accuracy, method_inputs
from .sql import connect, replace_table, tables_exist
from .stage import StageOutput, require_manifest, run_stage

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
    inputs = {"count": counted["fingerprint"], "accuracy": accuracies["fingerprint"], **method_inputs(run)}

    def body(_output_dir: Path, _digest: str) -> StageOutput:
        with connect(run.database) as connection:
            joined, measure = frequency_accuracy(connection, run)
            table = correlations(joined, measure)
            connection.begin()
            replace_table(connection, "correlations", table)
            connection.commit()
        return StageOutput(outputs={"database": str(run.database)}, rows={"correlations": table.height})

    return run_stage(run.work_dir, "correlate", inputs, body, force=force, writes_files=False,
                     outputs_exist=lambda manifest: tables_exist(run.database, CORRELATE_TABLES))
