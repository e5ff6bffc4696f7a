"""Schema tests of the curated CSVs in synonyms/ (like dbt's): headers, unique keys, known class ids,
no empty or duplicate terms, a reason on every exclusion, blocking compound and generic term."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

from pipeline.core.paths import SYNONYMS_DIR
from pipeline.lexicon.classsets import BUILTIN_SETS, load_class_set
from pipeline.lexicon.curation import CURATION_KINDS, read_curation_file
from pipeline.lexicon.synonyms import SET_CURATION, SHARED_CURATION, candidate_terms
from pipeline.text.normalize import normalize_text

from ..conftest import SHARED_DATA

HEADERS = {
    "additions": ("class_id", "term", "note"),
    "exclusions": ("class_id", "term", "reason"),
    "unambiguous": ("class_id", "term", "reason"),
    "context": ("class_id", "word", "note"),
    "blocking_compounds": ("term", "reason"),
    "generic_terms": ("term", "reason"),
    "context_stopwords": ("word", "reason"),
}
KEYS = {"additions": ("class_id", "term"), "exclusions": ("class_id", "term"), "unambiguous": ("class_id", "term"), "context": ("class_id", "word"),
        "blocking_compounds": ("term",), "generic_terms": ("term",), "context_stopwords": ("word",)}
REASONED = {"exclusions", "unambiguous", "blocking_compounds", "generic_terms", "context_stopwords"}
CLASS_SET_FILES = {"stanfordcars": SHARED_DATA / "classnames" / "openai_CLIP_prompts_classes.json"}


def curated_files() -> list[tuple[str, Path]]:
    found = [(path.stem, path) for path in sorted(SYNONYMS_DIR.glob("*/*.csv")) if path.stem in SET_CURATION]
    return found + [(kind, SYNONYMS_DIR / f"{kind}.csv") for kind in SHARED_CURATION if (SYNONYMS_DIR / f"{kind}.csv").exists()]


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def classes_of(class_set: str) -> pl.DataFrame:
    if class_set in BUILTIN_SETS:
        return load_class_set(class_set)
    path = CLASS_SET_FILES.get(class_set)
    if path is None or not path.exists():
        pytest.skip(f"the class file of {class_set} is not here ({path}); set DEMO_DATA to the shared data folder")
    return load_class_set(class_set, path)


@pytest.mark.parametrize("kind, path", curated_files(), ids=lambda value: str(value))
def test_header_keys_and_text(kind, path):
    header, rows = read_rows(path)
    assert tuple(header) == HEADERS[kind], f"{path}: header"
    keys = [tuple(row[column].strip().lower() for column in KEYS[kind]) for row in rows]
    duplicates = {key for key in keys if keys.count(key) > 1}
    assert not duplicates, f"{path}: duplicate keys {duplicates}"
    for line, row in enumerate(rows, start=2):
        for column in KEYS[kind]:
            assert row[column].strip(), f"{path}: line {line}: empty {column}"
        text_column = "word" if "word" in KEYS[kind] else "term"
        assert normalize_text(row[text_column]), f"{path}: line {line}: {row[text_column]!r} has no words"
        if kind in REASONED:
            assert row["reason"].strip(), f"{path}: line {line}: every {kind} row needs a reason"


@pytest.mark.parametrize("kind, path", curated_files(), ids=lambda value: str(value))
def test_the_checks_a_runs_own_files_get_pass(kind, path):
    # a run's curation files are read by the same code, so the two sets of rules cannot drift apart
    assert CURATION_KINDS[kind].columns == HEADERS[kind] and CURATION_KINDS[kind].key == KEYS[kind]
    assert CURATION_KINDS[kind].reasoned == (kind in REASONED)
    assert read_curation_file(path, kind).height == len(read_rows(path)[1])


@pytest.mark.parametrize("kind, path", [(k, p) for k, p in curated_files() if k in SET_CURATION], ids=lambda value: str(value))
def test_class_ids_are_known(kind, path):
    classes = classes_of(path.parent.name)
    _, rows = read_rows(path)
    unknown = sorted({row["class_id"] for row in rows} - set(classes["class_id"].to_list()))
    assert not unknown, f"{path}: unknown class ids {unknown[:5]}"


@pytest.mark.parametrize("path", sorted([*SYNONYMS_DIR.glob("*/exclusions.csv"), *SYNONYMS_DIR.glob("*/unambiguous.csv")]),
                         ids=lambda value: str(value))
def test_exclusions_and_unambiguous_name_a_term_the_class_has(path):
    classes = classes_of(path.parent.name)
    additions = SYNONYMS_DIR / path.parent.name / "additions.csv"
    candidates = candidate_terms(classes, pl.read_csv(additions, infer_schema=False) if additions.exists() else None)
    known = {(class_id, " ".join(normalize_text(text))) for class_id, text in candidates.select("class_id", "text").rows()}
    _, rows = read_rows(path)
    for line, row in enumerate(rows, start=2):
        assert (row["class_id"], " ".join(normalize_text(row["term"]))) in known, f"{path}: line {line}: {row['term']!r}"


@pytest.mark.parametrize("path", sorted(SYNONYMS_DIR.glob("*/additions.csv")), ids=lambda value: str(value))
def test_additions_are_new_terms(path):
    classes = classes_of(path.parent.name)
    existing = {(class_id, " ".join(normalize_text(text)))
                for class_id, text in candidate_terms(classes).select("class_id", "text").rows()}
    _, rows = read_rows(path)
    for line, row in enumerate(rows, start=2):
        assert (row["class_id"], " ".join(normalize_text(row["term"]))) not in existing, (
            f"{path}: line {line}: {row['term']!r} is already a term of {row['class_id']}")
