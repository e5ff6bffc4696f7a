"""The report's sections: each reads a read-only DuckDB connection and returns an escaped HTML fragment.

A section lists the tables it needs; the report leaves out a section whose tables are absent, so a
stage that has not run (or a run without accuracy) gives a shorter report, not an error. To add a
section, write a function `(connection) -> str` and put a `Section` for it into `SECTIONS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import plotly.graph_objects as go
import polars as pl

from ..core.sql import sql_frame
from ..stats.accuracy_notes import accuracy_notes, unusable_model_notes
from ..stats.policy_checks import policy_notes
from .binned import binned_section
from .html import cell, count_cell, escape, estimate_cell, figure_html, p_cell, table_html
from .lexicon import curation_section, evaluation_section, flagged_terms_section, policy_shift_section
from .sensitivity import sensitivity_section

ZERO_AT = 0.5  # where a never-seen class sits on the log axis, labelled "0"
EXPOSURE_ROWS = 15
WARNING_EXAMPLES = 10


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    render: Callable[[duckdb.DuckDBPyConnection], str]
    requires: tuple[str, ...] = ()


def lead(connection: duckdb.DuckDBPyConnection) -> str:
    """The answer at a glance: how strongly accuracy follows frequency across the models."""
    combined = sql_frame(connection, "report/lead_correlations")
    if combined.is_empty():
        return ('<p class="lead">No model has a correlation of accuracy with frequency; the warnings below say '
                "why.</p>")
    best, worst = combined.row(0, named=True), combined.row(-1, named=True)
    significant = combined.filter((pl.col("spearman_low") > 0) | (pl.col("spearman_high") < 0)).height
    if combined.height == 1:
        text = (f"For {best['model']}, Spearman's ρ between how often a class is mentioned (all text, "
                f"{best['n_classes']:,} classes, {best['n_zero']:,} never mentioned) and the model's accuracy on it is "
                f"{best['spearman_rho']:.2f} [95% CI {best['spearman_low']:.2f}–{best['spearman_high']:.2f}]; the "
                f"interval {'excludes' if significant else 'includes'} zero.")
        return f'<p class="lead">{escape(text)}</p>'
    text = (f"Across {combined.height} models, Spearman's ρ between how often a class is mentioned (all text, "
            f"{best['n_classes']:,} classes, {best['n_zero']:,} never mentioned) and the model's accuracy on it ranges "
            f"from {worst['spearman_rho']:.2f} ({worst['model']}) to {best['spearman_rho']:.2f} "
            f"[95% CI {best['spearman_low']:.2f}–{best['spearman_high']:.2f}] ({best['model']}).")
    text += f" For {significant} of {combined.height} models the interval excludes zero."
    return f'<p class="lead">{escape(text)}</p>'


def policy_warnings_box(connection: duckdb.DuckDBPyConnection) -> str:
    """At the top of the report: the classes the run's policy cuts by more than half, the terms it never
    counts and the classes without a WordNet mapping, so that no zero or near-zero count passes unseen."""
    return "".join(f'<p class="warning">{escape(note)}.</p>' for note in policy_notes(connection, WARNING_EXAMPLES))


def accuracy_warnings_box(connection: duckdb.DuckDBPyConnection, correlated: bool) -> str:
    """At the top of the report: the accuracy keys left out, each model's scale, and (once correlated) the models
    without a correlation, so that no model or class leaves the analysis unseen."""
    notes = accuracy_notes(connection) + (unusable_model_notes(connection) if correlated else [])
    return "".join(f'<p class="warning">{escape(note)}.</p>' for note in notes)


def accuracy_section(connection: duckdb.DuckDBPyConnection) -> str:
    models = sql_frame(connection, "report/accuracy_models")
    dropped = sql_frame(connection, "report/accuracy_unresolved")
    return (
        table_html(["model", "file", "scale", "scoring", "keys", "resolved", "left out", "answers scored"],
                   [[cell(r["model"]), cell(r["source"]), cell(r["scale"]), cell(r["scoring"] or "imported"),
                     cell(r["n_keys"]), cell(r["n_resolved"]), cell(r["n_unresolved"]), cell(r["n_records"])]
                    for r in models.iter_rows(named=True)],
                   "accuracy-models", "How each model's accuracy was read")
        + table_html(["model", "file", "key", "why left out"],
                     [[cell(r["model"]), cell(r["source"]), cell(r["key"]), cell(r["reason"])]
                      for r in dropped.iter_rows(named=True)],
                     "accuracy-unresolved", f"{dropped.height:,} accuracy keys left out of the correlation",
                     searchable=True)
    )


def counted_section(connection: duckdb.DuckDBPyConnection) -> str:
    documents = sql_frame(connection, "report/documents")
    scopes = sql_frame(connection, "report/scope_summary")
    totals = (f"{documents['n_docs'].sum():,} text units and {documents['n_words'].sum():,} words from "
              f"{documents['source'].n_unique()} sources; {scopes['n_classes'][0]:,} classes.")
    return (
        f"<p>{escape(totals)}</p>"
        + table_html(["source", "stage", "role", "text units", "conversations", "words"],
                     [[cell(r["source"]), cell(r["stage"]), cell(r["role"]), cell(r["n_docs"]),
                       cell(r["n_conversations"]), cell(r["n_words"])] for r in documents.iter_rows(named=True)],
                     "documents", "Text per source, stage and role")
        + table_html(["scope", "classes", "never mentioned", "text units × classes mentioned", "most text units for one class"],
                     [[cell(r["scope"]), cell(r["n_classes"]), cell(r["n_zero"]), cell(r["class_mentions_docs"]),
                       count_cell(r["max_docs"])] for r in scopes.iter_rows(named=True)],
                     "scopes", "Classes per frequency scope")
    )


def mentioned_section(connection: duckdb.DuckDBPyConnection) -> str:
    top = sql_frame(connection, "queries/top_classes")
    unseen = sql_frame(connection, "queries/unseen_classes")
    return (
        table_html(["class", "wnid", "text units", "pretrain", "instruct"],
                   [[cell(r["display_name"]), cell(r["class_id"]), count_cell(r["n_docs"]), count_cell(r["pretrain_docs"]),
                     count_cell(r["instruct_docs"])] for r in top.iter_rows(named=True)],
                   "top-classes", f"The {top.height} most mentioned classes (all text)")
        + table_html(["index", "class", "wnid", "terms looked for"],
                     [[cell(r["class_index"]), cell(r["display_name"]), cell(r["class_id"]), cell(r["terms"])]
                      for r in unseen.iter_rows(named=True)],
                     "unseen-classes", f"{unseen.height:,} classes never mentioned, with the terms looked for",
                     searchable=True)
    )


def _forest_figure(combined: pl.DataFrame) -> go.Figure:
    ordered = combined.sort("spearman_rho", nulls_last=False)
    figure = go.Figure(go.Scatter(
        x=ordered["spearman_rho"].to_list(), y=[escape(m) for m in ordered["model"]], mode="markers",
        error_x={"type": "data", "symmetric": False,
                 "array": (ordered["spearman_high"] - ordered["spearman_rho"]).to_list(),
                 "arrayminus": (ordered["spearman_rho"] - ordered["spearman_low"]).to_list()},
        hovertemplate="%{y}: ρ %{x:.3f}<extra></extra>", name="Spearman ρ"))
    figure.add_vline(x=0, line_color="#999")
    figure.update_layout(title="Spearman ρ of accuracy on frequency (all text), 95% bootstrap CI",
                         xaxis_title="Spearman ρ", height=max(320, 22 * ordered.height + 120), template="plotly_white",
                         margin={"l": 220})
    return figure


def correlation_section(connection: duckdb.DuckDBPyConnection) -> str:
    """The forest plot, then a table narrow enough for a laptop's screen: Spearman's ρ, the slope and the partial ρ,
    each with its interval in the cell; Kendall's τ and Pearson's r, which tell the same story, folded away below."""
    table = sql_frame(connection, "report/correlations")
    first = table.row(0, named=True)
    reference = first["reference_model"]
    rows = [[cell(r["model"]), cell(r["scope"]), cell(r["n_zero"], f"{r['n_classes']:,} ({r['n_zero']:,})"),
             estimate_cell(r["spearman_rho"], r["spearman_low"], r["spearman_high"], 2), p_cell(r["spearman_p"]),
             estimate_cell(r["slope_per_decade"], r["slope_low"], r["slope_high"])]
            + ([estimate_cell(r["partial_spearman"], r["partial_spearman_low"], r["partial_spearman_high"], 2),
                p_cell(r["partial_spearman_p"])] if reference else [])
            for r in table.iter_rows(named=True)]
    headers = (["model", "scope", "classes (never mentioned)", "Spearman ρ", "p", "accuracy per decade"]
               + (["partial ρ", "p"] if reference else []))
    other_rows = [[cell(r["model"]), cell(r["scope"]),
                   estimate_cell(r["kendall_tau"], r["kendall_low"], r["kendall_high"], 2), p_cell(r["kendall_p"]),
                   estimate_cell(r["pearson_log_r"], r["pearson_log_low"], r["pearson_log_high"], 2),
                   p_cell(r["pearson_log_p"])] for r in table.iter_rows(named=True)]
    other_headers = ["model", "scope", "Kendall τ", "p", "Pearson r on log10(1 + f)", "p"]
    note = (f"Frequency: text units mentioning the class ({first['frequency']}). Intervals: percentile bootstrap, "
            f"{first['n_resamples']:,} resamples of the classes, seed {first['seed']}. Accuracy per decade: the slope of "
            "a least-squares line of accuracy on log10(1 + frequency).")
    if reference:
        note += (f" Partial ρ holds {reference}'s accuracy on each class fixed, separating exposure from how hard a "
                 "class is.")
    combined = table.filter((pl.col("scope") == "combined") & pl.col("spearman_rho").is_not_null())
    forest = figure_html(_forest_figure(combined), "spearman-by-model") if combined.height else ""
    return (forest + f'<p class="note">{escape(note)}</p>'
            + table_html(headers, rows, "correlation-table",
                         "Correlation of accuracy with frequency, per model and scope: estimate [95% CI]",
                         searchable=True, fit=True)
            + "<details><summary>Kendall's τ and Pearson's r, per model and scope</summary>"
            + table_html(other_headers, other_rows, "correlation-details",
                         "Kendall's τ and Pearson's r on log10(1 + frequency), per model and scope: estimate [95% CI]",
                         searchable=True, fit=True)
            + "</details>")


def _classes_with_terms(connection: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return sql_frame(connection, "report/class_table").select("class_id", "matched_terms")


def scatter_section(connection: duckdb.DuckDBPyConnection) -> str:
    """Frequency against accuracy, one model at a time (a dropdown picks it); never-seen classes at the left edge."""
    joined = sql_frame(connection, "report/combined_points")
    joined = joined.join(_classes_with_terms(connection), on="class_id", how="left").sort(["model", "class_index"])
    models = joined["model"].unique().sort().to_list()
    figure = go.Figure()
    for index, model in enumerate(models):
        rows = joined.filter(pl.col("model") == model)
        frequency = [int(value) for value in rows["frequency"]]
        figure.add_trace(go.Scatter(
            x=[value if value > 0 else ZERO_AT for value in frequency], y=rows["accuracy"].to_list(), mode="markers",
            name=escape(model), visible=index == 0, marker={"size": 6, "opacity": 0.6},
            customdata=[[escape(name), escape(wnid), count, escape(terms or "none")] for name, wnid, count, terms in
                        zip(rows["display_name"], rows["wnid"], frequency, rows["matched_terms"])],
            hovertemplate=("%{customdata[0]} (%{customdata[1]})<br>frequency %{customdata[2]}<br>accuracy %{y:.3f}"
                           "<br>matched: %{customdata[3]}<extra></extra>")))
    buttons = [{"label": escape(model), "method": "update",
                "args": [{"visible": [other == model for other in models]}, {"title.text": escape(model)}]}
               for model in models]
    maximum = max(1, int(joined["frequency"].max() or 1))
    ticks = [ZERO_AT] + [10**power for power in range(len(str(maximum)) + 1)]
    figure.update_layout(
        updatemenus=[{"buttons": buttons, "x": 0, "xanchor": "left", "y": 1.18, "yanchor": "top"}],
        xaxis={"type": "log", "title": "text units mentioning the class (all text; 0 at the left edge)",
               "tickvals": ticks, "ticktext": ["0"] + [f"{tick:,}" for tick in ticks[1:]]},
        yaxis={"title": "accuracy", "range": [-0.02, 1.02]},
        title={"text": escape(models[0]) if models else "", "x": 0.5}, template="plotly_white", height=560)
    return ('<p class="note">Pick a model from the menu; hover a point for the class, its wnid, frequency, accuracy '
            "and the terms that matched it.</p>" + figure_html(figure, "frequency-accuracy"))


def exposure_section(connection: duckdb.DuckDBPyConnection) -> str:
    """The classes furthest from the trend, compared like with like: each model ranks only its own classes."""
    ranked = sql_frame(connection, "report/class_exposure")
    if ranked.is_empty():
        return "<p>No class has both a frequency and an accuracy.</p>"
    n_models = ranked["n_all_models"][0]
    complete = ranked["n_models"].min() == n_models
    coverage = (f"Here each of the {n_models} models has an accuracy for every class." if complete else
                f"The models cover different classes: 'models' says how many of the {n_models} have the class.")
    headers = ["class", "wnid", "text units", *([] if complete else ["models"]), "frequency percentile",
               "accuracy percentile", "gap"]

    def rows(frame: pl.DataFrame):
        return [[cell(r["display_name"]), cell(r["wnid"]), count_cell(r["frequency"]),
                 *([] if complete else [cell(r["n_models"])]), cell(r["frequency_rank"]), cell(r["accuracy_rank"]),
                 cell(r["exposure_gap"])] for r in frame.iter_rows(named=True)]

    note = ("Compared within each model: each model's classes are ranked by their frequency (all text) and by that "
            "model's accuracy, among the classes the model has an accuracy for, so that no class is ranked against "
            "the accuracy of models another class lacks. A class's percentiles and gap (frequency percentile minus "
            f"accuracy percentile) are the means over the models that have it. {coverage}")
    return (
        f'<p class="note">{escape(note)}</p>'
        + table_html(headers, rows(ranked.head(EXPOSURE_ROWS)), "over-exposed", "Seen often, classified poorly")
        + table_html(headers, rows(ranked.tail(EXPOSURE_ROWS).reverse()), "under-exposed", "Seen rarely, classified well")
    )


def class_table_section(connection: duckdb.DuckDBPyConnection) -> str:
    classes = sql_frame(connection, "report/class_table")
    rows = [[cell(r["class_index"]), cell(r["display_name"]), cell(r["wnid"]), count_cell(r["n_docs"]),
             count_cell(r["pretrain_docs"]), count_cell(r["instruct_docs"]), cell(r["mean_accuracy"]), cell(r["matched_terms"])]
            for r in classes.iter_rows(named=True)]
    return table_html(["index", "class", "wnid", "text units", "pretrain", "instruct", "mean accuracy", "terms matched (mentions)"],
                      rows, "class-table", "Every class: click a header to sort, type to filter", searchable=True)


def provenance_section(provenance: dict) -> Callable[[duckdb.DuckDBPyConnection], str]:
    def render(_connection: duckdb.DuckDBPyConnection) -> str:
        files = table_html(["role", "path", "bytes", "sha256"],
                           [[cell(f["role"]), cell(f["path"]), cell(f["size"]), cell(f["sha256"])]
                            for f in provenance["files"]], "input-files", "Input files")
        parameters = table_html(["parameter", "value"], [[cell(k), cell(str(v))] for k, v in provenance["parameters"]],
                                "parameters", "Parameters")
        packages = table_html(["package", "version"], [[cell(k), cell(v)] for k, v in provenance["packages"]],
                              "packages", "Package versions")
        rejects = table_html(["source", "reason", "records"],
                             [[cell(source["source"]), cell(reason), cell(count)]
                              for source in provenance.get("sources") or []
                              for reason, count in sorted(source.get("rejects_by_reason", {}).items())],
                             "rejects", 'Input records rejected (options.input_policy = "skip"), per source and reason')
        return files + rejects + parameters + packages
    return render


#: tables written only by runs with [[accuracy]]: a counts-only run's report leaves out the sections that read them
TABLES_NEEDING_ACCURACY = {"accuracy", "accuracy_models", "correlations", "correlated_points", "binned_accuracy", "sensitivity"}

SECTIONS = (
    Section("counted", "What was counted", counted_section, ("documents_summary", "class_frequency_by_scope")),
    Section("mentioned", "Most and never mentioned classes", mentioned_section,
            ("class_frequency_by_scope", "class_frequency", "lexicon")),
    Section("correlations", "Does accuracy follow frequency?", correlation_section, ("correlations",)),
    Section("scatter", "Frequency and accuracy of each class", scatter_section, ("correlated_points", "mentions")),
    Section("binned", "Mean accuracy by frequency", binned_section,
            ("binned_accuracy", "frequency_bins", "correlated_points", "correlations")),
    Section("exposure", "Over- and under-exposed classes", exposure_section, ("correlated_points",)),
    Section("classes", "Every class", class_table_section, ("accuracy", "class_frequency_by_scope", "mentions")),
    Section("accuracy", "Accuracy inputs", accuracy_section, ("accuracy_models", "accuracy_unresolved")),
    Section("flagged", "Ambiguous terms", flagged_terms_section, ("lexicon", "mention_weights")),
    Section("policies", "How much each policy moves each class", policy_shift_section,
            ("class_frequency_by_policy", "class_frequency_by_scope")),
    Section("curation", "Curated exclusions and blocking compounds", curation_section, ("uncounted_mentions",)),
    Section("evaluation", "Precision and recall of each policy", evaluation_section,
            ("label_evaluation", "recall_evaluation")),
    Section("sensitivity", "How much each counting choice moves the correlation", sensitivity_section, ("sensitivity",)),
)
