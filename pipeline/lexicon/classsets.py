"""Class sets: which classes a benchmark has, their display names and WordNet synsets.

Built-in sets are committed manifests, ``synonyms/<set>/classes.csv``, produced by
``classfreq classsets build`` from registry wheels (read from the zip, never installed):

* ``imagenet1k``: the 1000 wnids in index order from timm (``timm/data/_info/imagenet_synsets.txt``),
  display names from OpenCLIP (``open_clip/zero_shot_metadata.py``, ``IMAGENET_CLASSNAMES``, parsed
  with ``ast``), synsets from the wnid's WordNet 3.0 noun offset;
* ``flowers102``, ``caltech101``: English class names from clip-benchmark
  (``clip_benchmark/datasets/en_classnames.json``, keys ``flowers`` and ``caltech101``), mapped to a
  WordNet noun synset only with evidence (see :func:`map_name`), else left unmapped.

Any other set (StanfordCars, a custom benchmark) comes from a user file, see :func:`load_user_class_file`.

Every set has the columns of :data:`COLUMNS`; missing values are empty strings.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import re
import subprocess
import sys
import unicodedata
import warnings
import zipfile
from pathlib import Path
from typing import Iterable, Sequence

import polars as pl

from ..core.errors import ClassfreqError
from ..core.paths import SYNONYMS_DIR
from ..core.textfiles import read_user_text

COLUMNS = (
    "class_id", "class_index", "wnid", "display_name", "synset",
    "wordnet_lemmas", "gloss", "hypernyms", "mapping",
)
SCHEMA = {c: (pl.Int64 if c == "class_index" else pl.Utf8) for c in COLUMNS}
BUILTIN_SETS = ("imagenet1k", "flowers102", "caltech101")


#: Wheels the built-in manifests come from (pinned, so a rebuild gives the same files).
WHEELS = {"timm": "1.0.31", "open_clip_torch": "3.3.0", "clip-benchmark": "1.6.2"}
TIMM_SYNSETS = "timm/data/_info/imagenet_synsets.txt"
OPENCLIP_METADATA = "open_clip/zero_shot_metadata.py"
CLIP_BENCHMARK_CLASSNAMES = "clip_benchmark/datasets/en_classnames.json"
CLIP_BENCHMARK_KEYS = {"flowers102": "flowers", "caltech101": "caltech101"}

#: rapidfuzz ``fuzz.ratio`` (0-100) a name must reach against a WordNet noun lemma to be mapped
#: by a fuzzy match (and the synset must still pass the set's hypernym check).
FUZZY_THRESHOLD = 92.0
#: When several senses of a name pass a set's hypernym check, the first listed is taken only if its
#: SemCor count for the name is positive and more than this many times every other one's.
SEMCOR_DOMINANCE = 2

MAPPING_WNID = "wnid"
MAPPING_EXACT = "exact_lemma"
MAPPING_EXACT_CHECKED = "exact_lemma+hypernym_check"
MAPPING_FUZZY = "fuzzy"  # written as "fuzzy:<score>"
MAPPING_UNMAPPED = "unmapped"

#: What a synset of a set's class must be: its hypernym closure contains one of ``roots``, and (if
#: given) its lexicographer file is one of ``lexnames``. Sets not listed use ``"default"``.
DOMAIN_CHECKS: dict[str, dict] = {
    "flowers102": {"roots": ("plant.n.02",), "lexnames": ("noun.plant",)},
    "caltech101": {
        "roots": ("physical_entity.n.01",),
        "lexnames": ("noun.animal", "noun.artifact", "noun.plant", "noun.food", "noun.body",
                     "noun.object"),
    },
    "stanfordcars": {"roots": ("motor_vehicle.n.01",), "lexnames": ("noun.artifact",)},
    "default": {"roots": ("physical_entity.n.01",), "lexnames": None},
}

_WNID_RE = re.compile(r"^n\d{8}$")


# --------------------------------------------------------------------------------------------
# small helpers


def slugify(name: str) -> str:
    """Lower-case ASCII, runs of non-alphanumerics to ``_``: ``"Colt's foot"`` -> ``colt_s_foot``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")
    return slug or "class"


