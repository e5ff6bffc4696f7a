"""The count SQL on an in-memory DuckDB: each policy's weights and the frequency tables built from them."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from pipeline.core.policies import EXPECTED_POLICY, POLICIES
from pipeline.core.sql import drop_relation, query_frame, replace_table, run_sql
from pipeline.text.match import term_context, with_context_words

CLASSES = pl.DataFrame({
    "class_id": ["crane_bird", "crane_machine", "kite_bird", "mouse_only"],
    "class_index": [0, 1, 2, 3],
    "wnid": ["", "", "", ""],
    "display_name": ["crane bird", "construction crane", "kite (bird of prey)", "mouse"],
})
LEXICON = pl.DataFrame(
    [
        ("crane_bird", "crane", "counted", True, 2),
        ("crane_bird", "crane bird", "counted", False, 1),
        ("crane_machine", "crane", "counted", True, 2),
        ("crane_machine", "construction crane", "counted", False, 1),
        ("kite_bird", "kite", "counted", True, 1),
        ("kite_bird", "kite bird of prey", "counted", False, 1),
        ("mouse_only", "mouse", "counted", True, 1),
        ("crane_bird", "crane kick", "blocked", False, None),
    ],
    schema=["class_id", "term", "status", "flagged", "n_classes"], orient="row",
).with_columns(text="term")
CONTEXT = pl.DataFrame({"class_id": ["crane_bird", "crane_machine", "kite_bird"], "word": ["bird", "lift", "hawk"]})
# what the sense model (tests/stats/test_sense_model.py) said of each flagged mention: the probability of its class's
# sense; a mention is named by its row in the one mention shard (sql/sense/features.sql)
SENSES = pl.DataFrame(
    [(0, "d1", 1, "crane_bird", 0.1), (0, "d1", 1, "crane_machine", 0.9), (2, "d3", 1, "kite_bird", 0.5),
     (3, "d4", 1, "mouse_only", 0.2)],
    schema={"mention": pl.Int64, "doc_id": pl.String, "start": pl.Int32, "class_id": pl.String,
            "sense_probability": pl.Float64}, orient="row",
)
# (doc_id, conversation_id, lemmas, mentions as (term, class_ids))
DOCUMENTS = [
    ("d1", "c1", ["a", "crane", "lift", "steel"], [("crane", ["crane_bird", "crane_machine"])]),
    ("d2", "c1", ["a", "crane", "bird"], [("crane bird", ["crane_bird"])]),
    ("d3", "c2", ["kite", "fly", "over", "a", "bird"], [("kite", ["kite_bird"])]),
    ("d4", "c3", ["a", "mouse"], [("mouse", ["mouse_only"])]),
]


@pytest.fixture
def connection(tmp_path):
    mention_file = tmp_path / "mentions.parquet"
    lemmas = pl.DataFrame({"doc_id": [d[0] for d in DOCUMENTS], "lemmas": [d[2] for d in DOCUMENTS]})
    matched = pl.DataFrame(
        [("s", "pretrain", "caption", conversation, doc_id, 1, len(term.split()), term, False)
         for doc_id, conversation, _, found in DOCUMENTS for term, _ in found],
        schema=["source", "stage", "role", "conversation_id", "doc_id", "start", "n_tokens", "term", "proper_name"],
        orient="row",
    )
    with_context_words(lemmas, matched, term_context(LEXICON, CONTEXT)).write_parquet(mention_file)
    uncounted = pl.DataFrame([("s", "pretrain", "d5", "crane kick", "crane_bird")],
                             schema=["source", "stage", "doc_id", "term", "class_id"], orient="row")
    with duckdb.connect() as db:
        for name, frame in {"classes": CLASSES, "lexicon": LEXICON, "class_context": CONTEXT,
                            "uncounted_mentions": uncounted,
                            "hypernym_mentions": pl.DataFrame({"source": ["s"], "stage": ["pretrain"], "doc_id": ["d3"], "term": ["bird"]}),
                            "hypernym_terms": pl.DataFrame({"class_id": ["crane_bird"], "term": ["bird"]}),
                            "documents_summary": pl.DataFrame({"source": ["s"], "stage": ["pretrain"], "role": ["caption"]}),
                            "mention_senses": SENSES,
                            }.items():
            replace_table(db, name, frame)
        run_sql(db, "macros/scope_of")
        run_sql(db, "macros/mention_key")
        run_sql(db, "load_mentions", {"mention_files": [str(mention_file)]})
        run_sql(db, "mention_weights")
        run_sql(db, "load_class_documents")
        run_sql(db, "class_frequency_by_policy", {"policies": list(POLICIES), "expected_policy": EXPECTED_POLICY})
        yield db


def weights(db, policy):
    frame = query_frame(db, "select doc_id, class_id, weight from mention_weights where policy = $policy order by all",
                        {"policy": policy})
    return {(doc, class_id): weight for doc, class_id, weight in frame.rows()}


def test_keep_counts_every_mention(connection):
    assert set(weights(connection, "keep").values()) == {1.0}


def test_drop_removes_flagged_terms_only_where_the_class_keeps_another(connection):
    assert weights(connection, "drop") == {
        ("d1", "crane_bird"): 0.0, ("d1", "crane_machine"): 0.0, ("d2", "crane_bird"): 1.0,
        ("d3", "kite_bird"): 0.0, ("d4", "mouse_only"): 1.0,  # "mouse" is the class's only term
    }


def test_split_divides_a_shared_term(connection):
    found = weights(connection, "split")
    assert found[("d1", "crane_bird")] == found[("d1", "crane_machine")] == 0.5
    assert found[("d2", "crane_bird")] == found[("d3", "kite_bird")] == 1.0


def test_context_needs_a_class_word_in_the_same_text(connection):
    assert weights(connection, "context") == {
        ("d1", "crane_bird"): 0.0, ("d1", "crane_machine"): 1.0,  # "lift" confirms the machine
        ("d2", "crane_bird"): 1.0,  # not flagged
        ("d3", "kite_bird"): 0.0,  # "bird" is not a context word of the kite here
        ("d4", "mouse_only"): 0.0,  # no context words at all
    }


def test_sense_counts_a_flagged_mention_whose_class_sense_has_probability_one_half_or_more(connection):
    assert weights(connection, "sense") == {
        ("d1", "crane_bird"): 0.0, ("d1", "crane_machine"): 1.0,
        ("d2", "crane_bird"): 1.0,  # not flagged
        ("d3", "kite_bird"): 1.0,  # exactly 1/2
        ("d4", "mouse_only"): 0.0,
    }
    probability = query_frame(connection, "select doc_id, class_id, sense_probability from mentions order by all").rows()
    assert probability == [("d1", "crane_bird", 0.1), ("d1", "crane_machine", 0.9), ("d2", "crane_bird", 1.0),
                           ("d3", "kite_bird", 0.5), ("d4", "mouse_only", 0.2)]


def test_the_expected_count_sums_class_sense_probabilities_beside_the_sense_counts(connection):
    expected = query_frame(connection, """select class_id, policy, n_docs, n_docs_expected, n_mentions_expected
                                          from class_frequency_by_policy where scope = 'combined' and class_id in
                                          ('crane_bird', 'mouse_only') and policy in ('keep', 'sense') order by all""")
    assert expected.rows() == [("crane_bird", "keep", 2.0, None, None), ("crane_bird", "sense", 1.0, 1.1, 1.1),
                               ("mouse_only", "keep", 1.0, None, None), ("mouse_only", "sense", 0.0, 0.2, 0.2)]
    run_sql(connection, "class_frequency", {"policy": "sense"})
    run_sql(connection, "class_frequency_by_scope", {"policy": "sense", "expected_policy": EXPECTED_POLICY})
    scoped = query_frame(connection, """select n_docs, n_docs_expected from class_frequency_by_scope
                                        where class_id = 'crane_bird' and scope = 'combined'""")
    assert scoped.rows() == [(1.0, 1.1)]
    sliced = query_frame(connection, "select n_docs, n_docs_expected from class_frequency where class_id = 'mouse_only'")
    assert sliced.rows() == [(0.0, 0.2)]


def by_policy(db, class_id):
    frame = query_frame(db, """select policy, n_docs, n_mentions, n_conversations from class_frequency_by_policy
                               where class_id = $class_id and scope = 'combined' order by policy""", {"class_id": class_id})
    return {policy: rest for policy, *rest in frame.rows()}


def test_frequency_by_policy_has_every_class_scope_and_policy(connection):
    grid = query_frame(connection, "select scope, count(*) as n from class_frequency_by_policy group by scope order by scope")
    assert grid.rows() == [("combined", 20), ("pretrain", 20), ("source:s", 20)]
    assert by_policy(connection, "crane_bird") == {
        "context": [1.0, 1.0, 1.0], "drop": [1.0, 1.0, 1.0], "keep": [2.0, 2.0, 1.0], "sense": [1.0, 1.0, 1.0],
        "split": [1.5, 1.5, 1.0],  # a conversation counts with its largest weight
    }
    assert by_policy(connection, "crane_machine")["split"] == [0.5, 0.5, 0.5]


def test_run_policy_counts_sit_beside_the_raw_counts(connection):
    run_sql(connection, "class_frequency", {"policy": "context"})
    run_sql(connection, "class_frequency_by_scope", {"policy": "context", "expected_policy": EXPECTED_POLICY})
    row = query_frame(connection, "select * from class_frequency where class_id = 'crane_bird'").row(0, named=True)
    assert (row["n_docs"], row["n_docs_raw"], row["n_mentions_raw"], row["n_conversations"]) == (1.0, 2, 2, 1.0)
    scoped = query_frame(connection, "select * from class_frequency_by_scope where class_id = 'crane_bird' and scope = 'combined'")
    row = scoped.row(0, named=True)
    assert (row["n_docs"], row["n_docs_raw"], row["n_docs_uncurated"], row["n_docs_hypernym"]) == (1.0, 2, 3, 1)
    zero = query_frame(connection, "select n_docs, n_docs_raw from class_frequency_by_scope where class_id = 'kite_bird' and scope = 'pretrain'")
    assert zero.rows() == [(0.0, 1)]


def test_a_mention_weights_table_of_an_older_database_gives_way_to_the_view(connection):
    connection.execute("drop view mention_weights")
    connection.execute("create table mention_weights as select 1 as weight")  # what earlier versions wrote
    drop_relation(connection, "mention_weights")
    run_sql(connection, "mention_weights")
    kind = connection.execute("select table_type from information_schema.tables where table_name = 'mention_weights'")
    assert kind.fetchall() == [("VIEW",)]
    assert weights(connection, "keep")  # the view reads the mentions again


def test_every_policy_has_a_weight_column_and_no_column_lacks_a_policy(connection):
    policies = query_frame(connection, "select distinct policy from mention_weights order by policy")["policy"]
    assert sorted(policies) == sorted(POLICIES)
    assert set(query_frame(connection, "select distinct policy from class_frequency_by_policy")["policy"]) == set(POLICIES)


def test_no_text_gives_no_scope_and_no_rows(connection):
    connection.execute("delete from documents_summary")
    run_sql(connection, "class_frequency_by_policy", {"policies": list(POLICIES), "expected_policy": EXPECTED_POLICY})
    run_sql(connection, "class_frequency", {"policy": "context"})
    for table in ("class_frequency_by_policy", "class_frequency"):
        assert query_frame(connection, f"select count(*) as n from {table}")["n"][0] == 0, table


def test_sense_never_counts_a_proper_name_for_a_flagged_term_written_in_lower_case(tmp_path):
    lexicon = pl.DataFrame(
        [("mouse_only", "mouse", "mouse", True), ("mouse_only", "computer mouse", "computer mouse", False),
         ("boxer_dog", "boxer", "Boxer", True)],  # the dog's name is capitalized by right
        schema=["class_id", "term", "text", "flagged"], orient="row",
    ).with_columns(status=pl.lit("counted"), n_classes=pl.lit(1))
    # (doc_id, start, term, proper_name, sense probability): "a Minnie Mouse doll", "a mouse by the keyboard",
    # "a Boxer puppy", "a Computer Mouse for sale"
    found = [("d1", 2, "mouse", True, 0.9), ("d2", 1, "mouse", False, 0.8), ("d3", 1, "boxer", True, 0.7),
             ("d4", 1, "computer mouse", True, None)]
    pl.DataFrame(
        [("s", "pretrain", "caption", doc_id, doc_id, start, len(term.split()), term, proper, None)
         for doc_id, start, term, proper, _ in found],
        schema={"source": pl.String, "stage": pl.String, "role": pl.String, "conversation_id": pl.String,
                "doc_id": pl.String, "start": pl.Int32, "n_tokens": pl.Int32, "term": pl.String,
                "proper_name": pl.Boolean, "context": pl.List(pl.String)}, orient="row",
    ).write_parquet(tmp_path / "mentions.parquet")
    senses = pl.DataFrame(  # a mention is named by its row in the shard (sql/sense/features.sql)
        [(row, doc_id, start, "boxer_dog" if term == "boxer" else "mouse_only", p)
         for row, (doc_id, start, term, _, p) in enumerate(found) if p],
        schema={"mention": pl.Int64, "doc_id": pl.String, "start": pl.Int32, "class_id": pl.String,
                "sense_probability": pl.Float64}, orient="row",
    )
    with duckdb.connect() as db:
        for name, frame in {"lexicon": lexicon, "class_context": CONTEXT, "mention_senses": senses}.items():
            replace_table(db, name, frame)
        run_sql(db, "macros/mention_key")
        run_sql(db, "load_mentions", {"mention_files": [str(tmp_path / "mentions.parquet")]})
        rows = query_frame(db, """select doc_id, proper_name, weight_keep::double, weight_sense::double, sense_probability
                                  from mentions order by doc_id""").rows()
    assert rows == [
        ("d1", True, 1.0, 0.0, 0.0),  # Minnie Mouse: no computer mouse, whatever the sense model says
        ("d2", False, 1.0, 1.0, 0.8),
        ("d3", True, 1.0, 1.0, 0.7),  # Boxer: a capital is how the class is written
        ("d4", True, 1.0, 1.0, 1.0),  # an unflagged term always counts
    ]
