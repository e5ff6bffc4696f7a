"""Progress bars with rate and ETA on stderr; quiet when not attached to a terminal unless asked."""

from __future__ import annotations

import os
import sys

from tqdm import tqdm


def progress(**kwargs) -> tqdm:
    disable = os.environ.get("CLASSFREQ_PROGRESS", "auto")
    kwargs.setdefault("disable", disable == "off" or (disable == "auto" and not sys.stderr.isatty()))
    kwargs.setdefault("mininterval", 0.5)
    kwargs.setdefault("dynamic_ncols", True)
    return tqdm(**kwargs)
