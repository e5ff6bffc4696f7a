"""Errors that reach the user as a message, never as a traceback."""

from __future__ import annotations

from typing import Any

VALUE_EXCERPT_CHARS = 120


def excerpt(value: Any, limit: int = VALUE_EXCERPT_CHARS) -> str:
    """A short, printable rendering of an offending value: repr escapes control characters and bad bytes."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ClassfreqError(Exception):
    """A problem the user can fix: the message says what and where."""


class InputError(ClassfreqError):
    """A bad input record: names the file, the record (an index, or a label such as "line 7"), the field and the reason.

    `reason` is one of a small set of phrases, so rejects can be counted per reason; the offending
    value, when there is one, travels separately as `value` (an excerpt). `detail` ("at byte 57", "(first at
    record 3)") is shown after the reason in the message but kept out of it, for the same reason.
    """

    def __init__(self, path, record, reason: str, field: str | None = None, value: Any = None, detail: str | None = None):
        self.path = str(path)
        self.record = record if isinstance(record, str | None) else f"record {record}"
        self.field = field
        self.reason = reason
        self.value = None if value is None else excerpt(value)
        self.detail = detail
        super().__init__(self._message())

    def _message(self) -> str:
        where = ", ".join(part for part in (self.record, self.field and f"field {self.field!r}") if part)
        message = f"{self.path}: {where + ': ' if where else ''}{self.reason}"
        if self.detail:
            message += f" {self.detail}"
        if self.value is not None:
            message += f": {self.value}"
        return message

    def detailed(self, detail: str) -> InputError:
        """This error, its message saying more about where (known only to the reader, not to the record's builder)."""
        self.detail = detail
        self.args = (self._message(),)
        return self

    def as_row(self) -> dict[str, str | None]:
        return {"path": self.path, "record": self.record, "field": self.field, "reason": self.reason, "value": self.value}


class FileError(InputError):
    """The file as a whole cannot be read as its format (empty, wrong schema, missing column): fails under every input policy."""

    def __init__(self, path, reason: str, where: str | None = None, field: str | None = None, value: Any = None):
        super().__init__(path, where, reason, field, value)
