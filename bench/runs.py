"""Which of several runs of a measurement is reported."""

from __future__ import annotations

from typing import Any


def median_run(runs: list) -> Any:
    """The run with the median time (the lower middle one of an even number); each run is (seconds, ...)."""
    return sorted(runs, key=lambda run: run[0])[(len(runs) - 1) // 2]
