"""The Ray executor: the same shard tasks as the local pool, one Ray task per shard, for corpora beyond one machine.

Each shard runs `run_shard` (file in, file out) as a Ray task, as datatrove's Ray executor runs its steps,
so the outputs are the local executor's, shard for shard, and the count aggregates them in DuckDB just the
same; on a cluster, the work directory must be on storage every node sees. Chosen per run with
`options.executor = "ray"`; `options.ray_address` (or RAY_ADDRESS) names a cluster, otherwise Ray starts
locally with `options.workers` CPUs. Needs the `ray` extra: `pip install -e '.[ray]'`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from ..core.config import RunOptions
from ..core.errors import ClassfreqError
from ..core.progress import progress
from ..core.shards import ShardTask, run_shard
from .local import worker_count


def _ray():
    try:
        import ray
    except ImportError:
        raise ClassfreqError(
            "options.executor = \"ray\" needs Ray: pip install -e '.[ray]' (or use the local executor)"
        ) from None
    return ray


class RayExecutor:
    name = "ray"

    def __init__(self, options: RunOptions) -> None:
        self.options = options

    def start(self) -> None:
        """Ray starts with the first stage that maps shards: a run that skips them never starts it."""

    def release(self) -> None:
        """Ray's workers belong to the cluster (or to this process's local Ray until it exits)."""

    def close(self) -> None:
        """Left running, like `release`: a notebook's next run reuses it."""

    def _connected(self):
        """Connects to the run's cluster, or starts a local Ray with the run's worker count; reuses a running one."""
        ray = _ray()
        if not ray.is_initialized():
            address = self.options.ray_address or os.environ.get("RAY_ADDRESS")
            if address:
                ray.init(address=address, log_to_driver=False)
            else:
                ray.init(num_cpus=worker_count(self.options.workers), include_dashboard=False,
                         log_to_driver=False)
        return ray

    def map_shards(self, task: ShardTask, sources: Sequence[str], targets: Sequence[str], desc: str) -> list:
        ray = self._connected()
        remote = ray.remote(run_shard)
        shared = ray.put(task)  # serialized once, not once per shard (match's task holds the term index)
        pending = [remote.remote(shared, source, target) for source, target in zip(sources, targets)]
        waiting = list(pending)
        with progress(total=len(pending), desc=desc, unit=" shards") as bar:
            try:
                while waiting:
                    done, waiting = ray.wait(waiting, num_returns=1)
                    ray.get(done)  # the first failure stops the stage
                    bar.update(len(done))
            except BaseException:
                for reference in waiting:  # nothing may go on writing into a folder the failed stage removes
                    ray.cancel(reference, force=True)
                raise
        return ray.get(pending)
