"""The lexicon's pure core on hand-written classes, and the real ImageNet-1k lexicon's facts."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.core.errors import ClassfreqError
from pipeline.lexicon.classsets import COLUMNS, load_class_set
from pipeline.lexicon.senses import sense_evidence, sense_seeds, wordnet_sense_evidence
from pipeline.lexicon.synonyms import (
    Curation,
    build_lexicon,
    car_name_variants,
    class_context,
    hypernym_terms,
    read_curation,
)


def classes_frame(rows: list[dict]) -> pl.DataFrame:
    filled = [{column: row.get(column, "") for column in COLUMNS} | {"class_index": index} for index, row in enumerate(rows)]
    return pl.DataFrame(filled, schema={c: (pl.Int64 if c == "class_index" else pl.String) for c in COLUMNS})


CLASSES = classes_frame([
    {"class_id": "crane_bird", "display_name": "crane bird", "wordnet_lemmas": "crane", "synset": "crane.n.05",
     "gloss": "large long-necked wading bird", "hypernyms": "wading bird > aquatic bird > bird > vertebrate"},
    {"class_id": "crane_machine", "display_name": "construction crane", "wordnet_lemmas": "crane",
     "gloss": "lifts and moves heavy objects", "hypernyms": "lifting device > device"},
    {"class_id": "tank", "display_name": "tank", "wordnet_lemmas": "tank|army tank|armored combat vehicle"},
    {"class_id": "geese", "display_name": "Geese", "wordnet_lemmas": "goose"},
])


def terms_of(lexicon: pl.DataFrame, class_id: str, status: str = "counted") -> list[str]:
    return lexicon.filter(pl.col("class_id") == class_id, pl.col("status") == status)["term"].to_list()


def test_terms_come_from_display_name_and_lemmas_normalized_with_origins():
    lexicon, dropped = build_lexicon(CLASSES)
    assert terms_of(lexicon, "geese") == ["goose"]
    goose = lexicon.filter(pl.col("term") == "goose").row(0, named=True)
    assert goose["origins"] == "display_name|wordnet" and goose["text"] == "Geese"
    assert terms_of(lexicon, "tank") == ["armored combat vehicle", "army tank", "tank"]
    assert dropped.is_empty()


def test_a_term_shared_by_two_classes_is_flagged_for_both():
    lexicon, _ = build_lexicon(CLASSES)
    crane = lexicon.filter(pl.col("term") == "crane")
    assert crane["class_id"].to_list() == ["crane_bird", "crane_machine"]
    assert crane["n_classes"].to_list() == [2, 2]
    assert crane["flags"].to_list() == ["shared", "shared"] and crane["flagged"].all()
    assert not lexicon.filter(pl.col("term") == "crane bird")["flagged"].item()


def test_polysemy_comes_from_sense_counts_and_share():
    senses = pl.DataFrame({"class_id": ["tank", "geese"], "term": ["tank", "goose"], "n_senses": [5, 3],
                           "sense_share": [0.2, 0.9]})
    lexicon, _ = build_lexicon(CLASSES, senses=senses)
    tank = lexicon.filter(pl.col("term") == "tank").row(0, named=True)
    assert (tank["n_senses"], tank["flags"], tank["flagged"]) == (5, "polysemous", True)
    goose = lexicon.filter(pl.col("term") == "goose").row(0, named=True)
    assert (goose["flags"], goose["flagged"]) == ("", False)  # the class sense dominates


def test_generic_terms_are_flagged():
    curation = Curation(generic_terms=pl.DataFrame({"term": ["Tanks"], "reason": ["too broad"]}))
    lexicon, _ = build_lexicon(CLASSES, curation)
    assert lexicon.filter(pl.col("term") == "tank")["flags"].item() == "generic"


def test_exclusions_stay_matched_but_do_not_count_or_share():
    curation = Curation(exclusions=pl.DataFrame({"class_id": ["crane_machine"], "term": ["crane"], "reason": ["mostly the bird"]}))
    lexicon, _ = build_lexicon(CLASSES, curation)
    excluded = lexicon.filter(pl.col("status") == "excluded").row(0, named=True)
    assert (excluded["class_id"], excluded["term"], excluded["reason"], excluded["n_classes"]) == (
        "crane_machine", "crane", "mostly the bird", 1)  # one class still counts it
    bird = lexicon.filter(pl.col("class_id") == "crane_bird", pl.col("term") == "crane").row(0, named=True)
    assert bird["n_classes"] == 1 and bird["flags"] == ""


def test_additions_count_with_curated_origin():
    curation = Curation(additions=pl.DataFrame({"class_id": ["tank"], "term": ["battle tanks"], "note": ["common"]}))
    lexicon, _ = build_lexicon(CLASSES, curation)
    added = lexicon.filter(pl.col("term") == "battle tank").row(0, named=True)
    assert (added["class_id"], added["origins"], added["status"]) == ("tank", "curated", "counted")


def test_blocking_compound_becomes_a_blocked_row_for_each_class_it_hides():
    compounds = pl.DataFrame({"term": ["tank top", "crane kick", "hot air balloon"],
                              "reason": ["a shirt", "a karate move", "hides nothing here"]})
    lexicon, _ = build_lexicon(CLASSES, Curation(blocking_compounds=compounds))
    blocked = lexicon.filter(pl.col("status") == "blocked").select("class_id", "term", "reason").rows()
    assert sorted(blocked) == [("crane_bird", "crane kick", "a karate move"),
                               ("crane_machine", "crane kick", "a karate move"), ("tank", "tank top", "a shirt")]


def test_a_class_term_beats_a_blocking_compound_and_says_so():
    # "army tank" is a term of tank: the compound is not applied, and the term, the longer match, still hides "tank"
    compounds = pl.DataFrame({"term": ["Army tanks", "tank top"], "reason": ["a compound", "a shirt"]})
    lexicon, _ = build_lexicon(CLASSES, Curation(blocking_compounds=compounds))
    army_tank = lexicon.filter(pl.col("term") == "army tank").select("class_id", "status", "reason").rows()
    assert army_tank == [("tank", "counted", "blocking compound 'Army tanks' not applied: it is a class term of tank")]
    assert lexicon.filter(pl.col("status") == "blocked").select("class_id", "term").rows() == [("tank", "tank top")]
    assert lexicon.filter(pl.col("term") == "tank")["reason"].to_list() == [None]


def test_curation_naming_unknown_classes_or_terms_is_an_error():
    with pytest.raises(ClassfreqError, match="no_such_class"):
        build_lexicon(CLASSES, Curation(additions=pl.DataFrame({"class_id": ["no_such_class"], "term": ["x"], "note": [""]})))
    with pytest.raises(ClassfreqError, match="kite"):
        build_lexicon(CLASSES, Curation(exclusions=pl.DataFrame({"class_id": ["tank"], "term": ["kite"], "reason": ["r"]})))


def test_context_words_are_gloss_nouns_hypernyms_and_curated_never_the_flagged_term():
    lexicon, _ = build_lexicon(CLASSES)
    curation = Curation(context=pl.DataFrame({"class_id": ["crane_bird"], "word": ["herons"], "note": ["often together"]}),
                        context_stopwords=pl.DataFrame({"word": ["device"], "reason": ["too broad"]}))
    nouns = {"bird", "neck", "object", "crane", "construction", "device"}
    context = class_context(CLASSES, lexicon, curation, is_noun=nouns.__contains__)
    words = dict(context.group_by("class_id").agg(pl.col("word").sort()).rows())
    # "large", "long", "necked" are no nouns; "device" is a stop word here; "crane" is the flagged term itself;
    # "wading" and "lifting" come from the hypernyms' names, read as nouns (no verb lemma)
    assert words == {"crane_bird": ["aquatic", "bird", "heron", "wading"],
                     "crane_machine": ["construction", "lifting", "object"]}


# ---- the real ImageNet-1k lexicon (WordNet needed) -------------------------------------------


@pytest.fixture(scope="module")
def imagenet():
    from pipeline.lexicon.wordnet import wordnet

    try:
        wordnet(allow_download=False)
    except ClassfreqError as error:
        pytest.skip(f"WordNet unavailable here: {error}")
    classes = load_class_set("imagenet1k")
    curation = read_curation("imagenet1k")
    unflagged, _ = build_lexicon(classes, curation)
    senses = wordnet_sense_evidence(classes, unflagged.filter(pl.col("status") != "blocked").select("class_id", "term", "text"))
    lexicon, _ = build_lexicon(classes, curation, senses)
    return classes, lexicon


def test_imagenet_every_class_has_a_counted_term(imagenet):
    classes, lexicon = imagenet
    assert classes.height == 1000 and classes["wnid"].n_unique() == 1000
    counted = lexicon.filter(pl.col("status") == "counted")
    assert counted["class_id"].n_unique() == 1000


def test_imagenet_duplicate_display_names_are_four_classes_sharing_their_term(imagenet):
    classes, lexicon = imagenet
    duplicates = classes.filter(pl.col("display_name").is_duplicated())
    assert sorted(duplicates["display_name"].to_list()) == ["missile", "missile", "sunglasses", "sunglasses"]
    shared = lexicon.filter(pl.col("term").is_in(["missile", "sunglass"]), pl.col("status") == "counted")
    assert shared["class_id"].n_unique() == 4 and shared["n_classes"].to_list() == [2, 2, 2, 2]
    assert shared["flags"].str.contains("shared").all()


@pytest.mark.parametrize("term, n_classes", [("crane", 2), ("maillot", 2), ("kite", 1), ("mouse", 1)])
def test_imagenet_ambiguous_terms_are_flagged(imagenet, term, n_classes):
    _, lexicon = imagenet
    rows = lexicon.filter(pl.col("term") == term)  # "kite" is also a curated exclusion of the bird
    assert rows.height == n_classes and rows["flagged"].all()
    if n_classes == 1:
        assert rows["flags"].item() == "other_sense" and rows["n_senses"].item() >= 2
        if term == "mouse":  # the computer mouse: the animal has 14 SemCor tags
            assert "mouse.n.01 noun.animal (14 SemCor tags)" in rows["flag_evidence"].item()


@pytest.mark.parametrize("term", ["broccoli", "black bear", "bridegroom", "mushroom", "jersey"])
def test_imagenet_one_visible_thing_under_several_senses_is_not_flagged(imagenet, term):
    _, lexicon = imagenet
    row = lexicon.filter(pl.col("term") == term, pl.col("status") == "counted")
    assert row.height == 1 and not row["flagged"].item() or row["flags"].item() != "", row
    if term in ("broccoli", "black bear", "bridegroom"):  # every sense is the class's thing
        assert (row["flags"].item(), row["sense_share"].item()) == ("", 1.0)


@pytest.mark.parametrize("term, rule", [("fly", "verb_or_adjective"), ("pick", "verb_or_adjective"),
                                        ("site", "other_sense"), ("shade", "other_sense"), ("cricket", "verb_or_adjective")])
def test_imagenet_terms_whose_dominant_sense_is_another_are_flagged_by_a_named_rule(imagenet, term, rule):
    _, lexicon = imagenet
    row = lexicon.filter(pl.col("term") == term, pl.col("status") == "counted").row(0, named=True)
    assert row["flagged"] and rule in row["flags"].split("|") and row["flag_evidence"], row


@pytest.mark.parametrize("text, synset, flagged", [
    ("machine", "car.n.01", True), ("soul", "person.n.01", True), ("wheel", "bicycle.n.01", True),
    ("broccoli", "broccoli.n.02", False), ("groom", "groom.n.03", True), ("bridegroom", "groom.n.03", False),
])
def test_a_synset_lemma_whose_dominant_sense_is_another_synset_is_flagged(imagenet, text, synset, flagged):
    evidence = sense_evidence(text, text, synset)
    assert (evidence["rule"] is not None) == flagged, evidence


def test_seeds_of_both_sides_come_from_wordnet_and_compounds(imagenet):
    classes, lexicon = imagenet
    fly = classes.filter(pl.col("display_name") == "fly")
    seeds = sense_seeds(fly, lexicon.filter(pl.col("class_id").is_in(fly["class_id"].implode())),
                        pl.DataFrame(schema={"class_id": pl.String, "word": pl.String}))
    sides = dict(seeds.select("feature", "side").rows())
    assert sides["dipteran"] == sides["L:house"] == "class"  # a hypernym; "house fly" is a fly
    assert sides["aircraft"] == "other" and sides["R:ball"] == "other"  # the verb's senses; "fly ball" is no insect


def test_imagenet_unambiguous_curation_clears_the_polysemy_flag(imagenet):
    _, lexicon = imagenet
    couch = lexicon.filter(pl.col("term") == "couch").row(0, named=True)
    assert couch["n_senses"] >= 2 and couch["flags"] == "" and not couch["flagged"]


def test_imagenet_parent_concepts_reach_two_levels(imagenet):
    classes, lexicon = imagenet
    parents = hypernym_terms(classes.filter(pl.col("display_name") == "tabby cat"), lexicon)
    assert {"domestic cat", "cat"} <= set(parents["term"].to_list())
    assert "tabby" not in parents["term"].to_list()


@pytest.mark.parametrize("name, variants", [
    ("2012 Tesla Model S Sedan", ["tesla model s sedan", "tesla model s"]),
    ("AM General Hummer SUV 2000", ["am general hummer suv", "am general hummer"]),
    ("2012 Chevrolet Silverado 1500 Extended Cab", ["chevrolet silverado 1500 extended cab", "chevrolet silverado 1500"]),
    ("2012 FIAT 500 Abarth", ["fiat 500 abarth"]),
    ("2007 Volvo XC90 SUV", ["volvo xc90 suv", "volvo xc90"]),
])
def test_car_name_variants(name, variants):
    assert car_name_variants(name) == variants
