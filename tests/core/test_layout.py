"""The package's layout: the wheel carries the shipped folders, and the code fingerprint sees every module and query."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

from pipeline.core import stage
from pipeline.core.paths import RUNS_DIR, SQL_DIR, SYNONYMS_DIR

REPO = Path(__file__).resolve().parents[2]
SHIPPED = {"sql": ("pipeline.shipped.sql", "*.sql"), "synonyms": ("pipeline.shipped.synonyms", "*.csv"),
           "runs": ("pipeline.shipped.runs", "*.toml")}


def setuptools_settings() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_package_and_shipped_folder_is_in_the_wheel():
    settings = setuptools_settings()
    packages = {".".join(path.relative_to(REPO).parent.parts) for path in (REPO / "pipeline").rglob("__init__.py")}
    for folder, (package, pattern) in SHIPPED.items():
        assert settings["package-dir"][package] == folder
        for directory in [REPO / folder, *(path for path in (REPO / folder).rglob("*") if path.is_dir())]:
            if "__pycache__" in directory.parts or not any(directory.iterdir()):
                continue
            name = ".".join([package, *directory.relative_to(REPO / folder).parts])
            packages.add(name)
            assert settings["package-data"].get(name) == [pattern], f"{directory} ships no {pattern} files"
            assert {path.name for path in directory.iterdir() if path.is_file()} <= {
                "__init__.py", *(path.name for path in directory.glob(pattern))}, f"{directory} holds files the wheel leaves out"
    assert set(settings["packages"]) == packages


def test_shipped_folders_are_found_through_the_package():
    assert (SQL_DIR / "report" / "flagged_term_count.sql").is_file()
    assert (SYNONYMS_DIR / "imagenet1k" / "classes.csv").is_file()
    assert (RUNS_DIR / "demo.toml").is_file()


def fingerprint_with(monkeypatch, sql_dir: Path) -> str:
    monkeypatch.setattr(stage, "SQL_DIR", sql_dir)
    stage.code_fingerprint.cache_clear()
    try:
        return stage.code_fingerprint()
    finally:
        stage.code_fingerprint.cache_clear()


def test_the_code_fingerprint_covers_queries_in_subfolders_and_every_module(tmp_path, monkeypatch):
    copy = tmp_path / "sql"
    shutil.copytree(SQL_DIR, copy)
    before = fingerprint_with(monkeypatch, copy)
    assert fingerprint_with(monkeypatch, copy) == before
    for query in ("queries/top_classes.sql", "report/policy_shift.sql", "class_frequency.sql"):
        (copy / query).write_text((copy / query).read_text() + "\n-- edited\n")
        changed = fingerprint_with(monkeypatch, copy)
        assert changed != before, query
        before = changed
    package = tmp_path / "pipeline"
    shutil.copytree(stage.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(stage, "PACKAGE_DIR", package)
    module = package / "report" / "lexicon.py"
    module.write_text(module.read_text() + "\n")
    assert fingerprint_with(monkeypatch, copy) != before
