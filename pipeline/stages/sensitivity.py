"""Stage sensitivity: how much each counting choice (each published quirk, each policy) moves the correlation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.sql import replace_table
from ..core.stage import StageOutput, database_transaction
from ..core.step import Stage, StageContext
from ..stats.sensitivity import SCOPE, compute_sensitivity

SENSITIVITY_TABLES = ("sensitivity",)


def parameters(context: StageContext) -> dict[str, Any]:
    return {"scope": SCOPE, "human_turns": context.run.options.vlmclassifier.human_turns}


def body(context: StageContext, _output_dir: Path) -> StageOutput:
    with database_transaction(context.run.database, "sensitivity") as connection:
        table = compute_sensitivity(connection, context.run)
        replace_table(connection, "sensitivity", table)
    return StageOutput(outputs={"database": str(context.run.database)}, rows={"sensitivity": table.height},
                       details={"variants": table["variant"].unique(maintain_order=True).to_list()})


STAGE = Stage(name="sensitivity", summary=__doc__.splitlines()[0], needs=("count", "published", "accuracy"),
              body=body, parameters=parameters, tables=SENSITIVITY_TABLES, writes_folder=False)
