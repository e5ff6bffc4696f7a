"""The published method on real captions and real accuracy equals a literal port of the published notebooks.

The port below follows the notebooks' loops as written (every sentence × every entry of the class
list, the `##`-join substring test, a dict keyed by the joined tokens, the lookup by the lower-cased
label); the pipeline's counting core and `sql/published_points.sql` must give the same numbers.
"""

import csv
import json
from collections import defaultdict

import duckdb
import polars as pl
import pytest
from nltk import word_tokenize
from scipy import stats

from pipeline.core.sql import replace_table, sql_frame
from pipeline.lexicon.classsets import load_class_set
from pipeline.stats.frequency import PUBLISHED_QUIRKS
from pipeline.text.published import Vocabulary, count_batch, tokenize_sentences

from ..conftest import SHARED_DATA, requires_shared_data

pytestmark = [requires_shared_data, pytest.mark.realdata, pytest.mark.slow]
SPLITTER = "punkt_builtin"
N_CAPTIONS = 3000
MODELS = ("backboneViT-B-32_pretrainedlaion400m", "backboneViT-L-14_pretrainedlaion2b")


@pytest.fixture(scope="module")
def documents():
    with open(SHARED_DATA / "captions" / "cc3m_validation.tsv", encoding="utf-8", newline="") as handle:
        captions = [row[0] for _, row in zip(range(N_CAPTIONS), csv.reader(handle, delimiter="\t"))]
    items = [json.loads(line) for line in open(SHARED_DATA / "llava" / "coco2014_val_gpt4_qa_30x3.jsonl")]
    rows = [("pretrain", "caption", text) for text in captions]
    rows += [("instruct", role, item[field]) for item in items for role, field in (("human", "instruction"), ("gpt", "output"))]
    return pl.DataFrame(rows, schema=["stage", "role", "text"], orient="row")


def notebook_frequency(documents: pl.DataFrame, class_names: list[str]) -> dict[str, int]:
    """tokenize.ipynb and correlation.ipynb as published: the combined frequency keyed by joined tokens."""
    classnames = [word_tokenize(name.lower(), preserve_line=True) for name in class_names]
    per_stage = {}
    for stage in ("pretrain", "instruct"):
        sentences = [[token.lower() for token in sentence]
                     for text in documents.filter(stage=stage)["text"] for sentence in tokenize_sentences(text, SPLITTER)]
        class_freq = defaultdict(int)
        for sent in sentences:
            for cls in classnames:
                if "##" + "##".join(cls) + "##" in "##".join(sent):
                    class_freq[" ".join(cls)] += 1
        per_stage[stage] = class_freq
    return {k: per_stage["pretrain"].get(k, 0) + per_stage["instruct"].get(k, 0) for k in per_stage["pretrain"]}


def test_pipeline_equals_the_notebooks_on_real_captions_and_accuracy(documents):
    classes = load_class_set("imagenet1k")
    results = json.loads((SHARED_DATA / "accuracy" / "clip_zero_shot" / "imagenet_ensemble_results.json").read_text())
    class_freq = notebook_frequency(documents, classes["display_name"].to_list())

    vocabulary = Vocabulary.from_classes(classes, SPLITTER)
    counts, _ = count_batch(documents, vocabulary, SPLITTER)
    accuracy = pl.DataFrame(
        [(model, class_id, value / 100, 50) for model in MODELS
         for class_id, value in zip(classes["class_id"], results[model]["classwise"].values())],
        schema={"model": pl.String, "class_id": pl.String, "accuracy": pl.Float64, "n_samples": pl.Int64}, orient="row")
    with duckdb.connect() as connection:
        replace_table(connection, "published_names", vocabulary.names)
        replace_table(connection, "accuracy", accuracy)
        connection.register("shard_counts", counts.to_arrow())
        connection.execute("create table published_name_counts as select * from shard_counts")
        points = sql_frame(connection, "published_points", {**PUBLISHED_QUIRKS, "human_turns": True})
        points = points.filter(scope="combined")

    assert len(class_freq) > 100  # real text: many classes mentioned, so the comparison is not vacuous
    for model in MODELS:
        # the notebook: accuracy per label string (the two "missile" and "sunglasses" classes pooled)
        labels = defaultdict(list)
        for name, value in zip(classes["display_name"], results[model]["classwise"].values()):
            labels[name].append(value / 100)
        xs = [class_freq.get(label.lower(), 0) for label in labels]
        ys = [sum(values) / len(values) for values in labels.values()]
        ours = points.filter(model=model).sort("display_name")
        expected = pl.DataFrame({"display_name": list(labels), "n_sentences": xs, "accuracy": ys}).sort("display_name")
        assert ours["display_name"].to_list() == expected["display_name"].to_list()
        assert ours["n_sentences"].to_list() == expected["n_sentences"].to_list()
        assert ours["accuracy"].to_list() == pytest.approx(expected["accuracy"].to_list())
        assert stats.spearmanr(ours["n_sentences"], ours["accuracy"]).statistic == pytest.approx(
            stats.spearmanr(xs, ys).statistic)
