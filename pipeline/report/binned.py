"""The report's section on mean accuracy per frequency bin: a small chart per model, in the bins that suit the corpus.

Small multiples rather than one chart of every model: 21 crossing lines with a legend to scroll say nothing at a
glance, while a grid of panels on the same axes shows each model's curve and lets the eye compare their shapes.
Zhang et al.'s bins are made for LLaVA's 1.2M captions; on a small corpus most classes fall into their first bin,
[0, 10), and most of the others hold a handful of classes, whose means are noise. The section then shows decades
first and says why; the other scheme is one click away.
"""

from __future__ import annotations

import math

import duckdb
import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from ..core.sql import sql_frame
from .html import escape, figure_html

# The paper's bins are "mostly empty" when more than this share of the classes falls in their first bin, or when
# more than half of the bins hold fewer than SPARSE_BIN classes.
FIRST_BIN_SHARE = 0.5
SPARSE_BIN = 5
COLUMNS = 4
PANEL_HEIGHT = 180
SCHEME_NAMES = {"paper": "Zhang et al.'s bins", "decade": "decades of frequency"}


def chosen_scheme(paper_bins: pl.DataFrame) -> tuple[str, str]:
    """The scheme to show first, from the classes per bin of the paper's scheme (empty bins included), and why."""
    total = int(paper_bins["n_classes"].sum())
    first = paper_bins.row(0, named=True)
    sparse = paper_bins.filter(pl.col("n_classes") < SPARSE_BIN).height
    facts = (f"{first['n_classes']:,} of {total:,} classes fall in their first bin, {first['bin']}, and {sparse} of "
             f"their {paper_bins.height} bins {'holds' if sparse == 1 else 'hold'} fewer than {SPARSE_BIN} classes")
    rule = (f"decades are shown first when more than {FIRST_BIN_SHARE:.0%} of the classes fall in that first bin or "
            f"more than half of the bins hold fewer than {SPARSE_BIN}")
    if total and (first["n_classes"] > FIRST_BIN_SHARE * total or sparse > paper_bins.height / 2):
        return "decade", (f"Decades of frequency are shown, because Zhang et al.'s bins are mostly empty here: {facts} "
                          f"({rule}; Zhang et al.'s bins are below).")
    return "paper", f"Zhang et al.'s bins are shown: {facts} ({rule}; decades are below)."


def _short_number(value: int) -> str:
    for size, suffix in ((10**9, "B"), (10**6, "M"), (10**3, "k")):
        if value >= size:
            return f"{value // size:,}{suffix}"
    return str(value)


def short_bin_label(lower: int, upper: int | None) -> str:
    """A bin as a panel's axis can hold it: `10–20` for [10, 20), `1k–10k`, `0` for never mentioned, `≥100k`."""
    if upper is None:
        return f"≥{_short_number(lower)}"
    if (lower, upper) == (0, 1):
        return "0"
    return f"{_short_number(lower)}–{_short_number(upper)}"


def _small_multiples(binned: pl.DataFrame, bins: pl.DataFrame, models: list[str], title: str, div_id: str) -> str:
    """One panel per model (in the given order) on shared axes: mean accuracy per bin with its interval."""
    labels = [short_bin_label(lower, upper) for lower, upper in zip(bins["lower"], bins["upper"])]
    label_of = dict(zip(bins["bin_index"], labels))
    columns = min(COLUMNS, len(models))
    rows = math.ceil(len(models) / columns)
    figure = make_subplots(rows=rows, cols=columns, shared_yaxes=True, subplot_titles=[escape(m) for m in models],
                           horizontal_spacing=0.02, vertical_spacing=0.5 / rows)
    for index, model in enumerate(models):
        part = binned.filter(pl.col("model") == model).sort("bin_index")
        mean = part["mean_accuracy"]
        figure.add_trace(go.Scatter(
            x=[label_of[bin_index] for bin_index in part["bin_index"]], y=mean.to_list(), mode="lines+markers",
            name=escape(model), showlegend=False, line={"color": "#4c78a8", "width": 2}, marker={"size": 5},
            customdata=[[escape(model), label, n, "–" if low is None else f"{low:.2f}–{high:.2f}"]
                        for label, n, low, high in part.select("bin", "n_classes", "ci_low", "ci_high").iter_rows()],
            error_y={"type": "data", "symmetric": False, "array": (part["ci_high"] - mean).fill_null(0).to_list(),
                     "arrayminus": (mean - part["ci_low"]).fill_null(0).to_list(), "thickness": 1, "width": 2,
                     "color": "#9db4d0"},
            hovertemplate=("%{customdata[0]}<br>%{customdata[1]}: mean accuracy %{y:.3f} "
                           "[95% CI %{customdata[3]}]<br>%{customdata[2]} classes<extra></extra>")),
            row=index // columns + 1, col=index % columns + 1)
    # a dozen bins' labels fit under a panel only upright
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=labels, tickfont={"size": 9},
                        tickangle=-90 if len(labels) > 8 else 0, showgrid=False)
    figure.update_yaxes(range=[0, 1], tickvals=[0, 0.5, 1], tickfont={"size": 9})
    figure.update_annotations(font={"size": 11})
    figure.update_layout(title=title, template="plotly_white", height=PANEL_HEIGHT * rows + 110,
                         margin={"l": 40, "r": 10, "t": 80, "b": 40})
    return figure_html(figure, div_id)


def _model_order(connection: duckdb.DuckDBPyConnection, binned: pl.DataFrame) -> list[str]:
    """The forest plot's order, strongest Spearman first; models without one after them, by name."""
    ranked = sql_frame(connection, "report/lead_correlations")["model"].to_list()
    return ranked + sorted(set(binned["model"]) - set(ranked))


def binned_section(connection: duckdb.DuckDBPyConnection) -> str:
    binned = sql_frame(connection, "report/binned_accuracy").filter(pl.col("scope") == "combined")
    counts = sql_frame(connection, "report/classes_per_bin")
    if not counts["n_classes"].sum():
        return "<p>No class has both a frequency and an accuracy: there is nothing to bin.</p>"
    shown, reason = chosen_scheme(counts.filter(pl.col("scheme") == "paper"))
    models = _model_order(connection, binned)

    def scheme_part(scheme: str) -> str:
        bins = counts.filter(pl.col("scheme") == scheme)
        occupied = bins.filter(pl.col("n_classes") > 0)
        # the decades run up to 10^10: only the stretch between the first and last occupied bin is drawn
        bins = bins.filter(pl.col("bin_index").is_between(occupied["bin_index"].min(), occupied["bin_index"].max()))
        per_bin = ", ".join(f"{label} {n:,}" for label, n in zip(bins["bin"], bins["n_classes"]))
        title = f"Mean accuracy (95% bootstrap CI) per bin of frequency, {SCHEME_NAMES[scheme]}: one panel per model"
        return (_small_multiples(binned.filter(pl.col("scheme") == scheme), bins, models, title, f"binned-{scheme}")
                + f'<p class="note">{escape(f"Classes per bin (all text): {per_bin}.")}</p>')

    other = "paper" if shown == "decade" else "decade"
    note = (f"{reason} One panel per model, on the same axes, in the order of the chart of Spearman's ρ above "
            "(strongest first). A bin such as 10–100 holds the classes mentioned in at least 10 and fewer than 100 "
            "text units; 0 is never mentioned. Hover a point for its numbers.")
    return (f'<p class="note">{escape(note)}</p>' + scheme_part(shown)
            + f"<details><summary>{escape(SCHEME_NAMES[other].capitalize())}</summary>{scheme_part(other)}</details>")
