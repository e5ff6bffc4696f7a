"""Stage 8, report: one self-contained HTML file per run (plotly.js inlined once, no CDN).

All text from datasets, class sets and model names is escaped before it reaches the page; chart
data travels as JSON inside the plotly figures, which plotly renders as text.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import plotly
import plotly.graph_objects as go
import polars as pl

from . import __version__
from .config import RunConfig
from .sql import connect, query_frame, sql_frame
from .stage import StageOutput, require_manifest, run_stage, write_atomic

REPORTS_DIR = Path("reports")


def escape(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def table_html(frame: pl.DataFrame, caption: str = "", table_id: str = "") -> str:
    head = "".join(f"<th>{escape(column)}</th>" for column in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(_format(value))}</td>" for value in row) + "</tr>" for row in frame.iter_rows()
    )
    ident = f' id="{escape(table_id)}"' if table_id else ""
    return f"<table{ident}><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _format(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1e-3 and value != 0 else f"{value:.3f}"
    return value


def scatter_figure(joined: pl.DataFrame, scope: str) -> go.Figure:
    """Frequency–accuracy scatter, one trace per model (a dropdown picks the model); zeros at x = 0.5."""
    figure = go.Figure()
    scoped = joined.filter(pl.col("scope") == scope)
    models = scoped["model"].unique(maintain_order=True).to_list()
    for index, model in enumerate(models):
        rows = scoped.filter(pl.col("model") == model)
        figure.add_trace(
            go.Scattergl(
                x=[max(value, 0.5) for value in rows["n_docs"].to_list()],
                y=rows["accuracy"].to_list(),
                mode="markers",
                name=model,
                visible=index == 0,
                customdata=list(zip(rows["display_name"].to_list(), rows["wnid"].to_list(), rows["n_docs"].to_list())),
                hovertemplate="%{customdata[0]} (%{customdata[1]})<br>frequency %{customdata[2]}<br>accuracy %{y:.3f}<extra></extra>",
            )
        )
    buttons = [
        {"label": model, "method": "update", "args": [{"visible": [m == model for m in models]}, {"title": model}]}
        for model in models
    ]
    figure.update_layout(
        updatemenus=[{"buttons": buttons, "x": 1.0, "y": 1.15}] if len(models) > 1 else [],
        xaxis={"type": "log", "title": f"text units mentioning the class ({scope}; zero shown at 0.5)"},
        yaxis={"title": "accuracy", "range": [0, 1.02]},
        title=models[0] if models else "",
        template="plotly_white",
        height=520,
    )
    return figure


def figure_html(figure: go.Figure, div_id: str) -> str:
    return figure.to_html(include_plotlyjs=False, full_html=False, div_id=div_id, config={"responsive": True})


STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1200px;color:#222;padding:0 1rem}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left}
th{background:#f4f4f4}caption{text-align:left;font-weight:600;padding:.3rem 0}.lead{font-size:1.1rem}
"""


def render_report(run_name: str, summary: pl.DataFrame, correlations: pl.DataFrame, joined: pl.DataFrame,
                  provenance: dict[str, Any], extra_sections: list[str] = ()) -> str:
    """Pure core: tables in, one HTML page out; the same inputs give the same bytes."""
    combined = correlations.filter(pl.col("scope") == "combined").sort("spearman_rho", descending=True, nulls_last=True)
    lead = ""
    if combined.height:
        best = combined.row(0, named=True)
        lead = (f"Across {combined.height} models, Spearman's rho between class frequency (all text) and accuracy "
                f"ranges from {combined['spearman_rho'].min():.2f} to {combined['spearman_rho'].max():.2f} "
                f"(highest: {best['model']}).")
    scatter = figure_html(scatter_figure(joined, "combined"), "frequency-accuracy") if joined.height else ""
    sections = [
        f"<h1>classfreq report: {escape(run_name)}</h1>",
        f"<p class=lead>{escape(lead)}</p>",
        "<h2>What was counted</h2>",
        table_html(summary, "Text units, conversations and words per source, stage and role"),
        "<h2>Correlation of accuracy with frequency</h2>",
        table_html(correlations, "Spearman on frequency; Pearson on log10(1 + frequency)", "correlations"),
        "<h2>Frequency and accuracy per class</h2>",
        scatter,
        *extra_sections,
        "<h2>Provenance</h2>",
        f"<pre>{escape(json.dumps(provenance, indent=2, sort_keys=True))}</pre>",
    ]
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        f"<title>classfreq: {escape(run_name)}</title><style>{STYLE}</style>"
        f"<script>{plotly.offline.get_plotlyjs()}</script></head><body>"
        + "\n".join(sections)
        + "</body></html>"
    )


def report_path(run: RunConfig) -> Path:
    return REPORTS_DIR / f"{run.name}.html"


def report(run: RunConfig, force: bool = False):
    from .report_lexicon import lexicon_sections  # imports this module: imported late

    correlated = require_manifest(run.work_dir, "correlate", "report")
    ingested = require_manifest(run.work_dir, "ingest", "report")
    inputs = {"correlate": correlated["fingerprint"], "ingest": ingested["fingerprint"], "path": str(report_path(run))}

    def body(_output_dir: Path, _digest: str) -> StageOutput:
        with connect(run.database, read_only=True) as connection:
            summary = query_frame(connection, "select * from documents_summary order by all")
            correlations = query_frame(connection, "select * from correlations order by model, scope")
            joined = sql_frame(connection, "frequency_accuracy")
            extra_sections = lexicon_sections(connection)
        provenance = {"run": run.name, "classfreq": __version__, "class_set": run.class_set,
                      "sources": ingested["details"]["sources"], "options": run.options}
        write_atomic(report_path(run), render_report(run.name, summary, correlations, joined, provenance, extra_sections))
        return StageOutput(outputs={"report": str(report_path(run))})

    return run_stage(run.work_dir, "report", inputs, body, force=force, writes_files=False,
                     outputs_exist=lambda manifest: report_path(run).exists())
