"""Report sections on the lexicon: flagged terms, how much each policy moves each class, and what curation removed.

Each section takes a read-only DuckDB connection and returns an HTML fragment; every value from the
data is escaped by the table helpers.
"""

from __future__ import annotations

import html

import duckdb
import polars as pl

from ..core.paths import DEVSET
from ..core.policies import POLICIES
from ..core.sql import sql_frame
from .html import frame_table
from .policies import policies_side_by_side

TOP = 30


def flagged_terms_section(connection: duckdb.DuckDBPyConnection) -> str:
    long = sql_frame(connection, "report/flagged_terms", {"limit": TOP, "policies": list(POLICIES)})
    frame = policies_side_by_side(long, ["term", "class_ids", "flags", "n_senses", "sense_share"],
                                  {"mentions": "{policy}"})
    n_flagged = sql_frame(connection, "report/flagged_term_count")["n_flagged"][0]
    return (
        f'<p class="note">{n_flagged} terms are flagged: shared by several classes, polysemous in WordNet (several '
        "noun senses, the class sense under half of the SemCor tags), or on the curated generic list. The most "
        "frequent, with the mentions each policy counts (drop: only where the class has another term; split: divided "
        "among the classes sharing it; context: only with a word of the class's gloss or hypernyms in the same "
        "text).</p>"
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


def evaluation_section(connection: duckdb.DuckDBPyConnection) -> str:
    overall = sql_frame(connection, "report/policy_evaluation")
    by_term = evaluation_by_term(connection)
    return (
        f'<p class="note">On the hand-labelled development set ({html.escape(DEVSET.name)}, in synonyms/'
        f'{html.escape(DEVSET.parent.name)}/): does each matched occurrence refer to the class? display_name_only is '
        "the published method (display names only).</p>"
        + frame_table(overall, "policy-evaluation", "Per policy")
        + frame_table(by_term, "policy-evaluation-by-term", "Per term (p = precision, r = recall)", searchable=True)
    )
