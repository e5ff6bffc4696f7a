"""Progress bars with rate and ETA on stderr; quiet when not attached to a terminal unless asked."""

from __future__ import annotations

import os
import sys

from tqdm import tqdm


def progress_enabled() -> bool:
    """CLASSFREQ_PROGRESS: on, off, or auto (on when stderr is a terminal)."""
    setting = os.environ.get("CLASSFREQ_PROGRESS", "auto")
    return setting == "on" or (setting == "auto" and sys.stderr.isatty())


def progress(**kwargs) -> tqdm:
    kwargs.setdefault("disable", not progress_enabled())
    kwargs.setdefault("mininterval", 0.5)
    kwargs.setdefault("dynamic_ncols", True)
    return tqdm(**kwargs)
