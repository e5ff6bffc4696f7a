"""WordNet evidence on a term's senses: whether it is really ambiguous, and seed collocations for each sense.

A term is ambiguous for its class when the senses it can take that are *other kinds of thing* outweigh the
class sense. The senses of a term are every WordNet synset of its written or normalized form, nouns, verbs and
adjectives (through WordNet's morphology, so "stole" also has the senses of the verb steal). Each sense weighs
its SemCor tags for the term plus :data:`RANK_PRIOR` / its rank among the term's senses of that part of speech
(WordNet orders them by frequency, so an untagged term still gets an estimate). Senses that are the same
visible thing as the class sense join it (:func:`same_thing`): broccoli the plant and the vegetable, the two
black bears, groom and bridegroom. Proper names (instance synsets, capitalized lemmas: New Jersey, Crane the
poet) are left out: whether a capitalized mention is a name is decided by case, not by the lexicon.

The rules, each named in the lexicon's `flags` column, with the evidence in `flag_evidence`:

- `other_sense`: another noun sense, of another kind, holds more of the weight than the class sense group
  ("machine" for car: machine.n.01 has 33 tags; "site" for website: site.n.01 has 51);
- `verb_or_adjective`: the word's verb or adjective senses outweigh the class sense group ("fly", "pick",
  "orange" the adjective);

A display name or curated term that WordNet lists only under other synsets ("rooster", "beach") is not flagged: the
class list names the class by it, and WordNet gives no evidence of how often it means the class.

`sense_seeds` gives, for each flagged (class, term), seed features of the class sense (its gloss's and hypernyms'
words, its hyponyms' and sister terms' lemmas, the class's other terms) and of the other senses (their lemmas,
gloss words, hypernyms, hyponyms), and neighbour collocations from WordNet's own compounds ("house fly" is a fly;
"fly ball" is not the insect); the count's sense model bootstraps from them over the corpus (sql/sense_model.sql).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import polars as pl

#: Pseudo-tags a sense of rank r among the term's senses of its part of speech gets: RANK_PRIOR / r.
RANK_PRIOR = 1.0
#: The class sense group must hold at least this share of the term's sense weight, else the term is flagged.
CLASS_SHARE = 2 / 3
#: Lexicographer files whose senses name one visible thing: the organism and its food.
SAME_THING_LEXNAMES = (frozenset({"noun.plant", "noun.food"}), frozenset({"noun.animal", "noun.food"}))
#: At most this many lemma words from one relation (hyponyms, sister terms) of one sense become seeds.
SEEDS_PER_RELATION = 60
SEED_SCHEMA = {"class_id": pl.String, "term": pl.String, "feature": pl.String, "side": pl.String}
EVIDENCE_SCHEMA = {"class_id": pl.String, "term": pl.String, "n_senses": pl.Int32, "sense_share": pl.Float64,
                   "rule": pl.String, "flag_evidence": pl.String}
_WORD = re.compile(r"[a-z]+")


def _wn():
    from .wordnet import wordnet

    return wordnet()


def _lemma_variants(text: str) -> set[str]:
    base = "_".join(text.lower().split())
    return {base, base.replace("-", "_"), base.replace("-", "")}


def _is_proper(synset, variants: set[str]) -> bool:
    if synset.instance_hypernyms():
        return True
    names = [lemma.name() for lemma in synset.lemmas() if lemma.name().lower() in variants]
    return bool(names) and all(name[:1].isupper() for name in names)


@functools.cache
def term_senses(variants: frozenset[str]) -> tuple[tuple[object, float, int], ...]:
    """(synset, weight, SemCor tags) for every sense of the written forms `variants`, proper names left out."""
    wn = _wn()
    found: dict[str, tuple[object, float, int]] = {}
    for variant in sorted(variants):
        for pos in ("n", "v", "a", "r"):
            bases = {variant, *wn._morphy(variant, pos)}
            for rank, synset in enumerate(wn.synsets(variant, pos=pos), 1):
                if _is_proper(synset, bases) or synset.name() in found:
                    continue
                tags = sum(lemma.count() for lemma in synset.lemmas() if lemma.name().lower() in bases)
                found[synset.name()] = (synset, tags + RANK_PRIOR / rank, tags)
    return tuple(found.values())


def _hypernym_closure(synset, depth: int) -> set:
    level, seen = [synset], set()
    for _ in range(depth):
        level = [parent for s in level for parent in s.hypernyms() + s.instance_hypernyms()]
        seen.update(level)
    return seen


def same_thing(class_synset, other) -> bool:
    """Whether `other` names the same visible thing as the class sense: the organism and its food (lexicographer
    files noun.plant/noun.food, noun.animal/noun.food), or senses of one lexicographer file that share two lemmas
    (groom, bridegroom), a direct hypernym (the Asiatic and the American black bear) or stand in a hypernym line."""
    if other == class_synset:
        return True
    if other.pos() != "n":
        return False
    pair = frozenset({class_synset.lexname(), other.lexname()})
    if pair in SAME_THING_LEXNAMES:
        return True
    if class_synset.lexname() != other.lexname():
        return False
    shared_lemmas = {l.lower() for l in class_synset.lemma_names()} & {l.lower() for l in other.lemma_names()}
    return (len(shared_lemmas) >= 2 or bool(set(class_synset.hypernyms()) & set(other.hypernyms()))
            or other in _hypernym_closure(class_synset, 3) or class_synset in _hypernym_closure(other, 3))


def sense_evidence(text: str, term: str, class_synset: str) -> dict:
    """n_senses (noun senses), sense_share (the class sense group's share of the weight), rule and evidence."""
    variants = frozenset(_lemma_variants(text) | _lemma_variants(term))
    senses = term_senses(variants)
    n_noun = sum(synset.pos() == "n" for synset, _, _ in senses)
    out = {"n_senses": n_noun, "sense_share": None, "rule": None, "flag_evidence": None}
    if not senses or not class_synset:
        return out
    wn = _wn()
    target = wn.synset(class_synset)
    group = [(s, w, t) for s, w, t in senses if same_thing(target, s)]
    others = [(s, w, t) for s, w, t in senses if not same_thing(target, s)]
    total = sum(w for _, w, _ in senses)
    share = sum(w for _, w, _ in group) / total
    out["sense_share"] = share
    if not others:
        return out
    top, top_weight, top_tags = max(others, key=lambda row: row[1])
    described = f"{top.name()} {top.lexname()} ({top_tags} SemCor tags): {top.definition()[:60]}"
    if not group:
        # a display name or curated term that WordNet lists only under other synsets (rooster, beach): the class
        # list names the class by it, and WordNet says nothing about how often it means the class
        out["sense_share"] = None
    elif share < CLASS_SHARE:
        out["rule"] = "other_sense" if top.pos() == "n" else "verb_or_adjective"
        out["flag_evidence"] = f"class sense {share:.2f} of the weight; other senses {1 - share:.2f}, most {described}"
    return out


def wordnet_sense_evidence(classes: pl.DataFrame, terms: pl.DataFrame) -> pl.DataFrame:
    """Per (class_id, term) of `terms` (class_id, term, text): the columns of :data:`EVIDENCE_SCHEMA`."""
    synsets = terms.join(classes.select("class_id", "synset"), on="class_id")
    rows = [{"class_id": class_id, "term": term, **sense_evidence(text, term, synset)}
            for class_id, term, text, synset in synsets.select("class_id", "term", "text", "synset").iter_rows()]
    return pl.DataFrame(rows, schema=EVIDENCE_SCHEMA, orient="row") if rows else pl.DataFrame(schema=EVIDENCE_SCHEMA)


@functools.cache
def noun_dominant(word: str) -> bool:
    """Whether WordNet's SemCor tags use `word` mostly as a noun ("wing" yes, "large" and "long" no)."""
    senses = _wn().synsets(word)
    if not senses:
        return False
    noun = other = 0
    for synset in senses:
        count = sum(lemma.count() for lemma in synset.lemmas() if lemma.name().lower() == word)
        noun, other = (noun + count, other) if synset.pos() == "n" else (noun, other + count)
    return noun > other if noun + other else senses[0].pos() == "n"


# ---- seeds -----------------------------------------------------------------------------------


def _words(texts: Iterable[str]) -> set[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    from ..text.normalize import noun_lemma

    return {noun_lemma(word) for text in texts for word in _WORD.findall(text.lower().replace("_", " "))
            if len(word) > 2 and word not in STOP_WORDS}


def _lemma_texts(synsets: Iterable) -> list[str]:
    return [lemma.replace("_", " ") for synset in synsets for lemma in synset.lemma_names()]


def _sense_words(synset, own: set[str]) -> set[str]:
    """The words WordNet gives a sense: the nouns of its gloss, the words of its lemmas, of two levels of hypernyms,
    and of a noun sense's hyponyms and sister terms (a verb's troponyms and sisters are other actions, no context)."""
    related = []
    if synset.pos() == "n":
        related = sorted(synset.hyponyms(), key=lambda s: s.name())[:SEEDS_PER_RELATION]
        related += sorted({s for parent in synset.hypernyms() for s in parent.hyponyms()} - {synset},
                          key=lambda s: s.name())[:SEEDS_PER_RELATION]
    gloss = {word for word in _words([synset.definition()]) if noun_dominant(word)}
    names = _words([*_lemma_texts([synset]), *_lemma_texts(_hypernym_closure(synset, 2)), *_lemma_texts(related)])
    return (gloss | names) - own


@functools.cache
def _compound_index() -> dict[str, tuple[str, ...]]:
    """Each word of a WordNet noun compound → the compounds it is in ("fly" → "fly ball", "house fly", ...)."""
    index: dict[str, list[str]] = {}
    for name in _wn().all_lemma_names(pos="n"):
        if "_" in name:
            for word in set(name.lower().split("_")):
                index.setdefault(word, []).append(name.lower())
    return {word: tuple(names) for word, names in index.items()}


def _collocations(term: str, class_group: set[str]) -> list[tuple[str, str]]:
    """(feature, side) from WordNet's two-word noun compounds of the term: a compound that names a kind of the class
    sense ("house fly" under fly the insect, "blood orange" under the fruit) gives its other word as a neighbour
    collocation of the class; one that names anything else ("fly ball", "bathing suit", "orange juice") of the other
    side. Neighbour features are written L:<word> (the word before the term) and R:<word> (the word after)."""
    if " " in term:
        return []
    wn = _wn()
    out = []
    for name in _compound_index().get(term, ()):
        words = name.split("_")
        if len(words) != 2 or term not in words or words[0] == words[1]:
            continue
        feature = f"L:{words[0]}" if words[1] == term else f"R:{words[1]}"
        for synset in wn.synsets(name, pos="n"):
            if synset.instance_hypernyms():
                continue
            lines = {synset.name(), *(s.name() for s in _hypernym_closure(synset, 4))}
            out.append((feature, "class" if lines & class_group else "other"))
    return out


def seeds_for(class_id: str, term: str, text: str, class_synset: str, class_words: set[str]) -> list[tuple]:
    """Seed features (class_id, term, feature, side) of a flagged term: `class_words` (the class's context words and
    its other terms' words) and WordNet's words of the class sense group for side `class`, the words of the other
    senses for side `other`; a word on both sides, or one of the term's own, is no seed."""
    own = set(term.split())
    class_side, other_side, sides = set(class_words) - own, set(), {}
    if class_synset:
        target = _wn().synset(class_synset)
        for synset, _, _ in term_senses(frozenset(_lemma_variants(text) | _lemma_variants(term))):
            if same_thing(target, synset):
                class_side |= _sense_words(synset, own)
                sides[synset.name()] = "class"
            else:
                other_side |= _sense_words(synset, own)
                sides[synset.name()] = "other"
        if target.name() not in sides:
            class_side |= _sense_words(target, own)
            sides[target.name()] = "class"
    both = class_side & other_side
    rows = [(class_id, term, word, "class") for word in sorted(class_side - both)]
    rows += [(class_id, term, word, "other") for word in sorted(other_side - both)]
    colloc = _collocations(term, {name for name, side in sides.items() if side == "class"}) if sides else []
    clash = {f for f, side in colloc if (f, "class" if side == "other" else "other") in colloc}
    rows += [(class_id, term, f, side) for f, side in sorted(set(colloc)) if f not in clash]
    return rows


def sense_seeds(classes: pl.DataFrame, lexicon: pl.DataFrame, class_context: pl.DataFrame) -> pl.DataFrame:
    """Seed features of both sides for every flagged counted (class, term); see :func:`seeds_for`.

    A term shared by several classes also takes the other classes' seeds for its `other` side, so a class
    set without WordNet still separates its classes by their own terms and context words.
    """
    counted = lexicon.filter(pl.col("status") == "counted")
    flagged = counted.filter("flagged").join(classes.select("class_id", "synset"), on="class_id", how="left")
    if flagged.is_empty():
        return pl.DataFrame(schema=SEED_SCHEMA)
    other_terms = counted.filter(~pl.col("flagged")).select("class_id", word=pl.col("term").str.split(" ")).explode("word")
    words_of = (pl.concat([class_context.select("class_id", "word"), other_terms])
                .group_by("class_id").agg(pl.col("word").unique()))
    words = dict(words_of.iter_rows())
    rows = []
    for class_id, term, text, synset in flagged.select("class_id", "term", "text", pl.col("synset").fill_null("")).iter_rows():
        rows += seeds_for(class_id, term, text, synset, set(words.get(class_id, [])))
    seeds = pl.DataFrame(rows, schema=SEED_SCHEMA, orient="row").unique()
    # a shared term: each class's own class-side seeds are the other side for the other classes
    rivals = (seeds.filter(pl.col("side") == "class").select("term", "feature", rival="class_id")
              .join(flagged.select("class_id", "term"), on="term")
              .filter(pl.col("class_id") != pl.col("rival"))
              .select("class_id", "term", "feature", side=pl.lit("other")))
    seeds = pl.concat([seeds, rivals]).unique()
    conflicted = seeds.group_by("class_id", "term", "feature").agg(pl.col("side").n_unique() > 1).filter("side")
    return (seeds.join(conflicted.select("class_id", "term", "feature"), on=["class_id", "term", "feature"], how="anti")
            .sort("class_id", "term", "feature"))
