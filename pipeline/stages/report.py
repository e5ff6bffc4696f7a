"""Stage report: one self-contained HTML report of the run, work/<run>/report.html, charts included, readable offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.config import RunConfig
from ..core.sql import connect
from ..core.stage import StageOutput, read_manifest, write_atomic
from ..core.step import Stage, StageContext
from ..report.render import provenance, render_report
from ..report.sections import SECTIONS, TABLES_NEEDING_ACCURACY, Section, provenance_section

OPTIONAL_STAGES = ("accuracy", "correlate", "sensitivity")


def _counts_only(run: RunConfig) -> bool:
    """A run without [[accuracy]]: its report shows nothing of correlate and sensitivity, even when an earlier
    version of the run left their tables behind."""
    return not run.accuracy


def _optional(context: StageContext) -> dict[str, dict[str, Any] | None]:
    """The manifests of the stages a counts-only run leaves out, where they ran for this run."""
    counts_only = _counts_only(context.run)
    return {stage: None if counts_only else read_manifest(context.run.work_dir, stage) for stage in OPTIONAL_STAGES}


def parameters(context: StageContext) -> dict[str, Any]:
    return {"path": str(context.run.report), "run_file": context.run.file_identity,
            **{stage: manifest and manifest["fingerprint"] for stage, manifest in _optional(context).items()}}


def body(context: StageContext, _output_dir: Path) -> StageOutput:
    run = context.run
    optional = _optional(context)
    facts = provenance(run, context.upstream["ingest"], context.manifest("synonyms"), optional["accuracy"],
                       optional["correlate"])
    counts_only = _counts_only(run)
    shown = tuple(section for section in SECTIONS if not (counts_only and set(section.requires) & TABLES_NEEDING_ACCURACY))
    sections = (*shown, Section("provenance", "Provenance", provenance_section(facts)))
    with connect(run.database, read_only=True) as connection:
        text = render_report(connection, run.name, sections, counts_only=counts_only)
    write_atomic(run.report, text)
    return StageOutput(outputs={"report": str(run.report)}, rows={"bytes": len(text.encode())})


STAGE = Stage(name="report", summary=__doc__.splitlines()[0], needs=("ingest", "synonyms", "count"), uses=OPTIONAL_STAGES,
              body=body, parameters=parameters, writes_folder=False, files=lambda run: (run.report,))
