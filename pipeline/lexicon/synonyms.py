"""Synonyms: the lexicon of a class set — each class's terms, normalized like the text.

Terms come from the display name, the WordNet synset's lemma names, and curated additions in
`synonyms/<set>/additions.csv`. Curated exclusions (`exclusions.csv`) and blocking compounds
(`synonyms/blocking_compounds.csv`, e.g. "tank top") stay in the lexicon with `status` excluded or
blocked: the matcher still finds them, so they win the longest match and hide the shorter term
inside, and the count stage can show the counts with and without them; they count for no class.

Every counted term is flagged when it is ambiguous: `shared` by several classes of the set, by a rule of
WordNet evidence (`other_sense`, `verb_or_adjective`: see :mod:`.senses`), or `generic` (the curated list
`synonyms/generic_terms.csv`); `flag_evidence` says what each rule found. (Without that evidence, bare sense
counts give the older rule `polysemous`: several noun senses, the class sense under half of the SemCor tags.)
Each class also gets context words (its gloss's nouns, its nearest hypernyms, its display name,
curated `context.csv`) for the `context` policy, and the terms of its WordNet hypernyms for the
hierarchy scope.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ..core.errors import ClassfreqError
from ..core.paths import SYNONYMS_DIR
from ..text.match import match_lemmas, term_index
from ..text.normalize import normalize_series
from .curation import CURATION_KINDS, read_curation_file
from .senses import noun_dominant, sense_seeds, wordnet_sense_evidence

ORIGIN_ORDER = ["display_name", "wordnet", "name_variant", "curated"]
#: A term is polysemous when it has several WordNet noun senses and the class's sense holds less than
#: this share of the lemma's SemCor tags (or the lemma has none, so WordNet gives no evidence).
POLYSEMY_SHARE = 0.5
#: How many hypernyms, nearest first, lend their words to a class's context.
CONTEXT_HYPERNYMS = 3
#: How many levels of WordNet hypernyms count as the class's parent concepts (tabby → domestic cat → cat).
HYPERNYM_SCOPE_DEPTH = 2
SET_CURATION = ("additions", "exclusions", "unambiguous", "context")
SHARED_CURATION = ("blocking_compounds", "generic_terms", "context_stopwords")
LEXICON_SCHEMA = {
    "class_id": pl.String, "term": pl.String, "text": pl.String, "origins": pl.String, "status": pl.String,
    "reason": pl.String, "n_classes": pl.Int32, "n_tokens": pl.Int32, "n_senses": pl.Int32,
    "sense_share": pl.Float64, "generic": pl.Boolean, "flags": pl.String, "flag_evidence": pl.String,
    "flagged": pl.Boolean,
}


@dataclass(frozen=True)
class Curation:
    """The reviewed CSVs that shape a lexicon; any of them may be absent. Read from files, each row also has its
    `where` (file and line), which errors name."""

    additions: pl.DataFrame | None = None  # class_id, term, note
    exclusions: pl.DataFrame | None = None  # class_id, term, reason
    unambiguous: pl.DataFrame | None = None  # class_id, term, reason: not polysemous or generic in captions
    context: pl.DataFrame | None = None  # class_id, word, note
    blocking_compounds: pl.DataFrame | None = None  # term, reason
    generic_terms: pl.DataFrame | None = None  # term, reason
    context_stopwords: pl.DataFrame | None = None  # word, reason


def curation_paths(class_set: str) -> dict[str, Path]:
    paths = {kind: SYNONYMS_DIR / class_set / f"{kind}.csv" for kind in SET_CURATION}
    paths.update({kind: SYNONYMS_DIR / f"{kind}.csv" for kind in SHARED_CURATION})
    return paths


def read_curation(class_set: str, run_files: Mapping[str, Path] | None = None) -> Curation:
    """The shipped curation of a class set, with a run's own files (its `[curation]`, by kind) added to it.

    A run's row replaces a shipped row with the same key, so a run can give its own reason for a shipped
    exclusion or compound without the two rows counting twice.
    """
    run_files = run_files or {}
    frames = {}
    for kind, shipped in curation_paths(class_set).items():
        # the run's file last: its rows are the ones kept
        paths = ([shipped] if shipped.exists() else []) + ([run_files[kind]] if kind in run_files else [])
        if not paths:
            continue
        spec = CURATION_KINDS[kind]
        frame = pl.concat([read_curation_file(path, kind) for path in paths])
        frames[kind] = (
            frame.with_columns(_normalized=normalized(frame[spec.text_column]))
            .unique([*spec.key[:-1], "_normalized"], keep="last", maintain_order=True)
            .drop("_normalized")
        )
    return Curation(**frames)


def normalized(texts: pl.Series) -> pl.Series:
    return normalize_series(texts).list.join(" ")


#: Body styles that end a car model's name ("... Crew Cab"), longest first.
CAR_BODY_STYLES = ("crew cab", "regular cab", "extended cab", "quad cab", "club cab", "supercab", "cargo van",
                   "passenger van", "minivan", "van", "sedan", "suv", "coupe", "convertible", "hatchback", "wagon", "cab")
_YEAR = re.compile(r"^(?:(?:19|20)\d\d\s+)?(.*?)(?:\s+(?:19|20)\d\d)?$")


def car_name_variants(name: str) -> list[str]:
    """How a caption names a car class: without the year, and also without the body style.

    ``"2012 Tesla Model S Sedan"`` -> ``["tesla model s sedan", "tesla model s"]``; a variant that
    leaves a single word (just the make) is no evidence of the model and is left out.
    """
    bare = _YEAR.match(" ".join(name.split())).group(1).lower()
    variants = [bare]
    style = next((style for style in CAR_BODY_STYLES if bare.endswith(" " + style)), None)
    if style:
        variants.append(bare[: -len(style) - 1])
    return [variant for variant in variants if len(variant.split()) >= 2 and variant != name.lower()]


#: Class sets whose display names are rewritten the way text names them (origin `name_variant`).
NAME_VARIANTS: dict[str, Callable[[str], list[str]]] = {"stanfordcars": car_name_variants}


def candidate_terms(
    classes: pl.DataFrame, additions: pl.DataFrame | None = None, name_variants: Callable[[str], list[str]] | None = None
) -> pl.DataFrame:
    """Every (class_id, text, origin) before normalization."""
    display = classes.select("class_id", text="display_name", origin=pl.lit("display_name"))
    wordnet = (
        classes.select("class_id", text=pl.col("wordnet_lemmas").str.split("|"))
        .explode("text")
        .filter(pl.col("text").str.strip_chars() != "")
        .with_columns(origin=pl.lit("wordnet"))
    )
    parts = [display, wordnet]
    if name_variants is not None:
        variants = classes.select("class_id", text=pl.col("display_name").map_elements(name_variants, pl.List(pl.String)))
        parts.append(variants.explode("text").drop_nulls("text").with_columns(origin=pl.lit("name_variant")))
    if additions is not None and not additions.is_empty():
        parts.append(additions.select("class_id", text="term", origin=pl.lit("curated")))
    return pl.concat(parts, how="vertical_relaxed")


def _refusal(kind: str, rows: pl.DataFrame, problem: str) -> ClassfreqError:
    """Curation rows the class set contradicts: the first by its file and line (`where`, from
    :func:`read_curation`), and how many more there are."""
    first = rows.row(0, named=True)
    where = first.get("where") or f"synonyms {kind}.csv"
    more = f" (and {rows.height - 1} more rows like it)" if rows.height > 1 else ""
    return ClassfreqError(f"{where}: {problem.format(**first)}{more}")


def _check_class_ids(frame: pl.DataFrame | None, classes: pl.DataFrame, kind: str) -> None:
    if frame is None:
        return
    unknown = frame.join(classes.select("class_id"), on="class_id", how="anti")
    if unknown.height:
        raise _refusal(kind, unknown, "names class {class_id!r}, which this class set does not have")


def build_lexicon(
    classes: pl.DataFrame, curation: Curation = Curation(), senses: pl.DataFrame | None = None,
    name_variants: Callable[[str], list[str]] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Pure core: class table + curation (+ WordNet sense statistics) → (lexicon, dropped terms).

    The lexicon has one row per (class_id, term): `term` is the normalized form the matcher looks
    for, `text` the first written form, `origins` every source that gave it, `status` counted,
    excluded or blocked (with the curated `reason`), `n_classes` how many classes count the term,
    and the ambiguity flags. `senses` (class_id, term, n_senses, sense_share) comes from
    :func:`.senses.wordnet_sense_evidence` (with its `rule` and `flag_evidence`); without it no term is flagged but
    `shared` and `generic`. `name_variants` rewrites display
    names the way text names them (see :data:`NAME_VARIANTS`).
    """
    _check_class_ids(curation.additions, classes, "additions")
    _check_class_ids(curation.exclusions, classes, "exclusions")
    _check_class_ids(curation.unambiguous, classes, "unambiguous")
    raw = candidate_terms(classes, curation.additions, name_variants)
    raw = raw.with_columns(term=normalized(raw["text"]))
    dropped = raw.filter(pl.col("term") == "").select("class_id", "text", "origin", reason=pl.lit("no word characters"))
    rank = {origin: index for index, origin in enumerate(ORIGIN_ORDER)}
    terms = (
        raw.filter(pl.col("term") != "")
        .with_columns(rank=pl.col("origin").replace_strict(rank, return_dtype=pl.Int32))
        .sort(["class_id", "term", "rank"])
        .group_by(["class_id", "term"], maintain_order=True)
        .agg(text=pl.col("text").first(), origins=pl.col("origin").unique(maintain_order=True).str.join("|"))
        .with_columns(status=pl.lit("counted"), reason=pl.lit(None, pl.String))
    )
    terms = _apply_exclusions(terms, curation.exclusions)
    terms = _flag(terms, senses, _normalized_set(curation.generic_terms), curation.unambiguous)
    terms, blocked = blocking_rows(terms, curation.blocking_compounds)
    lexicon = pl.concat([terms, blocked], how="diagonal_relaxed").select(list(LEXICON_SCHEMA)).with_columns(
        pl.col("generic", "flagged").fill_null(False), pl.col("flags").fill_null("")
    )
    return lexicon.cast(LEXICON_SCHEMA).sort(["class_id", "term"]), dropped


