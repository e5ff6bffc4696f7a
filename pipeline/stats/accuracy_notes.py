"""What the accuracy import and the correlation left out, said out loud: keys that did not resolve, keys
that named a class twice, each model's scale, and models that have no correlation, with the reason. The
same sentences are the stages' console warnings and the report's."""

from __future__ import annotations

import duckdb

from ..core.sql import sql_frame

EXAMPLES = 5
#: a correlation needs this many classes (see `correlation_row`)
MIN_CLASSES = 3
_SCALES = {"percent": "in percent (divided by 100)", "fraction": "as fractions", "scored": "scored from raw answers"}


def _models(names: list[str], examples: int) -> str:
    shown = ", ".join(repr(name) for name in names[:examples])
    more = f" and {len(names) - examples:,} more" if len(names) > examples else ""
    return f"{len(names):,} model{'s' if len(names) != 1 else ''} ({shown}{more})"


def accuracy_notes(connection: duckdb.DuckDBPyConnection, examples: int = EXAMPLES) -> list[str]:
    """A sentence per model with keys left out (per kind, naming `examples` of them), and one on the scales.

    Models of one file that leave out the same number of keys with the same examples (the 21 CLIP models of
    an OpenCLIP results file) share one sentence."""
    groups: dict[tuple, list[str]] = {}
    for row in sql_frame(connection, "report/accuracy_drops", {"limit": examples}).iter_rows(named=True):
        shown = tuple((item["key"], item["reason"]) for item in row["examples"])
        groups.setdefault((row["source"], row["kind"], row["n_dropped"], row["n_keys"], shown), []).append(row["model"])
    notes = []
    for (source, kind, n_dropped, n_keys, shown), names in groups.items():
        named = ", ".join(f"{key!r} ({reason})" for key, reason in shown)
        what = "named a class another of its keys had already named" if kind == "duplicate" else "did not resolve to a class"
        whose = (f"model {names[0]!r} ({source}): " if len(names) == 1
                 else f"{_models(names, examples)} of {source}, each: ")
        notes.append(f"{whose}{n_dropped:,} of its {n_keys:,} accuracy keys {what} and "
                     f"{'is' if n_dropped == 1 else 'are'} left out, e.g. {named}; all of them: table accuracy_unresolved")
    models = sql_frame(connection, "report/accuracy_models")
    by_scale: dict[str, list[str]] = {}
    for row in models.iter_rows(named=True):
        by_scale.setdefault("scored" if row["scoring"] else row["scale"], []).append(row["model"])
    if by_scale:
        notes.append("accuracy read " + ", ".join(f"{_SCALES[scale]} for {_models(names, examples)}"
                                                  for scale, names in sorted(by_scale.items()))
                     + "; each model's scale: table accuracy_models")
    return notes


def _why_no_correlation(row: dict) -> str:
    points = row["n_points"]
    if row["n_resolved"] == 0:
        return "none of its accuracy keys resolved to a class"
    if points < MIN_CLASSES:
        return (f"only {points} of its classes ha{'s' if points == 1 else 've'} both a frequency and an accuracy "
                f"(a correlation needs {MIN_CLASSES})")
    if row["n_zero"] == points:
        return f"none of its {points:,} classes is mentioned in the text (every frequency is 0)"
    if row["n_frequencies"] == 1:
        return f"all of its {points:,} classes have the same frequency"
    if row["n_accuracies"] == 1:
        return f"its accuracy is the same on all of its {points:,} classes"
    return "its correlation is undefined"


def unusable_model_notes(connection: duckdb.DuckDBPyConnection, examples: int = EXAMPLES) -> list[str]:
    """A sentence per model without a Spearman estimate in the combined scope, saying why; models of one file
    without one for the same reason share a sentence."""
    groups: dict[tuple[str, str], list[str]] = {}
    for row in sql_frame(connection, "report/unusable_models").iter_rows(named=True):
        groups.setdefault((row["source"], _why_no_correlation(row)), []).append(row["model"])
    return [(f"model {names[0]!r} ({source}) has" if len(names) == 1 else f"{_models(names, examples)} of {source} have")
            + f" no correlation of accuracy with frequency: {why}"
            for (source, why), names in groups.items()]
