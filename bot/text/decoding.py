"""Turn bytes into text: the one place newsbrief decides what encoding a file or page is in.

In order: a byte-order mark; the charset an HTTP header declares; UTF-8 when the bytes are
valid UTF-8; the charset a page's `<meta>` declares; else a guess (Windows-1252 for Western
text, else charset-normalizer's pick, Latin-1 as a last resort). Decoding never fails: bytes
the chosen codec cannot read become U+FFFD.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

__all__ = ["Decoded", "charset_of", "decode_bytes"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]{1,40})", re.I)
_META_CHARSET = re.compile(rb"""<meta[^<>]{0,200}?charset\s*=\s*["']?\s*([\w.:-]{1,40})""", re.I)
_META_BYTES = 8192
_GUESS_BYTES = 65_536
_FOREIGN_SHARE = 0.3  # more non-ASCII letters than this is not Western text in Windows-1252


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text and how it was read: the codec, and whether it was guessed rather than known."""

    text: str
    codec: str
    guessed: bool = False


def charset_of(content_type: str | None) -> str | None:
    """Read the charset a Content-Type header declares, if it names a known codec."""
    found = _CHARSET.search(content_type or "")
    return _codec(found.group(1)) if found else None


def decode_bytes(data: bytes, *, content_type: str | None = None, html: bool = False) -> Decoded:
    """Decode a file's or page's bytes (see the module docstring for the order of evidence)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return Decoded(data.decode(codec, errors="replace").lstrip("\ufeff"), codec)
    declared = charset_of(content_type)
    if declared is not None:
        return Decoded(data.decode(declared, errors="replace"), declared)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    meta = _meta_charset(data[:_META_BYTES]) if html else None
    if meta is not None and meta != "utf-8":
        return Decoded(data.decode(meta, errors="replace"), meta)
    guess = _guess(data)
    return Decoded(data.decode(guess, errors="replace"), guess, guessed=True)


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _meta_charset(head: bytes) -> str | None:
    found = _META_CHARSET.search(head)
    return _codec(found.group(1).decode("ascii", "replace")) if found else None


def _guess(data: bytes) -> str:
    """Pick Windows-1252 for Western text, else ask charset-normalizer; Latin-1 as last resort."""
    text: str | None
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        letters = [c for c in text if c.isalpha()]
        foreign = sum(1 for c in letters if ord(c) > 127)
        if foreign <= _FOREIGN_SHARE * max(len(letters), 1):
            return "cp1252"
    best = charset_normalizer.from_bytes(data[:_GUESS_BYTES]).best()
    if best is not None and best.encoding:
        return _codec(str(best.encoding)) or "cp1252"
    return "cp1252" if text is not None else "latin-1"