def _apply_exclusions(terms: pl.DataFrame, exclusions: pl.DataFrame | None) -> pl.DataFrame:
    if exclusions is None or exclusions.is_empty():
        return terms
    excluded = exclusions.with_columns(text=pl.col("term"), term=normalized(exclusions["term"]))
    stale = excluded.join(terms, on=["class_id", "term"], how="anti")
    if stale.height:
        raise _refusal("exclusions", stale, "excludes {text!r}, which is not a term of class {class_id!r}")
    return (
        terms.join(excluded.select("class_id", "term", "reason"), on=["class_id", "term"], how="left", suffix="_excluded")
        .with_columns(
            status=pl.when(pl.col("reason_excluded").is_not_null()).then(pl.lit("excluded")).otherwise("status"),
            reason=pl.coalesce("reason_excluded", "reason"),
        )
        .drop("reason_excluded")
    )


def _normalized_set(frame: pl.DataFrame | None, column: str = "term") -> list[str]:
    return [] if frame is None or frame.is_empty() else normalized(frame[column]).unique().to_list()


def _flag(terms: pl.DataFrame, senses: pl.DataFrame | None, generic_terms: list[str],
          unambiguous: pl.DataFrame | None) -> pl.DataFrame:
    """Adds n_classes, n_tokens, n_senses, sense_share, generic, flags, flagged.

    Curated `unambiguous` rows overrule WordNet and the generic list (captions use "couch" for the
    couch, whatever SemCor says); a term shared by several classes stays flagged.
    """
    confirmed = pl.DataFrame(schema={"class_id": pl.String, "term": pl.String})
    if unambiguous is not None and not unambiguous.is_empty():
        confirmed = unambiguous.select("class_id", term=normalized(unambiguous["term"]))
    shared = terms.filter(pl.col("status") == "counted").group_by("term").agg(n_classes=pl.col("class_id").n_unique().cast(pl.Int32))
    if senses is None:
        senses = pl.DataFrame(schema={"class_id": pl.String, "term": pl.String, "n_senses": pl.Int32,
                                      "sense_share": pl.Float64})
    if "rule" not in senses.columns:  # bare sense counts: the share rule alone (polysemous)
        senses = senses.with_columns(
            rule=pl.when((pl.col("n_senses") > 1) & (pl.col("sense_share").is_null() | (pl.col("sense_share") < POLYSEMY_SHARE)))
            .then(pl.lit("polysemous")),
            flag_evidence=pl.lit(None, pl.String))
    flagged = (
        terms.join(shared, on="term", how="left")
        .join(senses.select("class_id", "term", "n_senses", "sense_share", "rule", "flag_evidence"),
              on=["class_id", "term"], how="left")
        .with_columns(
            n_classes=pl.col("n_classes").fill_null(0),
            n_tokens=(pl.col("term").str.count_matches(" ") + 1).cast(pl.Int32),
            n_senses=pl.col("n_senses").fill_null(0),
            generic=pl.col("term").is_in(generic_terms),
            confirmed=pl.struct("class_id", "term").is_in(confirmed.select(pl.struct("class_id", "term")).to_series().implode()),
        )
        .with_columns(
            flags=pl.concat_str(
                pl.when(pl.col("n_classes") > 1).then(pl.lit("shared")),
                pl.when(~pl.col("confirmed")).then(pl.col("rule")),
                pl.when(pl.col("generic") & ~pl.col("confirmed")).then(pl.lit("generic")),
                separator="|", ignore_nulls=True,
            ),
            flag_evidence=pl.concat_str(
                pl.when(pl.col("n_classes") > 1).then(pl.format("counted by {} classes", pl.col("n_classes"))),
                pl.when(~pl.col("confirmed")).then(pl.col("flag_evidence")),
                pl.when(pl.col("generic") & ~pl.col("confirmed")).then(pl.lit("on the curated generic list")),
                separator="; ", ignore_nulls=True,
            ),
        )
        .drop("rule")
    )
    return flagged.with_columns(flagged=pl.col("flags") != "").drop("confirmed")


