"""Readers: each source format into records, and records into `documents` shards (the ingest stage's core)."""
