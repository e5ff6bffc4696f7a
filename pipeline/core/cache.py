"""Outputs that depend only on inputs shared by many runs (a class set's lexicon), kept between runs in the user's
cache under a key that holds every input, the code included, so a cached copy is never a stale one."""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .paths import cache_dir

_SUMMARY = "summary.json"


def reused_or_built(kind: str, key: str, output_dir: Path, build: Callable[[Path], dict[str, Any]],
                    rebuild: bool = False) -> tuple[dict[str, Any], bool]:
    """Fills `output_dir` with the files `build(output_dir)` writes, copied from the cache when an earlier run
    built them under the same key (unless `rebuild`, which replaces the entry); returns build's JSON summary and
    whether it was reused.

    The cache entry is written beside its place and renamed into it, so a run killed meanwhile leaves none
    half-written; a cache that cannot be written (a read-only home) only costs the reuse."""
    entry = cache_dir() / kind / key
    if rebuild:
        shutil.rmtree(entry, ignore_errors=True)
    if (entry / _SUMMARY).exists():
        for path in entry.iterdir():
            if path.name != _SUMMARY:
                shutil.copy2(path, output_dir / path.name)
        return json.loads((entry / _SUMMARY).read_text(encoding="utf-8")), True
    summary = build(output_dir)
    pending = entry.with_name(f".{key}.{secrets.token_hex(3)}")
    try:
        shutil.copytree(output_dir, pending)
        (pending / _SUMMARY).write_text(json.dumps(summary), encoding="utf-8")
        os.rename(pending, entry)
    except OSError:  # another run stored it first, or no room: this run's outputs are complete either way
        shutil.rmtree(pending, ignore_errors=True)
    return summary, False
