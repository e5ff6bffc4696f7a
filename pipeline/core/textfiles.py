"""Reading a whole small text file the user gave (a run, class, curation, accuracy or predictions file): a regular file,
decoded as UTF-8 (a byte-order mark dropped), every failure named with the file and, for bad bytes, the offset."""

from __future__ import annotations

from pathlib import Path

from .errors import FileError


def read_user_text(path: Path, what: str) -> str:
    """The text of `path`; `what` names the file in the messages ("accuracy file", "run file")."""
    if not path.exists():
        raise FileError(path, f"no such {what}")
    if not path.is_file():  # a named pipe would block forever, a folder fails with a bare errno
        raise FileError(path, f"the {what} is not a regular file")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FileError(path, "not valid UTF-8", f"byte {error.start}", value=data[error.start:error.start + 4]) from None
    return text.removeprefix("\ufeff")
