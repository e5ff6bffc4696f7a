"""The report page: one self-contained HTML file per run (plotly.js inlined once, no CDN).

The page is assembled from `sections.SECTIONS`, in order, plus provenance; a section whose
tables are absent is left out. The same database and inputs give the same bytes: every query is
ordered, plotly divs have fixed ids, and nothing records when the page was rendered.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

import duckdb
import msgspec

from .. import __version__
from ..core.config import RunConfig
from ..core.sql import relations
from .html import escape, page
from .sections import Section, accuracy_warnings_box, lead, policy_warnings_box

COUNTS_ONLY = ('<p class="lead">This run counts only: it has no accuracy inputs, so how accuracy follows frequency '
               "is not shown. Add [[accuracy]] entries to the run file for the correlation.</p>")
PACKAGES = ("duckdb", "polars", "pyarrow", "numpy", "scipy", "plotly", "spacy", "spacy-lookups-data", "nltk",
            "rapidfuzz")


def render_report(connection: duckdb.DuckDBPyConnection, run_name: str, sections: tuple[Section, ...],
                  counts_only: bool = False) -> str:
    """Pure core over a read-only connection: the sections whose tables exist, in order, as one page; a
    counts-only run's page says so instead of the correlation's lead."""
    present = set(relations(connection))
    included = [section for section in sections if set(section.requires) <= present]
    nav = "".join(f'<a href="#{escape(s.anchor)}">{escape(s.title)}</a>' for s in included)
    body = "".join(f'<section id="{escape(s.anchor)}"><h2>{escape(s.title)}</h2>{s.render(connection)}</section>'
                   for s in included)
    opening = (COUNTS_ONLY if counts_only or "correlations" not in present else lead(connection)) + (
        policy_warnings_box(connection) if {"policy_cuts", "uncountable_terms"} <= present else "") + (
        accuracy_warnings_box(connection, {"correlations", "correlated_points"} <= present)
        if not counts_only and {"accuracy_models", "accuracy_unresolved"} <= present else "")
    return page(f"classfreq: {run_name}", f"<h1>classfreq report: {escape(run_name)}</h1>{opening}<nav>{nav}</nav>{body}")


def run_options(run: RunConfig) -> list[tuple[str, Any]]:
    """Every option of the run as `options.<key>` (nested tables dotted), defaults included: what shaped the numbers."""
    def flattened(prefix: str, value: Any) -> list[tuple[str, Any]]:
        if isinstance(value, msgspec.Struct):
            return [pair for key, item in msgspec.structs.asdict(value).items() for pair in flattened(f"{prefix}.{key}", item)]
        return [(prefix, value)]

    return sorted(flattened("options", run.options))


def provenance(run: RunConfig, ingested: dict[str, Any], lexicon: dict[str, Any], accuracy: dict[str, Any] | None,
               correlated: dict[str, Any] | None) -> dict[str, Any]:
    """Input files with sizes and hashes, the parameters that shaped the numbers, and package versions.

    Each file is shown as the stage that read it recorded it (ingest its sources, synonyms the class and
    curation files, accuracy its files), never as the file is now: a source edited after the counts were
    made must not lend them its hash."""
    files = [{"role": f"source: {source['source']}", "path": source["path"], "size": source["bytes"],
              "sha256": source["sha256"]} for source in ingested["details"].get("sources", []) if source["path"]]
    files += [{"role": entry["role"], "path": entry["path"], "size": entry["bytes"], "sha256": entry["sha256"]}
              for manifest in (lexicon, accuracy) if manifest for entry in manifest["details"].get("files", [])]
    if run.file_identity:
        files.append({"role": "run", "path": run.file_identity["path"], "size": run.file_identity["bytes"],
                      "sha256": run.file_identity["sha256"]})
    parameters = [("run", run.name), ("classfreq", __version__), ("class set", run.class_set),
                  *run_options(run),
                  *sorted((f"correlate.{key}", value) for key, value in (correlated or {"inputs": {}})["inputs"].items()
                          if key not in ("count", "accuracy"))]
    versions = []
    for package in PACKAGES:
        try:
            versions.append((package, metadata.version(package)))
        except metadata.PackageNotFoundError:
            versions.append((package, "not installed"))
    return {"files": files,
            "parameters": parameters, "packages": versions, "sources": ingested["details"].get("sources")}
