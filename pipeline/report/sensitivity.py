"""The report's section on how much each counting choice moves the correlation (the `sensitivity` table)."""

from __future__ import annotations

import html

import duckdb
import plotly.graph_objects as go
import polars as pl

from ..core.sql import sql_frame
from .html import escape, figure_html, frame_table


def sensitivity_summary(table: pl.DataFrame) -> pl.DataFrame:
    """Per variant: the median over models of each statistic, and the range of Spearman."""
    return (table.group_by("variant_order", "variant", "description")
            .agg(n_models=pl.len(), median_spearman=pl.col("spearman_rho").median(),
                 min_spearman=pl.col("spearman_rho").min(), max_spearman=pl.col("spearman_rho").max(),
                 median_change=pl.col("spearman_change").median(), median_pearson_raw=pl.col("pearson_r").median(),
                 median_pearson_log=pl.col("pearson_log_r").median())
            .sort("variant_order").drop("variant_order"))


def sensitivity_figure(table: pl.DataFrame) -> go.Figure:
    """Spearman per variant, one marker per model: how far each choice moves every model."""
    figure = go.Figure()
    variants = table.sort("variant_order")["variant"].unique(maintain_order=True).to_list()
    for (model,), rows in table.group_by(["model"], maintain_order=True):
        figure.add_trace(go.Scatter(
            x=rows["spearman_rho"].to_list(), y=rows["variant"].to_list(), mode="markers", name=escape(model),
            hovertemplate="%{y}<br>Spearman %{x:.3f}<extra>%{fullData.name}</extra>"))
    figure.update_layout(
        xaxis={"title": "Spearman's rho, accuracy vs combined frequency"},
        yaxis={"categoryorder": "array", "categoryarray": variants[::-1]},
        template="plotly_white", height=120 + 40 * len(variants), margin={"l": 260})
    return figure


def sensitivity_section(connection: duckdb.DuckDBPyConnection) -> str:
    """The report's sensitivity section from a read-only connection: escaped HTML."""
    table = sql_frame(connection, "report/sensitivity")
    if table.is_empty():
        return "<p>No models with accuracy: nothing to compare.</p>"
    explanation = html.escape(
        "The published counting (Zhang et al. 2024, quirks included), the same with each quirk fixed one at a time, "
        "and classfreq's method, on the combined frequency. 'change' is the difference in Spearman's rho from the "
        "published counting; Pearson is on raw counts (as published) and on log10(1 + frequency).")
    columns = ["model", "variant", "n_points", "n_zero", "spearman_rho", "spearman_change", "pearson_r", "pearson_log_r"]
    return "\n".join([
        f'<p class="note">{explanation}</p>',
        frame_table(sensitivity_summary(table), "sensitivity-summary", "Per variant, over models"),
        figure_html(sensitivity_figure(table), "sensitivity-chart"),
        "<details><summary>Every model and variant</summary>",
        frame_table(table.select(columns), "sensitivity", "Correlation per model and variant", searchable=True),
        "</details>",
    ])
