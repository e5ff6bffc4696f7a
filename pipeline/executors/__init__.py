"""Executors: run `ShardTask`s over shards, on a local process pool or on Ray. They know no stage."""
