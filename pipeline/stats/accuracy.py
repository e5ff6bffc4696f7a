"""Accuracy: per-class accuracy of one or many models, resolved to the class set's ids.

Class keys resolve by wnid, exact display name, exact WordNet lemma name, normalized name, then a
rapidfuzz match above `FUZZY_THRESHOLD`; by class index instead only when the [[accuracy]] entry says
`keys = "indices"` (a class set may name its classes "1", "2", "3"). Every value is checked (finite,
0 or more, within its scale); a model's scale is detected (`checked_scale`) or set by the entry's
`scale`, and stated in `accuracy_models`. Raw VLM answers (`format = "predictions"`) are scored per
class by `pipeline.text.scoring` and land in the same table, with sample counts. What does not resolve
is listed in `accuracy_unresolved`; the stage fails when more than `options.max_unresolved_share` of a
model's keys do not resolve.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections import defaultdict
from pathlib import Path
from typing import Any, NamedTuple

import polars as pl
from rapidfuzz import fuzz, process

from ..core.config import AccuracyInput
from ..core.errors import ClassfreqError, FileError, InputError
from ..core.textfiles import read_user_text
from ..text.normalize import normalize_series
from ..text.scoring import class_terms, read_predictions, score_records

FUZZY_THRESHOLD = 90.0
ACCURACY_SCHEMA = {"model": pl.String, "class_id": pl.String, "accuracy": pl.Float64, "n_samples": pl.Int64,
                   "key": pl.String, "resolved_by": pl.String}
MODELS_SCHEMA = {"model": pl.String, "source": pl.String, "scale": pl.String, "scoring": pl.String,
                 "fuzzy_threshold": pl.Float64, "n_keys": pl.Int64, "n_resolved": pl.Int64, "n_unresolved": pl.Int64,
                 "n_records": pl.Int64}
UNRESOLVED_SCHEMA = {"model": pl.String, "source": pl.String, "key": pl.String, "reason": pl.String}
_OPENCLIP_KEY = re.compile(r"^backbone(?P<arch>.+?)_pretrained(?P<data>.+)$")


class Entry(NamedTuple):
    """One class's accuracy as read, and where in the file it was (for messages)."""

    key: str
    accuracy: float
    n_samples: int | None = None
    #: `line N` in a CSV/TSV, `model '<key>'` in the OpenCLIP layout, None in a plain JSON object
    record: str | None = None
    #: the accuracy column, or the class key in JSON
    field: str | None = None


def model_label(key: str) -> str:
    """`backboneViT-B-32_pretrainedlaion400m` → `ViT-B-32 laion400m`; other names unchanged."""
    found = _OPENCLIP_KEY.match(key)
    return f"{found['arch']} {found['data']}" if found else key


class _DuplicateKey(Exception):
    pass


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object that names a key twice would keep only its last value: refused instead."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKey(key)
        found[key] = value
    return found


def read_accuracy_file(spec: AccuracyInput) -> dict[str, list[Entry]]:
    """model → ordered entries from any supported layout."""
    path = spec.path
    if not path.exists():
        raise ClassfreqError(f"accuracy file not found: {path}")
    fmt = spec.format
    if fmt == "auto":
        fmt = "json" if path.suffix.lower() == ".json" else "csv"
    text = read_user_text(path, "accuracy file")
    if fmt in ("csv", "tsv"):
        return {spec.model or path.stem: _read_table(path, text, spec)}
    try:
        data = json.loads(text, object_pairs_hook=_unique_pairs)
    except json.JSONDecodeError as error:
        raise InputError(path, 0, f"not valid JSON: {error}") from None
    except RecursionError:  # json's parser recurses once per level
        raise InputError(path, 0, "nested too deep to be an accuracy file") from None
    except _DuplicateKey as duplicate:
        raise InputError(path, None, "duplicate key in a JSON object (JSON keeps only the last value)",
                         str(duplicate)) from None
    if not isinstance(data, dict) or not data:
        raise InputError(path, 0, "expected a JSON object of class → accuracy, or of model → {classwise: ...}")
    if not all(isinstance(value, dict) and "classwise" in value for value in data.values()):
        return {spec.model or path.stem: _pairs(path, data, None)}
    models: dict[str, list[Entry]] = {}
    first_key: dict[str, str] = {}
    for key, value in data.items():
        label = model_label(key)
        if label in models:
            raise InputError(path, f"model {key!r}", f"names the same model as {first_key[label]!r}", value=label)
        first_key[label], models[label] = key, _pairs(path, value["classwise"], key)
    return models


