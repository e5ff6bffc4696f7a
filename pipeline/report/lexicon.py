"""Report sections on the lexicon: flagged terms, how much each policy moves each class, and what curation removed.

Each section takes a read-only DuckDB connection and returns an HTML fragment; every value from the
data is escaped by the table helpers.
"""

from __future__ import annotations

import html

import duckdb
import polars as pl

from ..core.policies import POLICIES
from ..core.sql import relation_exists, sql_frame
from .html import frame_table
from .policies import policies_side_by_side

TOP = 30


def flagged_terms_section(connection: duckdb.DuckDBPyConnection) -> str:
    long = sql_frame(connection, "report/flagged_terms", {"limit": TOP, "policies": list(POLICIES)})
    frame = policies_side_by_side(long, ["term", "class_ids", "flags", "flag_evidence", "n_senses", "sense_share"],
                                  {"mentions": "{policy}"})
    n_flagged = sql_frame(connection, "report/flagged_term_count")["n_flagged"][0]
    return (
        f'<p class="note">{n_flagged} terms are flagged, each by the rules in flags, with what they found: shared by '
        "several classes; other_sense or verb_or_adjective when other WordNet senses, of other kinds of thing, outweigh "
        "the class's sense (SemCor tags plus 1/rank; the senses that are the same visible thing count with the class: "
        "sense_share); or on the curated generic list. The most frequent, with the mentions each policy counts (drop: "
        "only where the class has another term; split: divided among the classes sharing it; context: only with a word "
        "of the class's gloss or hypernyms in the same text; sense: when the sense model learned from this corpus gives "
        "the class's sense a probability of at least 1/2, and never where the text capitalizes a term written in "
        "lower case as a proper name: Minnie Mouse).</p>"
        + frame_table(frame, "flagged-terms", f"The {TOP} most mentioned flagged terms", searchable=True)
    )


def policy_shift_section(connection: duckdb.DuckDBPyConnection) -> str:
    long = sql_frame(connection, "report/policy_shift", {"limit": TOP})
    frame = policies_side_by_side(long, ["class_id", "display_name", "uncurated", "hypernym"], {"n_docs": "{policy}"})
    frame = frame.select("class_id", "display_name", *POLICIES, "uncurated", "hypernym")
    return (
        '<p class="note">Text units mentioning the class (all sources) under each policy, for the classes the '
        "policies move most; uncurated also counts curated exclusions and blocking compounds, hypernym counts text "
        "units naming a WordNet parent of the class.</p>"
        + frame_table(frame, "policy-shift", f"The {TOP} classes with the largest spread between policies")
    )


def curation_section(connection: duckdb.DuckDBPyConnection) -> str:
    frame = sql_frame(connection, "report/curated_matches", {"limit": TOP})
    if frame.is_empty():
        return '<p class="note">None matched in this text.</p>'
    return (
        f'<p class="note">{html.escape("Matches that count for no class, and the class each would have counted for.")}</p>'
        + frame_table(frame, "curation", "Most frequent")
    )


def evaluation_by_term(connection: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Precision (`<policy>_p`) and recall (`<policy>_r`) of each policy per term of the development set."""
    long = sql_frame(connection, "report/policy_evaluation_by_term")
    return policies_side_by_side(long, ["term", "n", "positive"], {"p": "{policy}_p", "r": "{policy}_r"})


def labelled_evaluation(connection: duckdb.DuckDBPyConnection, half: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each policy's precision and recall on one half of the labelled sets: occurrences, and the recall set."""
    parameters = {"half": half, "policies": list(POLICIES)}
    return (sql_frame(connection, "report/label_evaluation", parameters),
            sql_frame(connection, "report/recall_evaluation", parameters))


def per_class_evaluation(connection: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """The per-class check: per policy, how many classes' counts agree with their labelled estimate; and per
    class, the estimate beside each policy's count. None when the run holds none of its text units."""
    if not relation_exists(connection, "per_class_check"):
        return None
    parameters = {"policies": list(POLICIES)}
    long = sql_frame(connection, "report/per_class_check", parameters)
    index = ["class_id", "display_name", "matches", "n_labelled", "n_class_sense", "estimate", "interval_95"]
    return (sql_frame(connection, "report/per_class_summary", parameters),
            policies_side_by_side(long, index, {"count": "{policy}"}))


PER_CLASS_NOTE = (
    "Per-class check (synonyms/imagenet1k/labels/per_class.csv, held out as a whole): for the 50 classes with "
    "flagged terms matched in the most text units, 20 of each class's matched text units judged by reading; the "
    "estimate of its class-sense text units is matches × the judged share, with a 95% Clopper-Pearson interval. "
    "A count agrees when it lies in the interval or within 20% of the estimate; * marks one that does not.")


def evaluation_section(connection: duckdb.DuckDBPyConnection) -> str:
    occurrences, recall = labelled_evaluation(connection, "held_out")
    per_class = per_class_evaluation(connection)
    per_class_html = "" if per_class is None else (
        f'<p class="note">{html.escape(PER_CLASS_NOTE)}</p>'
        + frame_table(per_class[0], "per-class-summary", "Classes whose count agrees with the labelled estimate")
        + '<details><summary>Every class of the per-class check</summary>'
        + frame_table(per_class[1], "per-class-check", "Labelled estimate and each policy's count") + "</details>")
    return (
        '<p class="note">On the held-out half of the labelled sets (synonyms/imagenet1k/labels/, never used to '
        "tune a rule): term occurrences of this corpus drawn at random from every match (random) and from flagged "
        "terms only (flagged), each read and judged, and captions drawn at random, each listing every ImageNet "
        "class it names. Precision: the share of what a policy counts that refers to the class; recall: the share "
        "of true mentions it counts (on the recall set, of every class the captions name, matched or not).</p>"
        + frame_table(occurrences, "label-evaluation", "Labelled occurrences, per sample and policy")
        + frame_table(recall, "recall-evaluation", "Recall set, per policy")
        + per_class_html
    )
