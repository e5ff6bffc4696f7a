"""Report sections on the lexicon: flagged terms, how much each policy moves each class, and what curation removed.

Each section takes a read-only DuckDB connection and returns an HTML fragment; every value from the
data is escaped by `table_html`.
"""

from __future__ import annotations

import html

import duckdb

from .evaluate import evaluation_tables
from .report import table_html
from .sql import query_frame, sql_frame

TOP = 30


def _has_tables(connection: duckdb.DuckDBPyConnection, *tables: str) -> bool:
    present = {row[0] for row in connection.execute("select table_name from information_schema.tables").fetchall()}
    return set(tables) <= present


def flagged_terms_section(connection: duckdb.DuckDBPyConnection) -> str:
    if not _has_tables(connection, "lexicon", "mention_weights"):
        return ""
    frame = sql_frame(connection, "queries/flagged_terms", {"limit": TOP})
    n_flagged = connection.execute("select count(distinct term) from lexicon where flagged").fetchone()[0]
    return (
        "<h2>Ambiguous terms</h2>"
        f"<p>{n_flagged} terms are flagged: shared by several classes, polysemous in WordNet (several noun senses, "
        "the class sense under half of the SemCor tags), or on the curated generic list. The most frequent, with "
        "the mentions each policy counts (drop: only where the class has another term; split: divided among the "
        "classes sharing it; context: only with a word of the class's gloss or hypernyms in the same text).</p>"
        + table_html(frame, f"The {TOP} most mentioned flagged terms", "flagged-terms")
    )


def policy_shift_section(connection: duckdb.DuckDBPyConnection) -> str:
    if not _has_tables(connection, "class_frequency_by_policy", "class_frequency_by_scope"):
        return ""
    frame = sql_frame(connection, "queries/policy_shift", {"limit": TOP})
    return (
        "<h2>How much each policy moves each class</h2>"
        "<p>Text units mentioning the class (all sources) under each policy, for the classes the policies move most; "
        "uncurated also counts curated exclusions and blocking compounds, hypernym counts text units naming a "
        "WordNet parent of the class.</p>"
        + table_html(frame, f"The {TOP} classes with the largest spread between policies", "policy-shift")
    )


def curation_section(connection: duckdb.DuckDBPyConnection) -> str:
    if not _has_tables(connection, "uncounted_mentions"):
        return ""
    frame = query_frame(connection, """
        select term, status, reason, string_agg(distinct class_id, ' ') as hides_class, count(distinct doc_id) as n_docs
        from uncounted_mentions group by term, status, reason order by n_docs desc, term limit $limit""", {"limit": TOP})
    if frame.is_empty():
        return "<h2>Curated exclusions and blocking compounds</h2><p>None matched in this text.</p>"
    return (
        "<h2>Curated exclusions and blocking compounds</h2>"
        f"<p>{html.escape('Matches that count for no class, and the class each would have counted for.')}</p>"
        + table_html(frame, "Most frequent", "curation")
    )


def evaluation_section(connection: duckdb.DuckDBPyConnection) -> str:
    if not _has_tables(connection, "policy_evaluation", "policy_evaluation_by_term"):
        return ""
    overall, by_term = evaluation_tables(connection)
    return (
        "<h2>Precision and recall of each policy</h2>"
        "<p>On the hand-labelled development set (tests/data/devset.csv): does each matched occurrence refer to "
        "the class? display_name_only is the published method (display names only).</p>"
        + table_html(overall, "Per policy", "policy-evaluation")
        + table_html(by_term, "Per term (p = precision, r = recall)", "policy-evaluation-by-term")
    )


def lexicon_sections(connection: duckdb.DuckDBPyConnection) -> list[str]:
    return [section for section in (flagged_terms_section(connection), policy_shift_section(connection),
                                     curation_section(connection), evaluation_section(connection)) if section]
