"""What the run's policy does to the counts, said out loud: the classes it cuts by more than half against the
raw count (`policy_cuts`), and the terms it can never count (`uncountable_terms`), with a warning for each
kind; and the classes of a user's set that no WordNet synset was mapped to, which count by their own terms
alone. Zero is the "never mentioned" end of the correlation, so a policy's silent zeros would bias it."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import polars as pl

from ..core.sql import drop_relation, relations, replace_table, row_count, run_sql, sql_frame
from ..text.match import term_context, term_index

EXAMPLES = 5


SENSE_SCHEMA = {"class_id": pl.String, "term": pl.String, "sense_probability": pl.Float64}


def best_case_mentions(lexicon: pl.DataFrame, class_context: pl.DataFrame,
                       best_senses: pl.DataFrame | None = None) -> pl.DataFrame:
    """(class_id, term, policy, weight): the weight of one mention of each counted term in a text unit that holds
    every context word of its classes and the sense model's strongest collocation for its class's sense
    (`best_senses`: class_id, term, sense_probability; none without it), and no proper name, under every policy,
    weighted by the count's own SQL (sql/load_mentions.sql)."""
    terms = term_index(lexicon.filter(pl.col("status") == "counted"))
    words = term_context(lexicon, class_context).group_by("term").agg(context=pl.col("word"))
    mentions = terms.join(words, on="term", how="left").select(
        *(pl.lit("").alias(name) for name in ("source", "stage", "role", "conversation_id")),
        doc_id=pl.lit("best:") + pl.col("term"), start=pl.lit(0, pl.Int32), n_tokens="n_tokens", term="term",
        proper_name=pl.lit(False), context="context")
    with tempfile.TemporaryDirectory(prefix="classfreq-best-case-") as folder, duckdb.connect() as scratch:
        shard = Path(folder) / "mentions.parquet"
        mentions.write_parquet(shard)
        replace_table(scratch, "lexicon", lexicon)
        replace_table(scratch, "class_context", class_context)
        senses = best_senses if best_senses is not None else pl.DataFrame(schema=SENSE_SCHEMA)
        # in a single shard, a term's row is its mention's name (sql/macros/mention_key.sql)
        rows = mentions.select("term").with_row_index("mention").with_columns(pl.col("mention").cast(pl.Int64))
        replace_table(scratch, "mention_senses", senses.join(rows, on="term").select(
            "mention", doc_id=pl.lit("best:") + pl.col("term"), start=pl.lit(0, pl.Int32), class_id="class_id",
            sense_probability="sense_probability"))
        run_sql(scratch, "macros/mention_key")
        run_sql(scratch, "load_mentions", {"mention_files": [str(shard)]})
        run_sql(scratch, "mention_weights")
        return sql_frame(scratch, "best_case_weights")


def policy_warnings(connection: duckdb.DuckDBPyConnection, policy: str, lexicon: pl.DataFrame,
                    class_context: pl.DataFrame) -> list[str]:
    """Writes policy_cuts and uncountable_terms for the run's policy; returns a warning per kind found."""
    run_sql(connection, "policy_cuts", {"policy": policy})
    modelled = {"sense_term_priors", "sense_collocations"} <= set(relations(connection))
    best_senses = sql_frame(connection, "sense/best_case") if modelled else None
    replace_table(connection, "best_case_mentions", best_case_mentions(lexicon, class_context, best_senses))
    replace_table(connection, "uncountable_terms", sql_frame(connection, "uncountable_terms", {"policy": policy}))
    drop_relation(connection, "best_case_mentions")
    return policy_notes(connection, EXAMPLES, f"policy {policy}")


def policy_notes(connection: duckdb.DuckDBPyConnection, examples: int, policy: str = "the run's policy") -> list[str]:
    """A sentence for each kind of cut `policy_warnings` found, and for the classes without a WordNet mapping,
    naming `examples` of each: the console's warnings and the report's."""
    notes = []
    n_cuts, n_uncountable = row_count(connection, "policy_cuts"), row_count(connection, "uncountable_terms")
    if n_cuts:
        cuts = sql_frame(connection, "report/policy_cuts", {"limit": examples})
        named = ", ".join(f"{row['display_name']} ({row['class_id']}) {row['keep_docs']:,.0f} → {row['policy_docs']:,.0f}"
                          for row in cuts.iter_rows(named=True))
        notes.append(f"{policy} cuts {n_cuts:,} classes by more than half against every mention counted (keep), "
                     f"e.g. {named}; all of them: table policy_cuts")
    if n_uncountable:
        never = sql_frame(connection, "report/uncountable_terms", {"limit": examples})
        named = ", ".join(f"{row['term']!r} ({row['display_name']})" for row in never.iter_rows(named=True))
        notes.append(f"{policy} can never count {n_uncountable:,} terms of the class set, e.g. {named}; "
                     "all of them: table uncountable_terms")
    return notes + unmapped_class_notes(connection, examples)


def unmapped_class_notes(connection: duckdb.DuckDBPyConnection, examples: int) -> list[str]:
    """A sentence naming the classes without a WordNet synset (`classes.mapping` = 'unmapped'), if any."""
    unmapped = sql_frame(connection, "report/unmapped_classes")
    if unmapped.is_empty():
        return []
    named = ", ".join(f"{row['display_name']!r}" for row in unmapped.head(examples).iter_rows(named=True))
    counted = f"{unmapped.height:,} classes have" if unmapped.height > 1 else "1 class has"
    return [f"{counted} no WordNet mapping (no synset matched the name with evidence), e.g. "
            f"{named}: each counts by its own name, curated additions and variants only, with no WordNet synonyms, "
            "and a flagged name's sense model has no WordNet seeds for it; give a wnid column in the class file to "
            "map them; all of them: classes where mapping = 'unmapped'"]
