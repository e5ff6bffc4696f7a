"""Curation files: the reviewed CSVs of `synonyms/` and a run's own, read with the place of every row.

A run's own files are written by whoever brings the class list, not reviewed like the shipped ones, so both
are read by the same checks, and a wrong row is named by its file and line (`where`), here and when the
lexicon finds that it names a class or a term the set does not have.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ..core.errors import ClassfreqError
from ..core.textfiles import read_user_text
from ..text.normalize import normalize_text


@dataclass(frozen=True)
class CurationKind:
    columns: tuple[str, ...]
    #: the columns that identify a row: unique within a file, the text one (`term` or `word`) compared normalized
    key: tuple[str, ...]
    #: whether every row must say why (a `reason`); additions and context words carry an optional `note`
    reasoned: bool

    @property
    def text_column(self) -> str:
        return self.key[-1]


CURATION_KINDS = {
    "additions": CurationKind(("class_id", "term", "note"), ("class_id", "term"), reasoned=False),
    "exclusions": CurationKind(("class_id", "term", "reason"), ("class_id", "term"), reasoned=True),
    "unambiguous": CurationKind(("class_id", "term", "reason"), ("class_id", "term"), reasoned=True),
    "context": CurationKind(("class_id", "word", "note"), ("class_id", "word"), reasoned=False),
    "blocking_compounds": CurationKind(("term", "reason"), ("term",), reasoned=True),
    "generic_terms": CurationKind(("term", "reason"), ("term",), reasoned=True),
    "context_stopwords": CurationKind(("word", "reason"), ("word",), reasoned=True),
}


def read_curation_file(path: Path, kind: str) -> pl.DataFrame:
    """One curation CSV: its columns as text, stripped, and `where` ("<path>: line <n>") for each row.

    Refused with the file, the line and the reason: columns other than the kind's, a row with another number
    of fields, an empty key, a term without a word, a row of a reasoned kind without its reason, a key that an
    earlier row already gave. A byte-order mark (spreadsheets write one) is allowed.
    """
    spec = CURATION_KINDS[kind]
    reader = csv.reader(io.StringIO(read_user_text(path, f"{kind} file"), newline=""))
    rows: list[dict[str, str]] = []
    first_line: dict[tuple[str, ...], int] = {}
    try:
        header = [name.strip() for name in next(reader, [])]
        if sorted(header) != sorted(spec.columns):
            raise ClassfreqError(f"{path}: line 1: the columns of {kind} are {','.join(spec.columns)}, "
                                 f"not {','.join(header) or 'none'}")
        while True:
            line = reader.line_num + 1  # where the record starts: a quoted field may span several lines
            fields = next(reader, None)
            if fields is None:
                break
            if not fields:  # a blank line
                continue
            row = dict(zip(header, (value.strip() for value in fields), strict=False))
            problem = _row_problem(row, len(fields), len(header), spec, kind)
            if problem is not None:
                raise ClassfreqError(f"{path}: line {line}: {problem}")
            key = tuple(row[column] for column in spec.key[:-1]) + (" ".join(normalize_text(row[spec.text_column])),)
            if key in first_line:
                raise ClassfreqError(f"{path}: line {line}: repeats the {'/'.join(spec.key)} of line {first_line[key]}")
            first_line[key] = line
            rows.append({**row, "where": f"{path}: line {line}"})
    except csv.Error as error:
        raise ClassfreqError(f"{path}: line {reader.line_num}: {error}") from None
    return pl.DataFrame(rows, schema={column: pl.String for column in (*spec.columns, "where")}, orient="row")


def _row_problem(row: dict[str, str], n_fields: int, n_columns: int, spec: CurationKind, kind: str) -> str | None:
    if n_fields != n_columns:
        return f"{n_fields} fields where the header has {n_columns}"
    for column in spec.key:
        if not row[column]:
            return f"empty {column}"
    if not normalize_text(row[spec.text_column]):
        return f"{row[spec.text_column]!r} has no words"
    if spec.reasoned and not row["reason"]:
        return f"no reason: every row of {kind} says why"
    return None
