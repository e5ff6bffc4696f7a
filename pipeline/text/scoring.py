"""Scoring raw VLM answers: per-class accuracy of a model that names the class in free text.

A predictions file is JSONL, one evaluated image per line, with the gold label (a class index, wnid
or name) and the generated text — `label` and `pred` in Zhang et al.'s evaluation outputs. Rules:

- `open_world` (default): correct when one of the gold class's lexicon terms occurs in the answer as
  whole normalized tokens, so "two hens" is a hen and "a chicken in the kitchen" is not.
- `substring`: the published rule, `label.lower() in text.lower()`, kept for comparison; it counts
  "hen" inside "kitchen", "then" or "when".
- closed world, automatic when the record carries its options (`choices`): correct when the answer
  names exactly one of the options (whole tokens, longest first) and that one is the gold class.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import polars as pl

from ..core.errors import FileError, InputError
from ..core.textfiles import read_user_text
from .normalize import normalize_text

RULES = ("open_world", "substring")


def read_predictions(path: Path, label_field: str = "label", text_field: str = "pred",
                     choices_field: str = "choices") -> list[dict[str, Any]]:
    """Records {label, text, choices (or None)}; a bad line is an error naming file, line and field, and so is
    a file without a record."""
    records = []
    # split at "\n" only: U+2028 and other line breaks that str.splitlines knows may stand inside a JSON string
    for line_number, line in enumerate(read_user_text(path, "predictions file").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(path, f"line {line_number}", f"not valid JSON: {error}") from None
        except RecursionError:  # json's parser recurses once per level
            raise InputError(path, f"line {line_number}", "nested too deep to be a prediction") from None
        if not isinstance(item, dict):
            raise InputError(path, f"line {line_number}", "expected a JSON object")
        for field in (label_field, text_field):
            if field not in item or item[field] is None:
                raise InputError(path, f"line {line_number}", f"missing (fields: {', '.join(map(str, item))})", field)
        if not isinstance(item[text_field], str):
            raise InputError(path, f"line {line_number}", f"expected text, got {item[text_field]!r}", text_field)
        choices = item.get(choices_field)
        if choices is not None and not (isinstance(choices, list) and all(isinstance(c, str) for c in choices)):
            raise InputError(path, f"line {line_number}", "expected a list of option names", choices_field)
        records.append({"label": str(item[label_field]), "text": item[text_field], "choices": choices})
    if not records:
        raise FileError(path, "no predictions in the file")
    return records


def _occurs(tokens: list[str], term: tuple[str, ...]) -> bool:
    width = len(term)
    return any(tuple(tokens[start:start + width]) == term for start in range(len(tokens) - width + 1))


def open_world_correct(text: str, gold_terms: list[tuple[str, ...]]) -> bool:
    tokens = normalize_text(text)
    return any(_occurs(tokens, term) for term in gold_terms)


def substring_correct(text: str, label: str) -> bool:
    return label.lower() in text.lower()


def named_options(text: str, options: list[str]) -> set[int]:
    """Indices of the options the text names: whole tokens, longest option first, no overlaps."""
    tokens = normalize_text(text)
    forms = [tuple(normalize_text(option)) for option in options]
    taken = [False] * len(tokens)
    named = set()
    for index in sorted(range(len(options)), key=lambda i: (-len(forms[i]), i)):
        width = len(forms[index])
        for start in range(len(tokens) - width + 1) if width else ():
            if tuple(tokens[start:start + width]) == forms[index] and not any(taken[start:start + width]):
                taken[start:start + width] = [True] * width
                named.add(index)
    return named


def class_terms(lexicon: pl.DataFrame) -> dict[str, list[tuple[str, ...]]]:
    terms: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for class_id, term in lexicon.select("class_id", "term").iter_rows():
        terms[class_id].append(tuple(term.split(" ")))
    return terms


def score_records(records: list[dict[str, Any]], resolve, terms: dict[str, list[tuple[str, ...]]],
                  rule: str = "open_world", resolve_option=None) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Pure core: records → per-class {correct, n, label, resolved_by}, and labels that did not resolve.

    `resolve(key) → (class_id or None, how)` is the class resolver the accuracy import uses for gold labels;
    `resolve_option` resolves a closed-world record's options (default: `resolve`).
    """
    resolved: dict[str, tuple[str | None, str]] = {}
    per_class: dict[str, dict[str, Any]] = {}
    unresolved: dict[str, str] = {}
    for record in records:
        label = record["label"]
        if label not in resolved:
            resolved[label] = resolve(label)
        class_id, how = resolved[label]
        if class_id is None:
            unresolved[label] = how
            continue
        if record["choices"] is not None:
            correct = _closed_world_correct(record, class_id, resolve_option or resolve)
        elif rule == "substring":
            correct = substring_correct(record["text"], label)
        else:
            correct = open_world_correct(record["text"], terms.get(class_id, []))
        entry = per_class.setdefault(class_id, {"correct": 0, "n": 0, "label": label, "resolved_by": how})
        entry["correct"] += int(correct)
        entry["n"] += 1
    return per_class, unresolved


def _closed_world_correct(record: dict[str, Any], class_id: str, resolve) -> bool:
    named = named_options(record["text"], record["choices"])
    return len(named) == 1 and resolve(record["choices"][named.pop()])[0] == class_id
