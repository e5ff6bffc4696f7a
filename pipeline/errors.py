"""Errors that reach the user as a message, never as a traceback."""


class ClassfreqError(Exception):
    """A problem the user can fix: the message says what and where."""


class InputError(ClassfreqError):
    """A bad input record: names the file, the record, the field and the reason."""

    def __init__(self, path, record, reason: str, field: str | None = None):
        self.path = str(path)
        self.record = record
        self.field = field
        self.reason = reason
        where = f"{self.path}: record {record}"
        if field:
            where += f", field {field!r}"
        super().__init__(f"{where}: {reason}")
