"""WordNet 3.0 through NLTK: offline copy of a system dictionary, idempotence, ImageNet offsets."""

from __future__ import annotations

import pytest

from pipeline.core.errors import ClassfreqError
from pipeline.lexicon import wordnet as wnmod


@pytest.fixture(scope="module")
def wn():
    try:
        return wnmod.wordnet(allow_download=False)  # tests never use the network
    except ClassfreqError as exc:
        pytest.skip(f"WordNet unavailable here: {exc}")


def test_lexnames_is_wordnet30():
    lines = wnmod.LEXNAMES_TEXT.splitlines()
    assert len(lines) == 45
    assert lines[0] == "00\tadj.all\t3"
    assert lines[1] == "01\tadj.pert\t3"
    assert lines[2] == "02\tadv.all\t4"
    assert lines[3] == "03\tnoun.Tops\t1"
    assert lines[20] == "20\tnoun.plant\t1"
    assert lines[29] == "29\tverb.body\t2"
    assert lines[44] == "44\tadj.ppl\t3"


def test_tench_from_imagenet_offset(wn):
    ss = wn.synset_from_pos_and_offset("n", 1440764)
    assert ss.name() == "tench.n.01"
    assert ss.lexname() == "noun.animal"


def test_sense_keys_resolve(wn):
    # index.sense (rebuilt when the system dictionary lacks it) serves lemma_from_key
    assert wn.lemma_from_key("dog%1:05:00::").synset().name() == "dog.n.01"
    assert wn.lemma("dog.n.01.dog").key() == "dog%1:05:00::"


def test_ensure_wordnet_is_quick_and_idempotent(wn):
    first = wnmod.ensure_wordnet(allow_download=False)
    second = wnmod.ensure_wordnet(allow_download=False)
    assert first.startswith("wordnet:") and second.startswith("wordnet:")
    assert "\n" not in second
    assert wnmod.wordnet(allow_download=False) is wn


def test_copy_of_system_dictionary(tmp_path):
    src = wnmod._system_dir()
    if src is None:
        pytest.skip("no system WordNet dictionary (apt-get install wordnet-base)")
    target = wnmod._copy_system_wordnet(src, tmp_path)
    assert target == tmp_path / "corpora" / "wordnet"
    assert not target.is_symlink()
    for name in wnmod.REQUIRED_FILES + ("lexnames", "index.sense"):
        assert (target / name).is_file() and not (target / name).is_symlink(), name
    mtime = (target / "index.sense").stat().st_mtime_ns
    assert wnmod._copy_system_wordnet(src, tmp_path) == target  # unchanged source: no recopy
    assert (target / "index.sense").stat().st_mtime_ns == mtime
    first = (target / "index.sense").open(encoding="utf-8").readline().split()
    assert len(first) == 4 and first[1].isdigit()


def test_missing_wordnet_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(wnmod, "_nltk_finds_wordnet", lambda: None)
    monkeypatch.setattr(wnmod, "_system_dir", lambda: None)
    with pytest.raises(ClassfreqError) as err:
        wnmod.ensure_wordnet(cache_root=tmp_path, allow_download=False)
    assert "`sudo apt-get install -y wordnet-base`" in str(err.value)
    assert "nltk.downloader -d ~/.cache/classfreq/nltk_data wordnet" in str(err.value)


def test_setup_as_root_installs_the_system_package_when_nothing_else_has_wordnet(tmp_path, monkeypatch):
    """The last resort of `classfreq setup`: apt-get, as root only; the dictionary it brings is copied as usual."""
    installed = []
    system = {"dir": None}
    monkeypatch.setattr(wnmod, "_nltk_finds_wordnet", lambda: None)
    monkeypatch.setattr(wnmod, "_system_dir", lambda: system["dir"])
    monkeypatch.setattr(wnmod, "can_install_system_packages", lambda: True)

    def install(packages):
        installed.append(packages)
        system["dir"] = tmp_path / "dict"

    monkeypatch.setattr(wnmod, "install_system_packages", install)
    monkeypatch.setattr(wnmod, "_copy_system_wordnet", lambda src, root: root / "corpora" / "wordnet")
    with pytest.raises(ClassfreqError, match="copied WordNet from"):  # the fake dictionary is not a real one
        wnmod.ensure_wordnet(cache_root=tmp_path, allow_download=False, install_system=True)
    assert installed == [("wordnet-base",)]
    installed.clear()
    system["dir"] = None
    monkeypatch.setattr(wnmod, "can_install_system_packages", lambda: False)  # not root: the commands to run
    with pytest.raises(ClassfreqError, match="sudo apt-get install -y wordnet-base"):
        wnmod.ensure_wordnet(cache_root=tmp_path, allow_download=False, install_system=True)
    assert installed == []
