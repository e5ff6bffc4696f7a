"""Peak resident memory of this process and all its descendants (the worker pool), sampled from /proc."""

from __future__ import annotations

import os
import threading
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:  # the task ended while we looked
            pass
    return found


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    except OSError:
        return 0


def tree_rss(root: int) -> tuple[int, int]:
    """(resident bytes of `root`, of `root` and every descendant summed)."""
    own, total, pending = _rss(root), 0, [root]
    while pending:
        pid = pending.pop()
        total += _rss(pid)
        pending += _children(pid)
    return own, total


class PeakMemory:
    """Context manager sampling tree RSS every `interval` seconds; `.peak_total` and `.peak_main` in bytes, and
    `.start_main`, this process's resident memory when it was created.

    Summing RSS over processes counts shared library pages once per worker, so the total is an upper bound.
    """

    def __init__(self, interval: float = 0.05):
        self.interval, self.peak_main, self.peak_total = interval, 0, 0
        self.start_main = tree_rss(os.getpid())[0]
        self._stop = threading.Event()

    def _sample(self) -> None:
        main, total = tree_rss(os.getpid())
        self.peak_main, self.peak_total = max(self.peak_main, main), max(self.peak_total, total)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> PeakMemory:
        self._sample()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
