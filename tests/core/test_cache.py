"""The cache of outputs shared by runs: reused under the same key, made again when forced, never half-written."""

from pipeline.core.cache import reused_or_built


def test_a_second_build_under_one_key_is_a_copy_and_rebuild_replaces_it(tmp_path, monkeypatch):
    monkeypatch.setenv("CLASSFREQ_CACHE", str(tmp_path / "cache"))
    builds = []

    def build(folder):
        builds.append(folder)
        (folder / "lexicon.parquet").write_text(f"build {len(builds)}")
        return {"rows": len(builds)}

    for attempt, rebuild in enumerate((False, False, True)):
        output = tmp_path / f"out{attempt}"
        output.mkdir()
        summary, reused = reused_or_built("lexicons", "k1", output, build, rebuild=rebuild)
        assert reused is (attempt == 1)
        assert (output / "lexicon.parquet").read_text() == ("build 2" if rebuild else "build 1")
    assert len(builds) == 2 and summary == {"rows": 2}
    assert sorted(path.name for path in (tmp_path / "cache" / "lexicons").iterdir()) == ["k1"]  # no temporary left
