"""Shared fixtures: tiny runs in a temporary work directory, and the real data beside the repository."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

# tests never use the network: no WordNet download, no Hugging Face hub
os.environ["CLASSFREQ_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("DEMO_DATA", REPO.parent / "shared" / "data"))

requires_shared_data = pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason=f"real data not found at {SHARED_DATA} (set DEMO_DATA to its folder)"
)


@contextmanager
def project_directory(directory: Path) -> Iterator[pytest.MonkeyPatch]:
    """`directory` as the project while the block runs: runs write work/ there, not into the
    repository, with progress bars off. For fixtures of any scope; the patch is there for more settings."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLASSFREQ_WORK", str(directory / "work"))
        patch.setenv("CLASSFREQ_PROGRESS", "off")
        patch.chdir(directory)
        yield patch


@pytest.fixture
def workspace(tmp_path):
    """A temporary project directory for one test."""
    with project_directory(tmp_path):
        yield tmp_path


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