def _number(value: Any, path: Path, record: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InputError(path, record, f"expected a number, got {value!r}", field)
    try:
        return float(value)
    except ValueError:
        raise InputError(path, record, f"expected a number, got {value!r}", field) from None


def _pairs(path: Path, classwise: Any, model: str | None) -> list[Entry]:
    record = f"model {model!r}" if model is not None else None
    if not isinstance(classwise, dict):
        raise InputError(path, record, "expected an object of class → accuracy", "classwise")
    if not classwise:
        raise InputError(path, record, "no classes", "classwise")
    return [Entry(str(key), _number(value, path, record, str(key)), None, record, str(key))
            for key, value in classwise.items()]


def _samples(value: str | None, path: Path, record: str, field: str) -> int | None:
    if value is None or not value.strip():
        return None
    digits = value.strip()
    if not (digits.isascii() and digits.isdigit()) or int(digits) < 1:
        raise InputError(path, record, "expected a whole number of images (1 or more)", field, value)
    return int(digits)


def _read_table(path: Path, text: str, spec: AccuracyInput) -> list[Entry]:
    delimiter = "\t" if spec.format == "tsv" or path.suffix.lower() == ".tsv" else ","
    class_column, accuracy_column, count_column = spec.class_column, spec.accuracy_column, spec.count_column
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    if reader.fieldnames is None:
        raise FileError(path, "the file is empty")
    repeated = sorted({name for name in reader.fieldnames if reader.fieldnames.count(name) > 1})
    if repeated:  # DictReader would keep the last of them without a word
        raise FileError(path, f"repeated column name {repeated[0]!r}", "header")
    for column in (class_column, accuracy_column):
        if column not in reader.fieldnames:
            raise InputError(path, "header", f"no column {column!r} (columns: {', '.join(reader.fieldnames)})")
    rows, first_line = [], {}
    for row in reader:
        where, key = f"line {reader.line_num}", row[class_column]
        if None in row:  # more values than the header has columns: which is the accuracy is a guess
            raise InputError(path, where, f"has {len(reader.fieldnames) + len(row[None])} columns, the header has "
                                          f"{len(reader.fieldnames)}")
        if key is None or not key.strip():
            raise InputError(path, where, "missing", class_column)
        if key in first_line:
            raise InputError(path, where, f"class key again (first on {first_line[key]})", class_column, key)
        first_line[key] = where
        rows.append(Entry(key, _number(row[accuracy_column], path, where, accuracy_column),
                          _samples(row.get(count_column), path, where, count_column), where, accuracy_column))
    if not rows:
        raise FileError(path, "no accuracy rows after the header")
    return rows


def _bad_value(path: str, entry: Entry, reason: str) -> InputError:
    return InputError(path, entry.record, reason, entry.field, entry.accuracy)


def checked_scale(path: str, entries: list[Entry], declared: str = "auto") -> str:
    """A model's scale, once every value is checked: finite, 0 or more, and at most the scale's top (1 or 100).

    `auto`: a model whose values are all at most 1 is in fractions; one with a value above 1 is in percent,
    unless more than half of its non-zero values are at most 1 — percentages that low are rare, so such a
    model mixes fractions and percentages, and the stage stops rather than guess (the entry's `scale` says).
    """
    for entry in entries:
        if not math.isfinite(entry.accuracy):
            raise _bad_value(path, entry, "not a finite number")
        if entry.accuracy < 0:
            raise _bad_value(path, entry, "below 0")
        if entry.accuracy > 100:
            raise _bad_value(path, entry, "above 100, so neither a fraction nor a percentage")
    above_one = [entry for entry in entries if entry.accuracy > 1]
    if declared == "fraction" and above_one:
        raise _bad_value(path, above_one[0], 'above 1, the top of scale = "fraction"')
    if declared != "auto":
        return declared
    if not above_one:
        return "fraction"
    nonzero = [entry for entry in entries if entry.accuracy > 0]
    small = [entry for entry in nonzero if entry.accuracy <= 1]
    if 2 * len(small) > len(nonzero):
        above = above_one[0]
        where = repr(above.key) + (f" ({above.record})" if above.record else "")
        raise _bad_value(path, small[0], f"mixes fractions and percentages: {len(small)} of {len(nonzero)} non-zero "
                                         f"values are at most 1, and {where} is {above.accuracy:g}; set "
                                         'scale = "fraction" or "percent" on this [[accuracy]] entry')
    return "percent"


def import_accuracy(spec: AccuracyInput, classes: pl.DataFrame, lexicon: pl.DataFrame | None
                    ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """One [[accuracy]] entry → (accuracy, per-model summary, unresolved keys); `lexicon` scores predictions."""
    if spec.format == "predictions":
        return score_predictions(spec, classes, lexicon, spec.keys)
    return resolve_models(read_accuracy_file(spec), classes, str(spec.path), spec.keys, spec.scale)


def check_unique_models(summary: pl.DataFrame) -> None:
    """Two entries (or files) giving the same model name would merge into one model with twice the points."""
    for (model,), group in summary.group_by("model", maintain_order=True):
        if group.height > 1:
            raise ClassfreqError(f"model {model!r} comes from more than one [[accuracy]] entry "
                                 f"({', '.join(group['source'])}): give each its own `model` name")


class ClassResolver:
    """Resolves class keys to class ids, most exact evidence first, and says how: by wnid, then by name
    (`keys = "names"`) or by class index (`keys = "indices"`), never by index when a name could decide."""

    def __init__(self, classes: pl.DataFrame, keys: str = "names"):
        self.keys = keys
        self.ids = classes["class_id"].to_list()
        self.by_index = {str(i): cid for i, cid in zip(classes["class_index"].to_list(), self.ids)}
        self.by_wnid = {w: cid for w, cid in zip(classes["wnid"].to_list(), self.ids) if w}
        self.display = classes["display_name"].to_list()
        self.by_name = self._index(zip(self.display, self.ids))
        lemma_pairs = [(lemma, cid) for lemmas, cid in zip(classes["wordnet_lemmas"].to_list(), self.ids)
                       for lemma in (lemmas or "").split("|") if lemma]
        self.by_lemma = self._index(lemma_pairs)
        normalized = normalize_series(pl.Series(self.display)).list.join(" ").to_list()
        self.by_normalized = self._index(zip(normalized, self.ids))
        self.normalized_names = normalized

    @staticmethod
    def _index(pairs) -> dict[str, list[str]]:
        index: dict[str, list[str]] = defaultdict(list)
        for name, cid in pairs:
            if cid not in index[name.lower()]:
                index[name.lower()].append(cid)
        return index

    def resolve(self, key: str, position: int | None = None) -> tuple[str | None, str]:
        if key in self.by_wnid:
            return self.by_wnid[key], "wnid"
        if self.keys == "names":
            return self.resolve_name(key, position)
        if not (key.isascii() and key.isdigit()):
            return None, "not a class index"
        if key in self.by_index:
            return self.by_index[key], "index"
        return None, f"no class index {key}"

    def resolve_name(self, key: str, position: int | None = None) -> tuple[str | None, str]:
        """By display name, WordNet lemma, normalized name, then the closest normalized name."""
        for method, index in (("name", self.by_name), ("wordnet_lemma", self.by_lemma)):
            found = index.get(key.lower(), [])
            if len(found) == 1:
                return found[0], method
            if len(found) > 1:
                if position is not None and position < len(self.ids) and self.ids[position] in found:
                    return self.ids[position], f"{method}+position"
                return None, f"ambiguous {method}: {len(found)} classes"
        normalized = " ".join(normalize_series(pl.Series([key]))[0].to_list())
        found = self.by_normalized.get(normalized, [])
        if len(found) == 1:
            return found[0], "normalized_name"
        best = process.extractOne(normalized, self.normalized_names, scorer=fuzz.ratio)
        if best and best[1] >= FUZZY_THRESHOLD:
            candidates = self.by_normalized[best[0]]
            if len(candidates) == 1:
                return candidates[0], f"fuzzy:{best[1]:.0f}"
        if key.isascii() and key.isdigit():
            return None, 'no match (class indices need keys = "indices")'
        return None, "no match"


def resolve_models(
    models: dict[str, list[Entry]], classes: pl.DataFrame, source: str, keys: str = "names", declared: str = "auto"
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Pure core: raw accuracies → (accuracy, per-model summary, unresolved keys); a bad value stops it."""
    resolver = ClassResolver(classes, keys)
    rows, summaries, unresolved = [], [], []
    for model, entries in models.items():
        scale = checked_scale(source, entries, declared)
        divisor = 100.0 if scale == "percent" else 1.0
        ordered = len(entries) == len(resolver.ids)
        seen: dict[str, str] = {}
        for position, (key, value, samples, _, _) in enumerate(entries):
            class_id, how = resolver.resolve(key, position if ordered else None)
            if class_id is None or class_id in seen:
                reason = how if class_id is None else f"duplicate of {seen[class_id]!r}"
                unresolved.append({"model": model, "source": source, "key": key, "reason": reason})
                continue
            seen[class_id] = key
            rows.append({"model": model, "class_id": class_id, "accuracy": value / divisor, "n_samples": samples,
                         "key": key, "resolved_by": how})
        summaries.append({"model": model, "source": source, "scale": scale, "scoring": None,
                          "fuzzy_threshold": FUZZY_THRESHOLD, "n_keys": len(entries), "n_resolved": len(seen),
                          "n_unresolved": len(entries) - len(seen), "n_records": None})
    return (pl.DataFrame(rows, schema=ACCURACY_SCHEMA), pl.DataFrame(summaries, schema=MODELS_SCHEMA),
            pl.DataFrame(unresolved, schema=UNRESOLVED_SCHEMA))


def score_predictions(spec: AccuracyInput, classes: pl.DataFrame, lexicon: pl.DataFrame, keys: str = "names"
                      ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """A predictions file → (accuracy, per-model summary, unresolved labels), as `resolve_models` gives."""
    rule = spec.rule
    if not spec.path.exists():
        raise ClassfreqError(f"predictions file not found: {spec.path}")
    records = read_predictions(spec.path, spec.label_field, spec.text_field, spec.choices_field)
    resolver = ClassResolver(classes, keys)
    # the options of a closed-world record are names, whatever the gold labels are
    per_class, unresolved = score_records(records, resolver.resolve, class_terms(lexicon), rule, resolver.resolve_name)
    model, source = spec.model or spec.path.stem, str(spec.path)
    closed = any(record["choices"] is not None for record in records)
    rows = [{"model": model, "class_id": class_id, "accuracy": entry["correct"] / entry["n"], "n_samples": entry["n"],
             "key": entry["label"], "resolved_by": entry["resolved_by"]} for class_id, entry in sorted(per_class.items())]
    summary = {"model": model, "source": source, "scale": "fraction", "scoring": "closed_world" if closed else rule,
               "fuzzy_threshold": FUZZY_THRESHOLD, "n_keys": len(per_class) + len(unresolved),
               "n_resolved": len(per_class), "n_unresolved": len(unresolved), "n_records": len(records)}
    return (pl.DataFrame(rows, schema=ACCURACY_SCHEMA), pl.DataFrame([summary], schema=MODELS_SCHEMA),
            pl.DataFrame([{"model": model, "source": source, "key": key, "reason": reason}
                          for key, reason in sorted(unresolved.items())], schema=UNRESOLVED_SCHEMA))


def check_unresolved_share(summary: pl.DataFrame, unresolved: pl.DataFrame, limit: float, class_set: str) -> None:
    """Stops when a model has more unresolved class keys than `limit` (a share of its keys), naming a few, and when
    no model has a single resolved class (even with `limit` 1): the later stages would have nothing to correlate."""
    for model in summary.iter_rows(named=True):
        if model["n_unresolved"] > limit * model["n_keys"]:
            examples = unresolved.filter(pl.col("model") == model["model"])["key"].head(5).to_list()
            raise ClassfreqError(
                f"{model['source']}: {model['n_unresolved']} of {model['n_keys']} classes of model {model['model']!r} "
                f"did not resolve to {class_set} classes (limit {limit:.0%}), e.g. {examples}"
            )
    if summary["n_resolved"].sum() == 0:
        named = ", ".join(f"{key!r} ({reason})" for key, reason in unresolved.select("key", "reason").head(5).iter_rows())
        raise ClassfreqError(f"no accuracy key of any [[accuracy]] entry resolved to a class of {class_set} (e.g. {named}): "
                             "nothing to correlate")