def unique_slugs(names: Sequence[str]) -> list[str]:
    """Slugs of ``names``, made unique in order with ``_2``, ``_3``... suffixes."""
    seen: set[str] = set()
    out = []
    for name in names:
        base = slugify(name)
        slug, k = base, 1
        while slug in seen:
            k += 1
            slug = f"{base}_{k}"
        seen.add(slug)
        out.append(slug)
    return out


def _norm_key(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", s.lower())


def _wn():
    from .wordnet import wordnet

    return wordnet()


def synset_from_wnid(wnid: str):
    """The WordNet 3.0 noun synset of an ImageNet wnid (``n01440764`` -> ``tench.n.01``)."""
    if not _WNID_RE.match(wnid):
        raise ClassfreqError(f"not a WordNet noun id (n + 8 digits): {wnid!r}")
    try:
        with warnings.catch_warnings():  # nltk warns, then returns None, for an offset past its data: said below
            warnings.simplefilter("ignore", UserWarning)
            synset = _wn().synset_from_pos_and_offset("n", int(wnid[1:]))
    except Exception as exc:  # nltk raises WordNetError / ValueError for a bad offset
        raise ClassfreqError(f"wnid {wnid!r} is not a WordNet 3.0 noun synset ({exc})") from None
    if synset is None:
        raise ClassfreqError(f"wnid {wnid!r} is not a WordNet 3.0 noun synset")
    return synset


def wnid_of(synset) -> str:
    return f"{synset.pos()}{synset.offset():08d}"


def hypernym_chain(synset) -> str:
    """First lemma names from the nearest hypernym up to the root, joined by ``" > "``.

    Of the synset's hypernym paths the shortest is used, ties broken by the synset names from the
    root down, so the chain is the same in every process (NLTK's path order is not: it follows
    hash-randomized set iteration).
    """
    paths = synset.hypernym_paths()
    if not paths:
        return ""
    path = min(paths, key=lambda p: (len(p), [s.name() for s in p]))
    chain = [s for s in reversed(path) if s != synset]
    return " > ".join(s.lemmas()[0].name().replace("_", " ") for s in chain)


def synset_fields(synset) -> dict[str, str]:
    """The WordNet columns of a class row for ``synset``."""
    return {
        "wnid": wnid_of(synset),
        "synset": synset.name(),
        "wordnet_lemmas": "|".join(l.name().replace("_", " ") for l in synset.lemmas()),
        "gloss": synset.definition(),
        "hypernyms": hypernym_chain(synset),
    }


def _empty_wordnet_fields() -> dict[str, str]:
    return {"wnid": "", "synset": "", "wordnet_lemmas": "", "gloss": "", "hypernyms": ""}


# --------------------------------------------------------------------------------------------
# evidence-based mapping of a display name to a WordNet noun synset


def passes_domain(synset, set_name: str) -> bool:
    """Whether ``synset`` fits the set (hypernym closure and lexicographer file, see DOMAIN_CHECKS)."""
    check = DOMAIN_CHECKS.get(set_name, DOMAIN_CHECKS["default"])
    if check.get("lexnames") and synset.lexname() not in check["lexnames"]:
        return False
    closure = {synset.name()}
    for path in synset.hypernym_paths():
        closure.update(s.name() for s in path)
    return any(root in closure for root in check["roots"])


def _name_variants(name: str) -> list[str]:
    base = " ".join(name.lower().split())
    variants = [base, base.replace("-", " "), base.replace("-", "")]
    out = []
    for v in variants:
        v = v.replace(" ", "_")
        if v and v not in out:
            out.append(v)
    return out


def _exact_synsets(name: str) -> list:
    """Noun synsets having a lemma equal (case-insensitively) to ``name`` or a hyphen variant.

    ``wn.synsets`` also applies morphy (``leaves`` -> ``leaf``); those are filtered out: only an exact
    lemma is evidence here. Sense order is WordNet's (most frequent first).
    """
    wn = _wn()
    out = []
    for variant in _name_variants(name):
        for ss in wn.synsets(variant, pos="n"):
            if ss not in out and any(l.name().lower() == variant for l in ss.lemmas()):
                out.append(ss)
    return out


def _lemma_count(synset, name: str) -> int:
    """SemCor tag count of ``name`` (or a hyphen variant) as a lemma of ``synset``."""
    variants = set(_name_variants(name))
    return sum(l.count() for l in synset.lemmas() if l.name().lower() in variants)


def _choose(candidates: list, name: str, set_name: str):
    """The sense of ``name`` to map to, or None when the evidence does not single one out.

    Only senses passing the set's hypernym check are considered. One passes: it. Several pass: the
    first listed of them, only if its SemCor tag count for this lemma is positive and more than
    :data:`SEMCOR_DOMINANCE` times every other passing sense's (WordNet's frequency evidence);
    otherwise None.
    """
    passing = [ss for ss in candidates if passes_domain(ss, set_name)]
    if len(passing) == 1:
        return passing[0]
    if len(passing) > 1:
        counts = [_lemma_count(ss, name) for ss in passing]
        if counts[0] > 0 and all(counts[0] > SEMCOR_DOMINANCE * c for c in counts[1:]):
            return passing[0]
    return None


_NOUN_LEMMAS: list[str] | None = None


def _noun_lemmas() -> list[str]:
    global _NOUN_LEMMAS
    if _NOUN_LEMMAS is None:
        _NOUN_LEMMAS = sorted({n.replace("_", " ").lower() for n in _wn().all_lemma_names(pos="n")})
    return _NOUN_LEMMAS


def map_name(name: str, set_name: str) -> tuple[object | None, str]:
    """Map a display name to a WordNet noun synset, only with evidence.

    * ``exact_lemma``: a single noun synset has the name as a lemma, and it passes the set's check
      (:data:`DOMAIN_CHECKS`: hypernym closure and lexicographer file);
    * ``exact_lemma+hypernym_check``: several noun senses; exactly one passes the set's check, or
      several pass and the first listed of them has a positive SemCor count for this lemma, more than
      :data:`SEMCOR_DOMINANCE` times every other passing sense's (see :func:`_choose`);
    * ``fuzzy:<score>``: no exact lemma; a single noun lemma is the best rapidfuzz ``ratio`` match,
      at least :data:`FUZZY_THRESHOLD`, and its sense is chosen as above;
    * ``unmapped`` otherwise.
    """
    candidates = _exact_synsets(name)
    if candidates:
        chosen = _choose(candidates, name, set_name)
        if chosen is None:
            return None, MAPPING_UNMAPPED
        return chosen, (MAPPING_EXACT if len(candidates) == 1 else MAPPING_EXACT_CHECKED)
    from rapidfuzz import fuzz, process

    query = " ".join(name.lower().replace("_", " ").split())
    hits = process.extract(query, _noun_lemmas(), scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD,
                           limit=5)
    if not hits:
        return None, MAPPING_UNMAPPED
    best_score = hits[0][1]
    best = sorted({h[0] for h in hits if h[1] == best_score})
    if len(best) != 1:
        return None, MAPPING_UNMAPPED  # several lemmas equally close: no evidence for one
    lemma = best[0]
    fuzzy_candidates = _exact_synsets(lemma)
    chosen = _choose(fuzzy_candidates, lemma, set_name) if fuzzy_candidates else None
    if chosen is None:
        return None, MAPPING_UNMAPPED
    return chosen, f"{MAPPING_FUZZY}:{best_score:.1f}"


# --------------------------------------------------------------------------------------------
# building rows


def rows_from_names(
    names: Sequence[str],
    set_name: str,
    wnids: Sequence[str | None] | None = None,
    class_ids: Sequence[str] | None = None,
    where: Sequence[str] | None = None,
) -> list[dict]:
    """Class rows (dicts with :data:`COLUMNS`) for display names in index order.

    ``wnids``: per name a wnid or empty/None (then the evidence-based mapping is used).
    ``where``: per name a location for error messages (``file: line N``).
    """
    ids = list(class_ids) if class_ids is not None else unique_slugs(names)
    rows = []
    for i, name in enumerate(names):
        wnid = (wnids[i] or "").strip() if wnids is not None else ""
        row = {"class_id": ids[i], "class_index": i, "display_name": name}
        if wnid:
            try:
                ss = synset_from_wnid(wnid)
            except ClassfreqError as exc:
                loc = where[i] if where is not None else f"class {i}"
                raise ClassfreqError(f"{loc}: {exc}") from None
            row.update(synset_fields(ss), mapping=MAPPING_WNID)
        else:
            ss, how = map_name(name, set_name)
            row.update(synset_fields(ss) if ss is not None else _empty_wordnet_fields(), mapping=how)
        rows.append(row)
    return rows


def imagenet_rows(wnids: Sequence[str], names: Sequence[str]) -> list[dict]:
    if len(wnids) != 1000 or len(names) != 1000:
        raise ClassfreqError(f"ImageNet-1k needs 1000 wnids and names, got {len(wnids)} and {len(names)}")
    if len(set(wnids)) != 1000:
        raise ClassfreqError("ImageNet-1k wnids are not unique")
    rows = []
    for i, (wnid, name) in enumerate(zip(wnids, names)):
        row = {"class_id": wnid, "class_index": i, "display_name": name}
        row.update(synset_fields(synset_from_wnid(wnid)), mapping=MAPPING_WNID)
        rows.append(row)
    return rows


def frame(rows: Iterable[dict]) -> pl.DataFrame:
    rows = list(rows)
    data = {c: [r[c] for r in rows] for c in COLUMNS}
    return pl.DataFrame(data, schema=SCHEMA)


def write_csv(rows: Sequence[dict], path: Path) -> None:
    """Write rows deterministically (header, ``\\n`` line ends, UTF-8), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({c: r[c] for c in COLUMNS})
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(buf.getvalue(), encoding="utf-8", newline="")
    tmp.replace(path)


# --------------------------------------------------------------------------------------------
# loading


def _read_manifest(path: Path) -> pl.DataFrame:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ClassfreqError(f"{path}: header must be {','.join(COLUMNS)}, got {reader.fieldnames}")
        rows = []
        for r in reader:
            r = {c: (r.get(c) or "") for c in COLUMNS}
            try:
                r["class_index"] = int(r["class_index"])
            except ValueError:
                raise ClassfreqError(f"{path}: line {reader.line_num}: class_index {r['class_index']!r} "
                                     "is not an integer") from None
            rows.append(r)
    return frame(rows)


def _check_duplicates(names: Sequence[str], where: Sequence[str], path: Path) -> None:
    first: dict[str, str] = {}
    for name, loc in zip(names, where):
        key = " ".join(name.lower().split())
        if key in first:
            raise ClassfreqError(f"{loc}: duplicate class name {name!r} (first at {first[key]}); "
                                 f"class names in {path} must be unique")
        first[key] = loc


def _read_json_names(path: Path, set_name: str | None) -> tuple[list[str], list[str]]:
    try:
        data = json.loads(read_user_text(path, "class file"))
    except ValueError as exc:
        raise ClassfreqError(f"{path}: not valid JSON ({exc})") from None
    except RecursionError:
        raise ClassfreqError(f"{path}: not valid JSON (nested too deeply to read)") from None
    key_used = None
    if isinstance(data, dict) and data and all(isinstance(v, dict) and "classwise" in v for v in data.values()):
        # the OpenCLIP results layout {model: {"full": acc, "classwise": {name: acc}}}: its class names
        key_used = next(iter(data))
        data = list(data[key_used]["classwise"])
    elif isinstance(data, dict):
        # {dataset: {"classes": [...], "templates": [...]}} (openai/CLIP prompts) or
        # {dataset: [...]} (clip-benchmark en_classnames.json): pick the dataset by name.
        wanted = _norm_key(set_name or "")
        aliases = {wanted, wanted.replace("102", ""), wanted + "102"} if wanted else set()
        matches = [k for k in data if _norm_key(k) in aliases]
        if len(matches) != 1:
            raise ClassfreqError(
                f"{path}: cannot tell which dataset is {set_name!r}; keys: {', '.join(map(str, data))}")
        key_used = matches[0]
        data = data[key_used]
        if isinstance(data, dict):
            data = data.get("classes")
    if not isinstance(data, list) or not all(isinstance(x, str) for x in data):
        raise ClassfreqError(f"{path}: expected a list of class names"
                             + (f" under {key_used!r}" if key_used else ""))
    prefix = f"{path}: {key_used}" if key_used else f"{path}"
    where = [f"{prefix} entry {i + 1}" for i in range(len(data))]
    return [x.strip() for x in data], where


def load_user_class_file(path: str | Path, set_name: str | None = None) -> pl.DataFrame:
    """Read a user's class file into the :data:`COLUMNS` schema.

    Formats: ``.txt`` one name per line (blank lines and ``#`` comments skipped); ``.csv``/``.tsv``
    with a ``name`` (or ``display_name``) column and optional ``wnid`` and ``class_id`` columns;
    ``.json`` a list of names, or a mapping of dataset name to names or to ``{"classes": [...]}``
    (openai/CLIP prompts, clip-benchmark), the dataset chosen by ``set_name``, or the OpenCLIP
    results layout (the class names of its first model, so accuracy keys match them exactly). Rows keep file order
    as ``class_index``. A given wnid maps the class (``mapping`` = ``wnid``); otherwise the
    evidence-based mapping of :func:`map_name` is used with ``set_name``'s hypernym check.
    """
    path = Path(path)
    if not path.is_file():
        raise ClassfreqError(f"class file not found: {path}")
    wnids: list[str] | None = None
    class_ids: list[str] | None = None
    suffix = path.suffix.lower()
    if suffix == ".json":
        names, where = _read_json_names(path, set_name)
    elif suffix in (".csv", ".tsv"):
        with io.StringIO(read_user_text(path, "class file"), newline="") as fh:
            reader = csv.DictReader(fh, delimiter="\t" if suffix == ".tsv" else ",")
            fields = [f.strip() for f in (reader.fieldnames or [])]
            # a row read as a dict keeps one of two equal names: the other column would be lost unseen
            repeated = next((f for i, f in enumerate(fields) if f in fields[:i]), None)
            if repeated is not None:
                raise ClassfreqError(f"{path}: header: repeated column name {repeated!r}")
            reader.fieldnames = fields
            name_col = "name" if "name" in fields else "display_name" if "display_name" in fields else None
            if name_col is None:
                raise ClassfreqError(f"{path}: needs a 'name' (or 'display_name') column; has {fields}")
            names, where, wnids, class_ids = [], [], [], []
            for r in reader:
                loc = f"{path}: line {reader.line_num}"
                name = (r.get(name_col) or "").strip()
                if not name:
                    raise ClassfreqError(f"{loc}: empty class name")
                names.append(name)
                where.append(loc)
                wnids.append((r.get("wnid") or "").strip())
                class_ids.append((r.get("class_id") or "").strip())
            if "class_id" not in fields or not any(class_ids):
                class_ids = None
            elif not all(class_ids):
                raise ClassfreqError(f"{path}: class_id is empty on some rows (fill all or none)")
    else:
        names, where = [], []
        with io.StringIO(read_user_text(path, "class file"), newline=None) as fh:
            for n, line in enumerate(fh, 1):
                s = line.strip()
                if s and not s.startswith("#"):
                    names.append(s)
                    where.append(f"{path}: line {n}")
    if not names:
        raise ClassfreqError(f"{path}: no class names")
    _check_duplicates(names, where, path)
    if class_ids is not None:
        _check_duplicates(class_ids, where, path)
    return frame(rows_from_names(names, set_name or "default", wnids, class_ids, where))


def load_class_set(name: str, classes_file: str | Path | None = None) -> pl.DataFrame:
    """A class set as a DataFrame with exactly :data:`COLUMNS` (``class_index`` Int64, others Utf8).

    ``name`` is a built-in set (:data:`BUILTIN_SETS`, read from ``synonyms/<name>/classes.csv``) or,
    with ``classes_file``, any name for a user file (e.g. ``stanfordcars`` with openai/CLIP's
    prompts JSON).
    """
    if classes_file is not None:
        return load_user_class_file(classes_file, set_name=name)
    if name not in BUILTIN_SETS:
        raise ClassfreqError(f"unknown class set {name!r}: built-in sets are {', '.join(BUILTIN_SETS)}; "
                             "give any other set as a class file")
    path = SYNONYMS_DIR / name / "classes.csv"
    if not path.is_file():
        raise ClassfreqError(f"{path} is missing: run `classfreq classsets build --set {name}`")
    return _read_manifest(path)


# --------------------------------------------------------------------------------------------
# the builder (downloads wheels; never run by tests)


def fetch_wheel(package: str, cache: Path) -> Path:
    """The pinned wheel of ``package`` in ``cache``, fetched with ``pip download --no-deps`` if absent."""
    version = WHEELS[package]
    stem = package.replace("-", "_").lower()
    cache.mkdir(parents=True, exist_ok=True)
    hits = sorted(cache.glob(f"{stem}-{version}-*.whl"), key=lambda p: p.name.lower())
    if not hits:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--dest", str(cache), f"{package}=={version}"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise ClassfreqError(f"`{' '.join(cmd)}` failed:\n{proc.stderr.strip()[-2000:]}")
        hits = sorted(cache.glob(f"{stem}-{version}-*.whl"), key=lambda p: p.name.lower())
    if not hits:
        raise ClassfreqError(f"no {package} {version} wheel in {cache} after pip download")
    return hits[0]


def _read_member(wheel: Path, member: str) -> str:
    with zipfile.ZipFile(wheel) as z:
        try:
            return z.read(member).decode("utf-8")
        except KeyError:
            raise ClassfreqError(f"{wheel.name} has no {member}") from None


def openclip_imagenet_classnames(source: str) -> list[str]:
    """``IMAGENET_CLASSNAMES`` from ``zero_shot_metadata.py`` source, parsed with ``ast`` (not imported)."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "IMAGENET_CLASSNAMES" for t in node.targets
        ):
            return [str(x) for x in ast.literal_eval(node.value)]
    raise ClassfreqError("IMAGENET_CLASSNAMES not found in open_clip zero_shot_metadata.py")


def build_set(name: str, cache: Path) -> list[dict]:
    if name == "imagenet1k":
        timm = fetch_wheel("timm", cache)
        oc = fetch_wheel("open_clip_torch", cache)
        wnids = _read_member(timm, TIMM_SYNSETS).split()
        names = openclip_imagenet_classnames(_read_member(oc, OPENCLIP_METADATA))
        return imagenet_rows(wnids, names)
    if name in CLIP_BENCHMARK_KEYS:
        cb = fetch_wheel("clip-benchmark", cache)
        data = json.loads(_read_member(cb, CLIP_BENCHMARK_CLASSNAMES))
        names = data[CLIP_BENCHMARK_KEYS[name]]
        if len(set(names)) != len(names):
            raise ClassfreqError(f"{name}: duplicate class names in clip-benchmark")
        return rows_from_names(names, name)
    raise ClassfreqError(f"no builder for {name!r}; built-in sets are {', '.join(BUILTIN_SETS)}")


def summarize(name: str, rows: Sequence[dict]) -> str:
    counts: dict[str, int] = {}
    for r in rows:
        how = r["mapping"].split(":")[0]
        counts[how] = counts.get(how, 0) + 1
    dup: dict[str, list[int]] = {}
    for r in rows:
        dup.setdefault(r["display_name"], []).append(r["class_index"])
    dups = {k: v for k, v in dup.items() if len(v) > 1}
    parts = ", ".join(f"{k}={v}" for k, v in sorted(counts.items()))
    line = f"{name}: {len(rows)} classes; mapping {parts}"
    if dups:
        line += "; duplicate display names " + "; ".join(f"{k!r} at {v}" for k, v in sorted(dups.items()))
    return line
