"""The sense model: a probability of its class's sense for every mention of a flagged term, learned from the corpus
being counted (Yarowsky 1995, one sense per collocation).

Seeds come from WordNet (`sense_seeds`, built with the lexicon: the class sense's gloss, hypernyms, hyponyms, sister
terms and the class's other terms; the other senses' lemmas, glosses, hypernyms and hyponyms; WordNet's compounds as
neighbour collocations) or, for a class without WordNet, from its own unflagged terms and context words. Round 0
labels the mentions whose window holds seeds of one side only (more of one than the other); each round then
estimates every feature's smoothed class-sense share over the labelled mentions (the seeds as pseudo-mentions), and
each mention takes its strongest collocation (a decision list), labelled when it lies outside the abstain band.
A mention left in the band gets its (class, term)'s prior: the corpus's own class share among labelled mentions,
shrunk towards WordNet's. Everything is SQL over the whole corpus at once (sql/sense/), a few statements per round.
"""

from __future__ import annotations

import duckdb

from ..core.sql import run_sql

#: Bootstrapping rounds after the seeds' round 0.
ROUNDS = 2
#: Smoothing of the relatives' window shares (sense/relative_llr.sql): an m-estimate in pseudo-windows, then a floor;
#: and the most one feature adds from them.
RELATIVE_M = 10.0
RELATIVE_FLOOR = 0.02
RELATIVE_MAX = 2.0
#: Pseudo-mentions a seed adds to its side of a feature's counts.
SEED_WEIGHT = 3.0
#: m-estimate smoothing of a feature's rate under each label towards its rate under both, in pseudo-mentions.
M_ESTIMATE = 10.0
#: The largest evidence one collocation gives, in log-odds.
MAX_LLR = 4.0
#: A feature in the windows of more than this share of all flagged mentions, and of at least GENERIC_TERMS flagged
#: terms, is no evidence of a sense (see sense/generic_features.sql).
GENERIC_SHARE = 0.1
GENERIC_TERMS = 3
#: A feature needs this many (pseudo-)mentions to be a collocation.
MIN_SUPPORT = 0.5
#: A collocation labels a mention for the next round only when its evidence is at least this (log-odds; e^1.5 ≈ 4.5
#: to 1): the abstain band.
BAND_LLR = 1.5
#: Pseudo-mentions of WordNet's prior in a (class, term)'s corpus prior.
PRIOR_WEIGHT = 4.0

#: At most this many mentions of each flagged (class, term) are learned from in the rounds before the last (the
#: demo's most mentioned, orange, has 1,151): a round's cost is bounded whatever the corpus.
LEARNING_CAP = 5000

ROUND_STEPS = ("term_priors", "collocations", "decisions", "labels")
PARAMETERS = {
    "term_priors": {"prior_weight": PRIOR_WEIGHT},
    "collocations": {"seed_weight": SEED_WEIGHT, "m": M_ESTIMATE, "min_support": MIN_SUPPORT, "max_llr": MAX_LLR},
    "decisions": {"learning_only": True},
    "labels": {"band_llr": BAND_LLR},
}
WORKING_TABLES = ("sense_features", "sense_mentions", "sense_learning", "sense_priors", "sense_generic_features",
                  "sense_relative_profiles", "sense_relative_llr", "sense_relative_evidence", "sense_labels", "sense_term_priors", "sense_decisions")


def run_sense_model(connection: duckdb.DuckDBPyConnection, mention_files: list[str], rounds: int = ROUNDS) -> None:
    """Writes `mention_senses` (mention, doc_id, start, class_id, term, sense_probability, decided_by) and keeps
    `sense_collocations` (the last round's decision list) from the lexicon, `sense_seeds` and the mention shards."""
    run_sql(connection, "macros/mention_key")
    run_sql(connection, "sense/features", {"mention_files": mention_files})
    run_sql(connection, "sense/mentions", {"mention_files": mention_files})
    run_sql(connection, "sense/wordnet_priors")
    run_sql(connection, "sense/generic_features", {"generic_share": GENERIC_SHARE, "generic_terms": GENERIC_TERMS})
    run_sql(connection, "sense/relative_profiles", {"mention_files": mention_files})
    run_sql(connection, "sense/relative_llr", {"relative_m": RELATIVE_M, "relative_floor": RELATIVE_FLOOR,
                                               "relative_max": RELATIVE_MAX})
    run_sql(connection, "sense/relative_evidence", {"max_llr": MAX_LLR})
    run_sql(connection, "sense/learning", {"learning_cap": LEARNING_CAP})
    run_sql(connection, "sense/seed_labels")
    for round_ in range(rounds):
        for step in ROUND_STEPS:
            last = round_ == rounds - 1
            parameters = {"learning_only": not last} if step == "decisions" else PARAMETERS[step]
            run_sql(connection, f"sense/{step}", parameters)
    run_sql(connection, "sense/term_priors", PARAMETERS["term_priors"])
    run_sql(connection, "sense/probabilities", {"band_llr": BAND_LLR})

