"""The sense model on a tiny corpus in an in-memory DuckDB: seeds, collocations learned from the corpus itself,
the relatives' windows, and the prior when nothing speaks."""

from __future__ import annotations

import duckdb
import polars as pl

from pipeline.core.sql import query_frame, replace_table
from pipeline.stats.sense_model import run_sense_model
from pipeline.text.match import mention_shard, relative_words, term_index
from pipeline.text.normalize import normalize_documents

LEXICON = pl.DataFrame(
    [("crane_bird", "crane", "counted", True, 1, 0.5), ("crane_bird", "crane bird", "counted", False, 1, None)],
    schema={"class_id": pl.String, "term": pl.String, "status": pl.String, "flagged": pl.Boolean,
            "n_classes": pl.Int32, "sense_share": pl.Float64}, orient="row",
)
SEEDS = pl.DataFrame(
    [("crane_bird", "crane", word, "class") for word in ("heron", "wading", "egret")]
    + [("crane_bird", "crane", word, "other") for word in ("construction", "lift", "girder")],
    schema=["class_id", "term", "feature", "side"], orient="row",
)
TEXTS = {
    "bird1": "a crane and a heron in the marsh",
    "bird2": "a crane wading in the marsh at dawn",
    "bird3": "a crane stands with an egret in the marsh",
    "machine1": "a crane at the construction site",
    "machine2": "a crane will lift the steel at the site",
    "machine3": "a girder hangs from a crane on the site",
    "marsh": "a crane in the marsh",  # no seed: "marsh" is learned from the corpus (bird1-3)
    "site": "a crane over the site",  # no seed: "site" is learned from the corpus (machine1-3)
    "reeds": "a crane among reeds",  # no seed, no collocation: the relatives' windows speak
    "egret1": "an egret among reeds", "egret2": "an egret among reeds by the water",
    "girder1": "a girder on the truck", "girder2": "a girder on the truck at noon",
    "none": "a crane",  # nothing at all: the prior
}


def senses(tmp_path, texts: dict[str, str] = TEXTS) -> dict[str, float]:
    documents = pl.DataFrame({"doc_id": list(texts), "text": list(texts.values())})
    lemmas = normalize_documents(documents)
    shard, _ = mention_shard(lemmas, term_index(LEXICON), pl.DataFrame(schema={"term": pl.String, "word": pl.String}),
                             flagged_terms=pl.Series(["crane"]), relatives=relative_words(SEEDS))
    path = tmp_path / "mentions.parquet"
    shard.write_parquet(path)
    with duckdb.connect() as db:
        replace_table(db, "lexicon", LEXICON)
        replace_table(db, "sense_seeds", SEEDS)
        run_sense_model(db, [str(path)])
        return dict(query_frame(db, "select doc_id, sense_probability from mention_senses").rows())


def test_seeds_collocations_and_relatives_decide_and_the_prior_fills_in(tmp_path):
    p = senses(tmp_path)
    assert set(p) == {doc for doc, text in TEXTS.items() if "crane" in text}
    assert all(p[doc] > 0.5 for doc in ("bird1", "bird2", "bird3", "marsh", "reeds")), p
    assert all(p[doc] < 0.5 for doc in ("machine1", "machine2", "machine3", "site")), p
    assert 0.3 < p["none"] < 0.7  # the corpus's own share of the class sense, shrunk towards WordNet's 0.5


def test_relatives_seen_in_a_window_or_two_say_little(tmp_path):
    # one girder (the other sense's relative) after "the", one egret: the crane after "the" is not thereby a machine
    p = senses(tmp_path, {"crane": "the crane", "girder": "the girder", "egret": "an egret", "other": "a crane"})
    assert abs(p["crane"] - p["other"]) < 0.1, p


def test_in_a_small_corpus_the_words_of_one_terms_windows_stay_evidence(tmp_path):
    # every feature is in a large share of four mentions of one term: none of them is generic, and the seeds speak
    p = senses(tmp_path, {"bird": "a crane and a heron", "machine": "a crane at the construction site",
                          "bird2": "a crane wading", "none": "a crane"})
    assert p["bird"] > 0.5 > p["machine"], p


def test_relative_windows_ride_in_the_shard_without_a_term(tmp_path):
    documents = pl.DataFrame({"doc_id": ["a", "b"], "text": ["an egret among reeds", "a crane"]})
    shard, n = mention_shard(normalize_documents(documents), term_index(LEXICON),
                             pl.DataFrame(schema={"term": pl.String, "word": pl.String}),
                             flagged_terms=pl.Series(["crane"]), relatives=pl.Series(["egret"]))
    assert n == 1  # the mentions, not the relatives' rows
    relatives = shard.filter(pl.col("term").is_null()).select("relative", "relative_feature", "relative_n").sort("relative_feature")
    assert relatives.rows() == sorted([("egret", "#", 1), ("egret", "L:an", 1), ("egret", "R:among", 1),
                                       ("egret", "reed", 1)])
