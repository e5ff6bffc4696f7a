"""Shared fixtures: tiny runs in a temporary work directory, and the real data beside the repository."""

from __future__ import annotations

import json
import os
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


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A temporary project directory: runs write work/ and reports/ here, not into the repository."""
    monkeypatch.setenv("CLASSFREQ_WORK", str(tmp_path / "work"))
    monkeypatch.setenv("CLASSFREQ_PROGRESS", "off")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
