"""Stage accuracy: imports per-class accuracy files, or scores raw VLM answers, resolving every class key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from ..core.config import RunConfig
from ..core.errors import ClassfreqError
from ..core.sql import replace_table
from ..core.stage import StageOutput, database_transaction, file_stat, read_file_identity
from ..core.step import Stage, StageContext
from ..stats.accuracy import check_unique_models, check_unresolved_share, import_accuracy
from ..stats.accuracy_notes import accuracy_notes

ACCURACY_TABLES = ("accuracy", "accuracy_models", "accuracy_unresolved")


def _limit(context: StageContext) -> float:
    return context.run.options.max_unresolved_share


def parameters(context: StageContext) -> dict[str, Any]:
    run = context.run
    if not run.accuracy:
        raise ClassfreqError(f"run {run.name!r} has no [[accuracy]] inputs: add one to {run.file}")
    return {"limit": _limit(context),
            "files": [{**file_stat(spec.path), "options": spec.options}
                      for spec in run.accuracy if spec.path.exists()]}


def body(context: StageContext, _output_dir: Path) -> StageOutput:
    run, limit = context.run, _limit(context)
    lexicon = context.upstream["synonyms"]["outputs"]
    classes = pl.read_parquet(lexicon["classes"])
    terms = pl.read_parquet(lexicon["lexicon"])
    parts = [import_accuracy(spec, classes, terms) for spec in run.accuracy]
    table, summary, unresolved = (pl.concat([part[i] for part in parts]) for i in range(3))
    check_unique_models(summary)
    check_unresolved_share(summary, unresolved, limit, run.class_set)
    with database_transaction(run.database, "accuracy") as connection:
        for name, frame in zip(ACCURACY_TABLES, (table, summary, unresolved)):
            replace_table(connection, name, frame)
        warnings = accuracy_notes(connection)
    return StageOutput(outputs={"database": str(run.database)},
                       rows={"accuracy": table.height, "models": summary.height, "unresolved": unresolved.height},
                       details={"scales": dict(zip(summary["model"], summary["scale"])),
                                "files": [read_file_identity(spec.path, f"accuracy: {spec.model or spec.path.stem}")
                                          for spec in run.accuracy]},
                       warnings=warnings)


def without_accuracy_inputs(run: RunConfig) -> str | None:
    if run.accuracy:
        return None
    return "the run has no [[accuracy]] inputs, so it counts only (add [[accuracy]] for the correlation)"


STAGE = Stage(name="accuracy", summary=__doc__.splitlines()[0], needs=("synonyms",), body=body,
              parameters=parameters, tables=ACCURACY_TABLES, writes_folder=False,
              not_applicable=without_accuracy_inputs)
