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
from ..report.sections import SECTIONS, TABLES_NEEDING_ACCURACY, Section, provenance_section


def report_path(run: RunConfig) -> Path:
    return reports_dir() / f"{run.name}.html"


def _counts_only(run: RunConfig) -> bool:
    """A run without [[accuracy]]: its report shows nothing of correlate and sensitivity, even when an earlier
    version of the run left their tables behind."""
    return not run.accuracy


def _optional(context: StageContext) -> dict[str, dict[str, Any] | None]:
    """The manifests of the stages a counts-only run leaves out, where they ran for this run."""
    counts_only = _counts_only(context.run)
    return {stage: None if counts_only else read_manifest(context.run.work_dir, stage) for stage in ("correlate", "sensitivity")}


def parameters(context: StageContext) -> dict[str, Any]:
    return {"path": str(report_path(context.run)),
            **{stage: manifest and manifest["fingerprint"] for stage, manifest in _optional(context).items()}}


def body(context: StageContext, _output_dir: Path) -> StageOutput:
    run = context.run
    facts = provenance(run, context.upstream["ingest"], _optional(context)["correlate"])
    counts_only = _counts_only(run)
    shown = tuple(section for section in SECTIONS if not (counts_only and set(section.requires) & TABLES_NEEDING_ACCURACY))
    sections = (*shown, Section("provenance", "Provenance", provenance_section(facts)))
    with connect(run.database, read_only=True) as connection:
        text = render_report(connection, run.name, sections, counts_only=counts_only)
    write_atomic(report_path(run), text)
    return StageOutput(outputs={"report": str(report_path(run))}, rows={"bytes": len(text.encode())})


STAGE = Stage(name="report", summary=__doc__.splitlines()[0], needs=("ingest", "count"), uses=("correlate", "sensitivity"),
              body=body, parameters=parameters, writes_folder=False, files=lambda run: (report_path(run),))
