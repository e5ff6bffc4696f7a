"""A user's class file that cannot be read as one stops with a message naming the file and the place, never a
traceback: bytes that are not UTF-8, a header naming a column twice, a wnid that WordNet does not have."""

from __future__ import annotations

import pytest

from pipeline.core.errors import ClassfreqError
from pipeline.lexicon import classsets as cs

BAD = b"\xe9"


@pytest.fixture(scope="module")
def wn():
    from pipeline.lexicon.wordnet import wordnet

    try:
        return wordnet(allow_download=False)  # tests never use the network
    except ClassfreqError as exc:
        pytest.skip(f"WordNet unavailable here: {exc}")


@pytest.mark.parametrize(("name", "content"), [
    ("classes.txt", b"\xef\xbb\xbftench\ngoldfish\ncaf\xe9\n"),
    ("classes.csv", b"name,wnid\ntench,n01440764\ncaf\xe9,\n"),
    ("classes.tsv", b"name\ntench\ncaf\xe9\n"),
    ("classes.json", b'["tench", "caf\xe9"]'),
])
def test_invalid_utf8_names_the_file_and_the_byte(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ClassfreqError) as raised:
        cs.load_user_class_file(path)
    at = content.index(BAD)
    assert str(raised.value) == f"{path}: byte {at}: not valid UTF-8: {content[at:at + 4]!r}"


def test_a_repeated_column_name_is_an_error(tmp_path):
    path = tmp_path / "classes.csv"
    path.write_bytes(b"name,wnid,name\ntench,n01440764,goldfish\n")
    with pytest.raises(ClassfreqError, match=r"classes.csv: header: repeated column name 'name'$"):
        cs.load_user_class_file(path)


def test_an_unknown_wnid_names_the_file_the_row_and_the_wnid(tmp_path, wn):
    path = tmp_path / "classes.csv"
    path.write_bytes(b"name,wnid\ntench,n01440764\nunicorn,n99999999\n")
    with pytest.raises(ClassfreqError) as raised:
        cs.load_user_class_file(path)
    assert str(raised.value) == f"{path}: line 3: wnid 'n99999999' is not a WordNet 3.0 noun synset"


def test_json_nested_too_deeply_is_an_error(tmp_path):
    path = tmp_path / "classes.json"
    path.write_text("[" * 5000 + "]" * 5000, encoding="utf-8")
    with pytest.raises(ClassfreqError, match="classes.json: not valid JSON"):
        cs.load_user_class_file(path)
