"""Accuracy: per-class accuracy of one or many models, resolved to the class set's ids.

Class keys resolve by index, wnid, exact display name, exact WordNet lemma name, normalized name,
then a rapidfuzz match above `FUZZY_THRESHOLD`. Accuracy given in percent is detected and scaled to
0–1, and the detected scale is stated in `accuracy_models`. Raw VLM answers (`format =
"predictions"`) are scored per class by `pipeline.text.scoring` and land in the same table, with sample
counts. What does not resolve is listed in `accuracy_unresolved`; the stage fails when more than
`options.max_unresolved_share` of a file's classes do not resolve.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import polars as pl
from rapidfuzz import fuzz, process

from ..core.config import AccuracyInput
from ..core.errors import ClassfreqError, InputError
from ..text.normalize import normalize_series
from ..text.scoring import RULES, class_terms, read_predictions, score_records

FUZZY_THRESHOLD = 90.0
ACCURACY_FORMATS = ("csv", "tsv", "json", "openclip_results", "predictions")
ACCURACY_SCHEMA = {"model": pl.String, "class_id": pl.String, "accuracy": pl.Float64, "n_samples": pl.Int64,
                   "key": pl.String, "resolved_by": pl.String}
MODELS_SCHEMA = {"model": pl.String, "source": pl.String, "scale": pl.String, "scoring": pl.String,
                 "fuzzy_threshold": pl.Float64, "n_keys": pl.Int64, "n_resolved": pl.Int64, "n_unresolved": pl.Int64,
                 "n_records": pl.Int64}
UNRESOLVED_SCHEMA = {"model": pl.String, "source": pl.String, "key": pl.String, "reason": pl.String}
_OPENCLIP_KEY = re.compile(r"^backbone(?P<arch>.+?)_pretrained(?P<data>.+)$")


def model_label(key: str) -> str:
    """`backboneViT-B-32_pretrainedlaion400m` → `ViT-B-32 laion400m`; other names unchanged."""
    found = _OPENCLIP_KEY.match(key)
    return f"{found['arch']} {found['data']}" if found else key


def read_accuracy_file(spec: AccuracyInput) -> dict[str, list[tuple[str, float, int | None]]]:
    """model → ordered [(class key, accuracy, n_samples)] from any supported layout."""
    path = spec.path
    if not path.exists():
        raise ClassfreqError(f"accuracy file not found: {path}")
    fmt = spec.format
    if fmt == "auto":
        fmt = "json" if path.suffix.lower() == ".json" else "csv"
    if fmt in ("csv", "tsv"):
        return {spec.model or path.stem: _read_table(path, spec)}
    if fmt not in ("json", "openclip_results"):
        raise ClassfreqError(f"{path}: unknown accuracy format {fmt!r} (known: {', '.join(ACCURACY_FORMATS)})")
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(path, 0, f"not valid JSON: {error}") from None
    if not isinstance(data, dict) or not data:
        raise InputError(path, 0, "expected a JSON object of class → accuracy, or of model → {classwise: ...}")
    if all(isinstance(value, dict) and "classwise" in value for value in data.values()):
        return {model_label(key): _pairs(path, value["classwise"], key) for key, value in data.items()}
    return {spec.model or path.stem: _pairs(path, data, None)}


def _number(value: Any, path: Path, record: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InputError(path, record, f"expected a number, got {value!r}", field)
    try:
        return float(value)
    except ValueError:
        raise InputError(path, record, f"expected a number, got {value!r}", field) from None


def _pairs(path: Path, classwise: Any, model: str | None) -> list[tuple[str, float, int | None]]:
    if not isinstance(classwise, dict):
        raise InputError(path, model or 0, "expected an object of class → accuracy", "classwise")
    return [(str(key), _number(value, path, model or key, str(key)), None) for key, value in classwise.items()]


def _read_table(path: Path, spec: AccuracyInput) -> list[tuple[str, float, int | None]]:
    delimiter = "\t" if spec.format == "tsv" or path.suffix.lower() == ".tsv" else ","
    class_column = spec.options.get("class_column", "class")
    accuracy_column = spec.options.get("accuracy_column", "accuracy")
    count_column = spec.options.get("count_column", "n")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        for column in (class_column, accuracy_column):
            if column not in (reader.fieldnames or []):
                raise InputError(path, "header", f"no column {column!r} (columns: {', '.join(reader.fieldnames or [])})")
        rows = []
        for line, row in enumerate(reader, start=2):
            count = row.get(count_column)
            rows.append((row[class_column], _number(row[accuracy_column], path, f"line {line}", accuracy_column),
                         int(count) if count not in (None, "") else None))
        return rows


def detect_scale(values: list[float]) -> str:
    """Accuracy is in percent when any value exceeds 1."""
    return "percent" if values and max(values) > 1.0 else "fraction"


class ClassResolver:
    """Resolves class keys to class ids, most exact evidence first, and says how."""

    def __init__(self, classes: pl.DataFrame):
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
        if key.isdigit() and key in self.by_index:
            return self.by_index[key], "index"
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
        return None, "no match"


def resolve_models(
    models: dict[str, list[tuple[str, float, int | None]]], classes: pl.DataFrame, source: str
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Pure core: raw accuracies → (accuracy, per-model summary, unresolved keys)."""
    resolver = ClassResolver(classes)
    rows, summaries, unresolved = [], [], []
    for model, entries in models.items():
        values = [value for _, value, _ in entries]
        scale = detect_scale(values)
        divisor = 100.0 if scale == "percent" else 1.0
        ordered = len(entries) == len(resolver.ids)
        seen: dict[str, str] = {}
        for position, (key, value, samples) in enumerate(entries):
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


def score_predictions(spec: AccuracyInput, classes: pl.DataFrame, lexicon: pl.DataFrame
                      ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """A predictions file → (accuracy, per-model summary, unresolved labels), as `resolve_models` gives."""
    rule = spec.options.get("rule", "open_world")
    if rule not in RULES:
        raise ClassfreqError(f"{spec.path}: unknown scoring rule {rule!r} (known: {', '.join(RULES)})")
    if not spec.path.exists():
        raise ClassfreqError(f"predictions file not found: {spec.path}")
    records = read_predictions(spec.path, spec.options.get("label_field", "label"),
                               spec.options.get("text_field", "pred"), spec.options.get("choices_field", "choices"))
    resolver = ClassResolver(classes)
    per_class, unresolved = score_records(records, resolver.resolve, class_terms(lexicon), rule)
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
    """Stops when a model has more unresolved class keys than `limit` (a share of its keys), naming a few."""
    for model in summary.iter_rows(named=True):
        if model["n_unresolved"] > limit * model["n_keys"]:
            examples = unresolved.filter(pl.col("model") == model["model"])["key"].head(5).to_list()
            raise ClassfreqError(
                f"{model['source']}: {model['n_unresolved']} of {model['n_keys']} classes of model {model['model']!r} "
                f"did not resolve to {class_set} classes (limit {limit:.0%}), e.g. {examples}"
            )
