"""Class sets: the committed manifests (validated like dbt schema tests) and the user-file loaders.

The builder (which downloads wheels) is never run here; these tests read the committed CSVs.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from pipeline.core.errors import ClassfreqError
from pipeline.lexicon import classsets as cs

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO.parent / "shared" / "data"
OPENAI_PROMPTS = SHARED_DATA / "classnames" / "openai_CLIP_prompts_classes.json"


@pytest.fixture(scope="module")
def wn():
    from pipeline.lexicon.wordnet import wordnet

    try:
        return wordnet(allow_download=False)  # tests never use the network
    except ClassfreqError as exc:
        pytest.skip(f"WordNet unavailable here: {exc}")


def _raw_rows(name):
    path = REPO / "synonyms" / name / "classes.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        return header, [dict(zip(header, r)) for r in reader]


# ---- committed manifests: schema tests -------------------------------------------------------


@pytest.mark.parametrize("name", cs.BUILTIN_SETS)
def test_manifest_schema(name):
    header, rows = _raw_rows(name)
    assert tuple(header) == cs.COLUMNS  # header exact
    assert all(len(r) == len(cs.COLUMNS) for r in rows)
    ids = [r["class_id"] for r in rows]
    assert all(ids) and len(set(ids)) == len(ids)  # not_null + unique
    idx = [int(r["class_index"]) for r in rows]
    assert idx == list(range(len(rows)))  # unique, dense, in order
    assert all(r["display_name"].strip() for r in rows)  # not_null
    for r in rows:  # accepted_values
        m = r["mapping"]
        assert m in ("wnid", "exact_lemma", "exact_lemma+hypernym_check", "unmapped") or (
            m.startswith("fuzzy:") and float(m.split(":")[1]) >= cs.FUZZY_THRESHOLD
        ), m
        # WordNet columns are all filled, or all empty when unmapped
        filled = [bool(r[c]) for c in ("wnid", "synset", "wordnet_lemmas", "gloss")]
        assert all(filled) if m != "unmapped" else not any(filled), r


@pytest.mark.parametrize("name", ["flowers102", "caltech101"])
def test_slug_ids(name):
    _, rows = _raw_rows(name)
    assert len(rows) == 102
    for r in rows:
        assert r["class_id"] == r["class_id"].lower()
        assert all(ch.isascii() and (ch.isalnum() or ch == "_") for ch in r["class_id"])


def test_imagenet_manifest_facts():
    _, rows = _raw_rows("imagenet1k")
    assert len(rows) == 1000
    wnids = [r["wnid"] for r in rows]
    assert len(set(wnids)) == 1000
    assert all(r["class_id"] == r["wnid"] and r["mapping"] == "wnid" for r in rows)
    assert rows[0]["wnid"] == "n01440764" and rows[0]["synset"] == "tench.n.01"
    names = Counter(r["display_name"] for r in rows)
    dups = {n: [int(r["class_index"]) for r in rows if r["display_name"] == n]
            for n, c in names.items() if c > 1}
    # OpenCLIP's list keeps two names twice; "crane" is split into "crane bird"/"construction crane"
    assert dups == {"missile": [657, 744], "sunglasses": [836, 837]}
    crane = [int(r["class_index"]) for r in rows if "crane" in r["wordnet_lemmas"].split("|")]
    assert crane == [134, 517]


def test_imagenet_wnids_resolve(wn):
    _, rows = _raw_rows("imagenet1k")
    for r in rows:
        ss = wn.synset_from_pos_and_offset("n", int(r["wnid"][1:]))
        assert ss.name() == r["synset"], r
        assert ss.definition() == r["gloss"]


@pytest.mark.parametrize("name", ["flowers102", "caltech101"])
def test_mapped_synsets_resolve(wn, name):
    _, rows = _raw_rows(name)
    for r in rows:
        if r["wnid"]:
            ss = wn.synset_from_pos_and_offset("n", int(r["wnid"][1:]))
            assert ss.name() == r["synset"], r


def test_flowers_mappings_are_plants():
    _, rows = _raw_rows("flowers102")
    for r in rows:
        if r["mapping"] != "unmapped":
            assert " > plant > " in f" > {r['hypernyms']} > ", r


# ---- loader API ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", cs.BUILTIN_SETS)
def test_load_class_set_builtin(name):
    df = cs.load_class_set(name)
    assert tuple(df.columns) == cs.COLUMNS
    assert df.schema["class_index"] == pl.Int64
    assert all(df.schema[c] == pl.Utf8 for c in cs.COLUMNS if c != "class_index")
    assert df.null_count().sum_horizontal().item() == 0  # missing values are ""


def test_unknown_set_lists_known():
    with pytest.raises(ClassfreqError) as err:
        cs.load_class_set("nosuchset")
    for name in cs.BUILTIN_SETS:
        assert name in str(err.value)


def test_slugs_unique():
    assert cs.unique_slugs(["Colt's foot", "colt s foot", "Café"]) == ["colt_s_foot", "colt_s_foot_2", "cafe"]


def test_user_txt(tmp_path, wn):
    p = tmp_path / "classes.txt"
    p.write_text("# my set\ngoldfish\n\nsea lion\nzzqx widget\n", encoding="utf-8")
    df = cs.load_class_set("mine", classes_file=p)
    assert df["display_name"].to_list() == ["goldfish", "sea lion", "zzqx widget"]
    assert df["class_index"].to_list() == [0, 1, 2]
    assert df["class_id"].to_list() == ["goldfish", "sea_lion", "zzqx_widget"]
    assert df["synset"].to_list() == ["goldfish.n.01", "sea_lion.n.01", ""]
    assert df["mapping"].to_list() == ["exact_lemma", "exact_lemma", "unmapped"]
    assert df["wnid"].to_list()[2] == ""


def test_user_csv_with_wnid(tmp_path, wn):
    p = tmp_path / "classes.csv"
    p.write_text("name,wnid\ntinca,n01440764\ngoldfish,\n", encoding="utf-8")
    df = cs.load_user_class_file(p)
    row = df.row(0, named=True)
    assert row["synset"] == "tench.n.01" and row["mapping"] == "wnid" and row["wnid"] == "n01440764"
    assert row["wordnet_lemmas"] == "tench|Tinca tinca"
    assert df.row(1, named=True)["mapping"] == "exact_lemma"


def test_user_csv_display_name_column(tmp_path, wn):
    p = tmp_path / "c.csv"
    p.write_text("display_name\nsunflower\n", encoding="utf-8")
    df = cs.load_class_set("flowers-mine", classes_file=p)
    assert df["synset"].to_list() == ["sunflower.n.01"]


def test_user_bad_wnid_names_line(tmp_path, wn):
    p = tmp_path / "c.csv"
    p.write_text("name,wnid\ntench,n01440764\nfoo,x123\n", encoding="utf-8")
    with pytest.raises(ClassfreqError, match=r"line 3"):
        cs.load_user_class_file(p)


def test_user_duplicate_names(tmp_path):
    p = tmp_path / "dups.txt"
    p.write_text("tench\ngoldfish\n\nTench\n", encoding="utf-8")
    with pytest.raises(ClassfreqError) as err:
        cs.load_user_class_file(p)
    msg = str(err.value)
    assert str(p) in msg and "line 4" in msg and "'Tench'" in msg and "line 1" in msg


def test_user_duplicate_names_csv(tmp_path):
    p = tmp_path / "dups.csv"
    p.write_text("name\nrose\ntulip\nrose\n", encoding="utf-8")
    with pytest.raises(ClassfreqError, match=r"dups\.csv: line 4: duplicate class name 'rose'"):
        cs.load_user_class_file(p)


def test_user_csv_needs_name_column(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("label\nrose\n", encoding="utf-8")
    with pytest.raises(ClassfreqError, match="name"):
        cs.load_user_class_file(p)


def test_json_layouts(tmp_path, wn):
    p = tmp_path / "prompts.json"
    p.write_text(json.dumps({"Flowers102": {"classes": ["rose", "zzqx bloom"], "templates": ["a {}."]},
                             "Other": {"classes": ["x"], "templates": []}}), encoding="utf-8")
    df = cs.load_class_set("flowers102", classes_file=p)
    assert df["display_name"].to_list() == ["rose", "zzqx bloom"]
    with pytest.raises(ClassfreqError, match="keys"):
        cs.load_class_set("cars", classes_file=p)


@pytest.mark.realdata
def test_stanfordcars_from_openai_prompts(wn):
    if not OPENAI_PROMPTS.is_file():
        pytest.skip(f"shared data absent: {OPENAI_PROMPTS} (../shared/data is only in CI/dev checkouts)")
    df = cs.load_class_set("stanfordcars", classes_file=OPENAI_PROMPTS)
    assert tuple(df.columns) == cs.COLUMNS
    assert df.height == 196
    assert df["class_id"].n_unique() == 196
    assert df["display_name"][0] == "AM General Hummer SUV 2000"
    assert df["class_index"].to_list() == list(range(196))
