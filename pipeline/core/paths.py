"""Where the shipped folders are (through importlib.resources, so installed and editable copies agree), and the
folders a run writes, relative to the directory the user works in."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path


def _shipped(folder: str) -> Path:
    return Path(str(resources.files(f"pipeline.shipped.{folder}")))


SQL_DIR = _shipped("sql")
SYNONYMS_DIR = _shipped("synonyms")
RUNS_DIR = _shipped("runs")
#: The hand-labelled occurrences that score the disambiguation policies (references only, never caption text).
DEVSET = SYNONYMS_DIR / "imagenet1k" / "devset.csv"
#: The labelled sets of the held-out evaluation (references only): term occurrences and a recall set.
LABELS_DIR = SYNONYMS_DIR / "imagenet1k" / "labels"
PACKAGE_DIR = Path(__file__).resolve().parent.parent


def cache_dir() -> Path:
    """Downloads and derived data kept between runs (WordNet, wheels): CLASSFREQ_CACHE, else the user's cache."""
    configured = os.environ.get("CLASSFREQ_CACHE")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "classfreq"


def work_root() -> Path:
    """Where runs keep their shards, manifests and database: CLASSFREQ_WORK, else work/ in the working directory."""
    return Path(os.environ.get("CLASSFREQ_WORK", "work"))
