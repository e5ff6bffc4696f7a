import polars as pl

from pipeline.text.normalize import normalize_documents, normalize_series, normalize_text, write_lemma_shard


def test_plurals_and_case_meet_the_singular():
    assert normalize_text("Two GEESE") == ["two", "goose"]
    assert normalize_text("Great White Sharks!") == ["great", "white", "shark"]


def test_punctuation_apostrophes_and_hyphens_separate_tokens_on_both_sides():
    assert normalize_text("potter's wheel") == ["potter", "s", "wheel"]
    assert normalize_text("jack-o'-lantern") == normalize_text("jack o lantern")


def test_image_placeholder_markup_is_not_a_word_here_only_after_ingest_strips_it():
    # ingest removes <image>; normalize alone would see the word "image"
    assert normalize_text("<image>") == ["image"]


def test_plural_nouns_become_their_singular():
    plurals = {"geese": "goose", "mice": "mouse", "wolves": "wolf", "sharks": "shark", "leaves": "leaf",
               "buses": "bus", "boxes": "box", "churches": "church", "women": "woman", "children": "child",
               "flies": "fly", "labradoodles": "labradoodle"}
    assert {word: normalize_text(word) for word in plurals} == {word: [lemma] for word, lemma in plurals.items()}


def test_verb_forms_and_singulars_ending_in_s_stay_as_they_are():
    # a class is a noun: flying is not fly, stole (stealing) is not a stole, and a singular keeps its s
    for word in ["flying", "paddling", "stealing", "stole", "picked", "bus", "glass", "news", "ibis", "ai", "as", "is"]:
        assert normalize_text(word) == [word]


def test_series_and_documents_keep_row_alignment_with_empty_texts():
    result = normalize_series(pl.Series(["", "a dog", "!!!", "mice"])).to_list()
    assert result == [[], ["a", "dog"], [], ["mouse"]]
    documents = pl.DataFrame({"doc_id": ["x", "y"], "text": ["two dogs", ""]})
    lemmas = normalize_documents(documents)
    assert lemmas["n_words"].to_list() == [2, 0]
    assert lemmas["lemmas"].to_list() == [["two", "dog"], []]


def test_nulls_space_runs_and_a_capital_sigma_either_side_of_a_space():
    texts = [None, "  ", "ΟΔΟΣ ΑΣ", "ΟΔΟΣ'Α ΟΔΟΣ", "two   Sharks\tswim"]
    assert normalize_series(pl.Series(texts)).to_list() == [[], [], ["οδοσ", "ασ"], ["οδοσ", "α", "οδοσ"],
                                                            ["two", "shark", "swim"]]


def test_lemma_shards_keep_the_dictionary_encoded_lists_through_parquet(tmp_path):
    documents = pl.DataFrame({"doc_id": ["x", "y", "z"], "text": ["two dogs", "", "dogs and a dog"]})
    write_lemma_shard(normalize_documents(documents), str(tmp_path / "lemmas.parquet"))
    lemmas = pl.read_parquet(tmp_path / "lemmas.parquet")
    assert lemmas.schema["lemmas"] == pl.List(pl.Categorical)
    assert lemmas["lemmas"].cast(pl.List(pl.String)).to_list() == [["two", "dog"], [], ["dog", "and", "a", "dog"]]


def proper_names(text: str) -> list[str]:
    """The lemmas of the text's proper-name tokens, in order."""
    lemmas = normalize_documents(pl.DataFrame({"doc_id": ["x"], "text": [text]}))
    words = lemmas["lemmas"].cast(pl.List(pl.String))[0].to_list()
    return [words[position] for position in lemmas["proper_names"][0]]


def test_a_capitalized_word_inside_a_sentence_is_a_proper_name():
    lemmas = normalize_documents(pl.DataFrame({"doc_id": ["x", "y"], "text": ["a girl holding a Minnie Mouse doll", "a dog"]}))
    assert lemmas["proper_names"].to_list() == [[4, 5], []]  # positions in the text's lemmas
    assert proper_names('a sign reading "Orange County" by the road') == ["orange", "county"]


def test_a_capital_that_opens_a_sentence_says_nothing_unless_a_name_goes_on():
    assert proper_names("Orange juice in a glass on the table") == []
    assert proper_names("Jersey City is across the river from here") == ["jersey", "city"]
    assert proper_names('the glass was full. "Orange juice" said the label') == []
    assert proper_names("the glass was full: Orange juice again") == []


def test_text_in_capitals_or_title_case_and_acronyms_have_no_proper_names():
    assert proper_names("A MINNIE MOUSE DOLL FOR SALE") == []
    assert proper_names("Minnie Mouse Plush Doll For Kids") == []
    assert proper_names("a TV on the wall next to an ATM") == []


def test_a_line_break_inside_a_piece_opens_a_sentence():
    # pieces are split at spaces only: "mat\nMinnie" is one piece with two tokens
    assert proper_names("a cat on a mat\nMinnie sits there all day") == []
    assert proper_names("a cat on a mat\nMinnie Mouse sits there all day") == ["minnie", "mouse"]
    assert proper_names("a cat on a mat with Minnie sitting there") == ["minnie"]


def test_proper_names_leave_the_lemmas_as_they_were_and_keep_through_parquet(tmp_path):
    texts = ["A girl holding a Minnie Mouse doll.", "Jersey City:\nthe river bank", ""]
    lemmas = normalize_documents(pl.DataFrame({"doc_id": ["x", "y", "z"], "text": texts}))
    assert lemmas["lemmas"].cast(pl.List(pl.String)).to_list() == [normalize_text(text) for text in texts]
    write_lemma_shard(lemmas, str(tmp_path / "lemmas.parquet"))
    shard = pl.read_parquet(tmp_path / "lemmas.parquet")
    assert shard.schema["proper_names"] == pl.List(pl.Int32)
    assert shard["proper_names"].to_list() == [[4, 5], [0, 1], []]
