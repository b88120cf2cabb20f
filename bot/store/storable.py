"""Make text storable on SQLite and PostgreSQL alike: no NUL, no lone surrogate, within limits.

The store refuses what these functions remove (PostgreSQL refuses NUL in text, every driver
refuses a lone surrogate, PostgreSQL enforces column widths), so everything that comes from
outside passes here before it reaches a table.
"""

from __future__ import annotations

import hashlib
import os
import re

__all__ = ["display_path", "storable", "storable_key", "storable_line"]

_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
_HASH_CHARS = 64


def storable(text: str) -> str:
    """Drop NUL characters and replace lone surrogates with U+FFFD."""
    if not _UNSTORABLE.search(text):
        return text
    return _UNSTORABLE.sub(lambda m: "" if m.group(0) == "\x00" else "\ufffd", text)


def storable_line(text: str, limit: int) -> str:
    """Make a one-line field storable and at most `limit` characters, cut with an ellipsis."""
    text = storable(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def storable_key(text: str, limit: int) -> str:
    """Make a unique key storable in `limit` characters: a longer one keeps its start and a hash."""
    text = storable(text)
    if len(text) <= limit:
        return text
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return f"{text[: limit - _HASH_CHARS - 1]}#{digest}"


def display_path(path: str | os.PathLike[str]) -> str:
    """Show a file name as text: bytes that are not UTF-8 written as `\\xe9` escapes."""
    raw = os.fspath(path)
    try:
        return storable(os.fsencode(raw).decode("utf-8", "backslashreplace"))
    except UnicodeError:
        return storable(raw)
