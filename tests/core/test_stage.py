"""The stage shell's report to the user: a line per stage, and the stage's warnings under it, skipped or not."""

import errno
import os
from pathlib import Path

import polars as pl
import pytest

from pipeline.core.errors import ClassfreqError
from pipeline.core.shards import write_parquet
from pipeline.core.stage import StageOutput, database_transaction, run_stage, write_atomic


def test_warnings_follow_the_summary_line_when_the_stage_runs_and_when_it_skips(tmp_path):
    def body(output_dir, digest):
        return StageOutput(warnings=["policy context cuts 3 classes by more than half"])

    ran = run_stage(tmp_path, "count", {"policy": "context"}, body, writes_files=False)
    skipped = run_stage(tmp_path, "count", {"policy": "context"}, body, writes_files=False)
    assert not ran.skipped and skipped.skipped
    for result in (ran, skipped):
        line, warning = result.summary.split("\n")
        assert line.startswith("count: ")
        assert warning == "  warning: policy context cuts 3 classes by more than half"


# --- writes that fail: a message naming the file, the previous file whole, no temporary left ----------------------

def test_a_full_disk_names_the_file_and_keeps_the_previous_one(tmp_path, monkeypatch):
    target = tmp_path / "manifests" / "count.json"
    write_atomic(target, "previous")

    def full(_descriptor):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(ClassfreqError, match=f"cannot write {target}: No space left on device$"):
        write_atomic(target, "new")
    assert target.read_text() == "previous" and sorted(target.parent.iterdir()) == [target]


def test_an_interrupted_write_leaves_the_previous_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    write_atomic(target, "previous")

    def interrupted(_descriptor):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "new")
    assert target.read_text() == "previous" and sorted(tmp_path.iterdir()) == [target]


def test_a_shard_that_cannot_be_written_names_the_file(tmp_path, monkeypatch):
    def full(self, target, **options):
        Path(target).write_bytes(b"PAR1")  # polars leaves what it wrote before the error
        raise pl.exceptions.ComputeError(
            "parquet: File out of specification: underlying IO error: No space left on device (os error 28)")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)
    target = tmp_path / "lemmas-00000.parquet"
    with pytest.raises(ClassfreqError, match=f"cannot write {target}: No space left on device \\(os error 28\\)$"):
        write_parquet(pl.DataFrame({"a": [1]}), target)
    assert not target.exists()


def test_a_commit_that_cannot_be_written_names_the_database(tmp_path, monkeypatch):
    """DuckDB fails a commit on a full disk with a TransactionException; the stage's changes are not kept."""
    import duckdb

    from pipeline.core import sql

    class FullDisk:
        def __init__(self, connection):
            self.connection = connection

        def __getattr__(self, name):
            return getattr(self.connection, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            self.connection.close()

        def commit(self):
            raise duckdb.TransactionException('Failed to commit: Could not write file "x.wal": No space left on device')

    real_connect = sql.connect
    monkeypatch.setattr(sql, "connect", lambda database, **options: FullDisk(real_connect(database, **options)))
    database = tmp_path / "classfreq.duckdb"
    with pytest.raises(ClassfreqError, match=f"cannot write {database}: Failed to commit: .*No space left on device"):
        with database_transaction(database, "count") as connection:
            connection.execute("create table t as select 1 as x")
    monkeypatch.undo()
    with real_connect(database) as connection:
        assert connection.execute("select count(*) from information_schema.tables where table_name = 't'").fetchone() == (0,)
