"""Stage report: one self-contained HTML report of the run under reports/, charts included, readable offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.config import RunConfig
from ..core.paths import reports_dir
from ..core.sql import connect
from ..core.stage import StageOutput, read_manifest, write_atomic
from ..core.step import Stage, StageContext
from ..report.render import provenance, render_report
from ..report.sections import ACCURACY_TABLES, SECTIONS, Section, provenance_section


def report_path(run: RunConfig) -> Path:
    return reports_dir() / f"{run.name}.html"


def _optional(context: StageContext) -> dict[str, dict[str, Any] | None]:
    """The manifests of the stages a counts-only run leaves out, where they ran for this run (a run without
    [[accuracy]] shows none of them, even when an earlier version of the run left their tables behind)."""
    counts_only = not context.run.accuracy
    return {stage: None if counts_only else read_manifest(context.run.work_dir, stage) for stage in ("correlate", "sensitivity")}


def parameters(context: StageContext) -> dict[str, Any]:
    return {"path": str(report_path(context.run)),
            **{stage: manifest and manifest["fingerprint"] for stage, manifest in _optional(context).items()}}


def body(context: StageContext, _output_dir: Path) -> StageOutput:
    run = context.run
    facts = provenance(run, context.upstream["ingest"], _optional(context)["correlate"])
    shown = SECTIONS if run.accuracy else tuple(section for section in SECTIONS
                                                if not set(section.requires) & ACCURACY_TABLES)
    sections = (*shown, Section("provenance", "Provenance", provenance_section(facts)))
    with connect(run.database, read_only=True) as connection:
        text = render_report(connection, run.name, sections, counts_only=not run.accuracy)
    write_atomic(report_path(run), text)
    return StageOutput(outputs={"report": str(report_path(run))}, rows={"bytes": len(text.encode())})


STAGE = Stage(name="report", summary=__doc__.splitlines()[0], needs=("ingest", "count"), uses=("correlate", "sensitivity"),
              body=body, parameters=parameters, writes_folder=False, files=lambda run: (report_path(run),))
