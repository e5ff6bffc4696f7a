"""Stage correlate: Spearman, Kendall and Pearson of accuracy on frequency per model and scope, with bootstrap CIs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.errors import ClassfreqError
from ..core.sql import replace_table, sql_frame
from ..core.stage import StageOutput, database_transaction
from ..core.step import Stage, StageContext
from ..stats.accuracy_notes import unusable_model_notes
from ..stats.correlation import binned_accuracy, correlated_points, correlations, frequency_bins
from ..stats.frequency import frequency_accuracy, published_parameters

CORRELATE_TABLES = ("correlations", "binned_accuracy", "frequency_bins", "correlated_points")


def _settings(context: StageContext) -> tuple[str | None, int, int]:
    run = context.run
    return run.options.reference_model, run.options.bootstrap_resamples, run.options.bootstrap_seed


def method_parameters(context: StageContext) -> dict[str, Any]:
    """What reading the run's counting method's frequencies depends on: the published counts only for its method."""
    method = context.run.options.method
    if method == "classfreq":
        return {"method": method}
    return {"method": method, "published": context.manifest("published")["fingerprint"],
            "parameters": published_parameters(context.run)}


def parameters(context: StageContext) -> dict[str, Any]:
    reference, n_resamples, seed = _settings(context)
    return {**method_parameters(context), "reference_model": reference, "n_resamples": n_resamples, "seed": seed}


def body(context: StageContext, _output_dir: Path) -> StageOutput:
    run = context.run
    reference, n_resamples, seed = _settings(context)
    with database_transaction(run.database, "correlate") as connection:
        joined, measure = frequency_accuracy(connection, run, reference)
        models = set(joined["model"].unique())
        if reference is not None and reference not in models:
            raise ClassfreqError(f"{run.file}: options.reference_model {reference!r} is not one of the models: "
                                 f"{', '.join(sorted(models))}")
        table = correlations(joined, reference, measure, n_resamples=n_resamples, seed=seed)
        replace_table(connection, "correlated_points", correlated_points(joined, measure))
        replace_table(connection, "frequency_bins", frequency_bins())
        binned = binned_accuracy(sql_frame(connection, "binned_classes"), n_resamples, seed)
        replace_table(connection, "correlations", table)
        replace_table(connection, "binned_accuracy", binned)
        warnings = unusable_model_notes(connection)
    return StageOutput(outputs={"database": str(run.database)},
                       rows={"correlations": table.height, "binned_accuracy": binned.height}, warnings=warnings)


STAGE = Stage(name="correlate", summary=__doc__.splitlines()[0], needs=("count", "accuracy"), uses=("published",),
              used=lambda run: ("published",) if run.options.method == "vlmclassifier" else (),
              body=body, parameters=parameters, tables=CORRELATE_TABLES, writes_folder=False)
