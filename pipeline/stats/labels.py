"""The labelled sets of `synonyms/imagenet1k/labels/`, read-only references to the demo corpus (never its text):

- `occurrences.csv`: term occurrences (a text unit, a class, and the term that matched when the set was drawn,
  before nouns were read as nouns: "flying" then matched fly), 800 drawn at random from every match
  of the lexicon in the demo corpus and 200 more from flagged terms only, each judged by reading it
  (label 1 when the text refers to the class there; confidence high or low; the judge's reason);
- `recall.csv`: 300 captions drawn at random, each listing every ImageNet class it names, found by
  reading the caption and searching the class list, so that recall counts what the lexicon misses;
- `per_class.csv`: the per-class check, 20 text units drawn at random from those each of the 50 classes with
  flagged terms that the most text units match (policy keep) is matched in, each judged (label 1 when the text
  refers to the class). No rule may look at it: it is held out as a whole.

Each text unit belongs to one half, fixed by a hash of its reference (a text unit of the dev set, which the
curation was tuned on, is always in the tuning half): curation, thresholds and rules may look at the tuning
half only, and the held-out half is the one whose figures are quoted.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl

from ..core.errors import ClassfreqError
from ..core.paths import DEVSET, LABELS_DIR

REFERENCE_SCHEMA = {"source_file": pl.String, "record": pl.Int64, "turn": pl.Int32}
OCCURRENCE_SCHEMA = {**REFERENCE_SCHEMA, "term": pl.String, "class_id": pl.String, "sample": pl.String,
                     "label": pl.Int8, "confidence": pl.String, "reason": pl.String}
RECALL_SCHEMA = {**REFERENCE_SCHEMA, "class_ids": pl.String, "note": pl.String}
PER_CLASS_SCHEMA = {**REFERENCE_SCHEMA, "class_id": pl.String, "terms": pl.String, "label": pl.Int8,
                    "confidence": pl.String, "reason": pl.String}
HALVES = ("tuning", "held_out")


def half_of(source_file: str, record: int, turn: int, tuned_on: frozenset[tuple[str, int]] = frozenset()) -> str:
    """The half a text unit belongs to: the tuning half when the dev set (which the curation was tuned on) holds
    its record, else by the parity of the first byte of its reference's SHA-256."""
    if (source_file, record) in tuned_on:
        return HALVES[0]
    digest = hashlib.sha256(f"{source_file}:{record}:{turn}".encode()).digest()
    return HALVES[digest[0] % 2]


def _tuned_on() -> frozenset[tuple[str, int]]:
    if not DEVSET.exists():
        return frozenset()
    return frozenset(pl.read_csv(DEVSET, columns=["source_file", "record"]).iter_rows())


def _read_unique(path: Path, schema: dict, key: list[str]) -> pl.DataFrame:
    if not path.exists():
        raise ClassfreqError(f"no labelled set at {path}")
    frame = pl.read_csv(path, schema=schema)
    repeated = frame.filter(frame.select(key).is_duplicated())
    if not repeated.is_empty():
        raise ClassfreqError(f"{path}: {repeated.height} rows repeat a key ({', '.join(key)}), e.g. {repeated.row(0)}")
    return frame


def _read(path: Path, schema: dict, key: list[str]) -> pl.DataFrame:
    frame = _read_unique(path, schema, key)
    tuned_on = _tuned_on()
    halves = [half_of(*reference, tuned_on) for reference in frame.select(list(REFERENCE_SCHEMA)).iter_rows()]
    return frame.with_columns(half=pl.Series(halves, dtype=pl.String))


def occurrence_labels(path: Path = LABELS_DIR / "occurrences.csv") -> pl.DataFrame:
    return _read(path, OCCURRENCE_SCHEMA, [*REFERENCE_SCHEMA, "term", "class_id"])


def recall_labels(path: Path = LABELS_DIR / "recall.csv") -> pl.DataFrame:
    """One row per caption and class it names (`class_id` null for a caption that names none)."""
    frame = _read(path, RECALL_SCHEMA, list(REFERENCE_SCHEMA))
    return frame.with_columns(class_id=pl.col("class_ids").fill_null("").str.split(" ")).explode("class_id").with_columns(
        class_id=pl.when(pl.col("class_id") != "").then(pl.col("class_id"))).drop("class_ids")


def per_class_labels(path: Path = LABELS_DIR / "per_class.csv") -> pl.DataFrame:
    """One row per judged text unit and class; no halves, the whole set is held out."""
    return _read_unique(path, PER_CLASS_SCHEMA, [*REFERENCE_SCHEMA, "class_id"])