def blocking_rows(terms: pl.DataFrame, compounds: pl.DataFrame | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The terms, and lexicon rows for the blocking compounds that hide a counted term of this set.

    A compound ("tank top") gets one row per class whose term it hides ("tank": military tank),
    with status blocked: the matcher prefers it as the longer match, and the count drops it.
    Compounds that hide no term of the set are left out (they would only slow the matcher).
    A class term beats a compound: one that is a counted term of the set ("baseball bat" in a set with that
    class) is not applied, and the term's `reason` says so. Being the same longer match, the class term still
    hides the terms inside it ("baseball").
    """
    empty = terms.clear().select("class_id", "term", "text", "origins", "status", "reason")
    if compounds is None or compounds.is_empty():
        return terms, empty
    compounds = compounds.select(text="term", reason="reason").with_columns(term=normalized(compounds["term"]))
    counted = terms.filter(pl.col("status") == "counted")
    gave_way = compounds.join(counted.select("class_id", "term"), on="term").select(
        "class_id", "term", note=pl.format("blocking compound '{}' not applied: it is a class term of {}", "text", "class_id"))
    terms = (terms.join(gave_way, on=["class_id", "term"], how="left")
             .with_columns(reason=pl.coalesce("reason", "note")).drop("note"))
    compounds = compounds.join(gave_way, on="term", how="anti")
    lemma_rows = compounds.select(doc_id="term", lemmas=pl.col("term").str.split(" "))
    hidden = match_lemmas(lemma_rows, term_index(counted))
    if hidden.is_empty():
        return terms, empty
    return terms, (
        hidden.select(pl.col("doc_id").alias("compound"), hidden_term="term")
        .join(counted.select("class_id", hidden_term="term"), on="hidden_term")
        .join(compounds, left_on="compound", right_on="term")
        .select("class_id", term="compound", text="text", origins=pl.lit("blocking_compound"),
                status=pl.lit("blocked"), reason="reason")
        .unique(["class_id", "term"])
    )


def class_context(
    classes: pl.DataFrame, lexicon: pl.DataFrame, curation: Curation = Curation(),
    is_noun: Callable[[str], bool] = noun_dominant,
) -> pl.DataFrame:
    """Pure core given `is_noun`: per class, the words whose presence confirms a flagged term's class sense.

    Nouns of the gloss and of the display name, the words of the nearest :data:`CONTEXT_HYPERNYMS`
    hypernyms, and curated `context.csv` words; minus stop words, curated `context_stopwords.csv`,
    and the words of the class's flagged terms (a term never confirms itself).
    """
    from spacy.lang.en.stop_words import STOP_WORDS

    hypernyms = pl.col("hypernyms").str.split(" > ").list.head(CONTEXT_HYPERNYMS).list.join(" ")
    sources = pl.concat([
        classes.select("class_id", text="gloss", origin=pl.lit("gloss")),
        classes.select("class_id", text=hypernyms, origin=pl.lit("hypernym")),
        classes.select("class_id", text="display_name", origin=pl.lit("display_name")),
    ])
    if curation.context is not None and not curation.context.is_empty():
        _check_class_ids(curation.context, classes, "context")
        sources = pl.concat([sources, curation.context.select("class_id", text="word", origin=pl.lit("curated"))])
    words = (
        sources.with_columns(word=normalize_series(sources["text"]))
        .explode("word")
        .drop_nulls("word")
        .filter(~pl.col("word").is_in(list(STOP_WORDS) + _normalized_set(curation.context_stopwords, "word")),
                pl.col("word").str.len_chars() > 2)
    )
    nouns = {word for word in words["word"].unique().to_list() if is_noun(word)}
    keep = (pl.col("origin") == "curated") | (pl.col("origin") == "hypernym") | pl.col("word").is_in(list(nouns))
    own_words = lexicon.filter("flagged").select("class_id", word=pl.col("term").str.split(" ")).explode("word")
    return (
        words.filter(keep)
        .join(own_words, on=["class_id", "word"], how="anti")
        .group_by(["class_id", "word"], maintain_order=True)
        .agg(origins=pl.col("origin").unique(maintain_order=True).str.join("|"))
        .sort(["class_id", "word"])
    )


def hypernym_terms(classes: pl.DataFrame, lexicon: pl.DataFrame, depth: int = HYPERNYM_SCOPE_DEPTH) -> pl.DataFrame:
    """Per class, the lemma names of its WordNet hypernyms up to `depth` levels ("cat" for tabby), normalized.

    A class's own terms are left out: a mention of them is a mention of the class, not of its parent.
    """
    from .wordnet import wordnet

    wn = wordnet()
    rows = []
    for class_id, synset_name in classes.filter(pl.col("synset") != "").select("class_id", "synset").iter_rows():
        level = [wn.synset(synset_name)]
        for distance in range(1, depth + 1):
            level = [parent for synset in level for parent in synset.hypernyms() + synset.instance_hypernyms()]
            rows += [(class_id, lemma.name().replace("_", " "), distance) for synset in level for lemma in synset.lemmas()]
    frame = pl.DataFrame(rows, schema={"class_id": pl.String, "text": pl.String, "depth": pl.Int32}, orient="row")
    frame = frame.with_columns(term=normalized(frame["text"])).filter(pl.col("term") != "")
    return (
        frame.sort("depth").unique(["class_id", "term"], keep="first", maintain_order=True)
        .join(lexicon.select("class_id", "term"), on=["class_id", "term"], how="anti")
        .select("class_id", "term", "text", "depth")
        .sort(["class_id", "term"])
    )


def class_set_lexicon(classes: pl.DataFrame, curation: Curation,
                      name_variants: Callable[[str], list[str]] | None = None) -> dict[str, pl.DataFrame]:
    """Pure core of the synonyms stage: a class set's lexicon and the tables that go with it. Two passes:
    the terms first, then their WordNet sense statistics (which need the terms) decide the flags."""
    unflagged, _ = build_lexicon(classes, curation, name_variants=name_variants)
    senses = wordnet_sense_evidence(classes, unflagged.filter(pl.col("status") != "blocked").select("class_id", "term", "text"))
    lexicon, dropped = build_lexicon(classes, curation, senses, name_variants)
    context = class_context(classes, lexicon, curation)
    return {"classes": classes, "lexicon": lexicon, "dropped_terms": dropped, "class_context": context,
            "hypernym_terms": hypernym_terms(classes, lexicon), "sense_seeds": sense_seeds(classes, lexicon, context)}


def lexicon_summary(classes: pl.DataFrame, lexicon: pl.DataFrame) -> dict[str, int]:
    """What the manifest reports of a lexicon: classes left without a counted term, shared, flagged, excluded
    and blocked terms."""
    counted = lexicon.filter(pl.col("status") == "counted")
    return {
        "classes_without_terms": classes.join(counted, on="class_id", how="anti").height,
        "shared_terms": counted.filter(pl.col("n_classes") > 1)["term"].n_unique(),
        "flagged_terms": counted.filter("flagged").height,
        "excluded_terms": lexicon.filter(pl.col("status") == "excluded").height,
        "blocking_compounds": lexicon.filter(pl.col("status") == "blocked")["term"].n_unique(),
    }
