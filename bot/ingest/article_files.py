"""Read local article files (.txt, .md, .html, .json) into clean `Article`s.

Reading is bounded (a byte cap, never read past) and forgiving about encodings: text that is not
UTF-8 is decoded as the page says or as Windows-1252 (Latin-1 as a last resort), and the article
notes it. What cannot become an article raises `ArticleError` naming the file and the reason;
`load_folder` collects those so one bad file never stops the others.
"""

from __future__ import annotations

import codecs
import json
import logging
import os
import re
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsbrief.bot.errors import ArticleError, UnsupportedFile
from newsbrief.bot.model import Article
from newsbrief.bot.store.storable import display_path
from newsbrief.bot.text.cleaning import (
    CleanText,
    clean_text,
    has_sentence,
    outlet_from_url,
    parse_date,
)
from newsbrief.bot.text.decoding import decode_bytes
from newsbrief.bot.text.html_page import html_to_article_parts, looks_like_html
from newsbrief.bot.text.markup import ELEMENT_TAG
from newsbrief.bot.text.outlets import known_name
from newsbrief.bot.text.sentences import split_sentences

__all__ = [
    "ARTICLE_SUFFIXES",
    "DEFAULT_MAX_BYTES",
    "date_from_name",
    "iter_article_files",
    "load_articles",
    "load_folder",
    "outlet_from_name",
    "read_regular_file",
]

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".html", ".htm", ".json"})
DEFAULT_MAX_BYTES = 5_000_000

_TITLE_CHARS = 100
_TITLE_MIN_WORDS = 3  # a shorter first sentence ("Oops!") opens its headline, not all of it
_SNIFF_BYTES = 8192
_MAGIC = {
    b"%PDF": "PDF",
    b"PK\x03\x04": "ZIP",
    b"\x1f\x8b": "gzip",
    b"\x89PNG": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF8": "GIF",
    b"\x7fELF": "executable",
}
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")
_TEXT_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_SENTENCE = re.compile(r"^.+?[.!?…](?=[\"'”’)\]]*(?:\s|$))")

_TEXT_FIELDS = ("text", "content", "body", "articleBody", "article", "full_text")
_TITLE_FIELDS = ("title", "headline", "name")
_URL_FIELDS = ("url", "link", "canonical_url")
_DATE_FIELDS = ("published", "publishedAt", "published_at", "date", "pubDate", "datePublished")
_SOURCE_FIELDS = ("source", "outlet", "publisher", "site_name")
_LIST_FIELDS = ("articles", "items", "data", "results")


def iter_article_files(folder: Path) -> Iterator[Path]:
    """Yield the article files under folder, sorted, skipping hidden, unknown and special files.

    Named pipes, devices and sockets are never listed: opening a pipe would wait for a writer.
    """
    found: list[Path] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(
            Path(root, name)
            for name in files
            if not name.startswith(".")
            and Path(name).suffix.lower() in ARTICLE_SUFFIXES
            and not _special(Path(root, name))
        )
    yield from sorted(found)


def _special(path: Path) -> bool:
    """Tell whether path is there but not a regular file (a pipe, a device, a socket)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False  # a dangling link, say: reading it will say what is wrong
    if stat.S_ISREG(mode):
        return False
    log.info("skipped %s: not a regular file", display_path(path))
    return True


def read_regular_file(path: Path, limit: int) -> bytes:
    """Read at most `limit` + 1 bytes of a regular file, never blocking on a pipe or device.

    Raises `ArticleError` for anything but a regular file, `OSError` when it cannot be read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if stat.S_ISDIR(mode):
            raise ArticleError(display_path(path), "is a directory, not a file")
        if not stat.S_ISREG(mode):
            raise ArticleError(display_path(path), "not a regular file (a pipe, device or socket)")
        return handle.read(limit + 1)


def load_folder(
    folder: Path, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[list[Article], list[ArticleError]]:
    """Load every article file under folder; report the bad ones instead of stopping."""
    articles: list[Article] = []
    errors: list[ArticleError] = []
    for path in iter_article_files(folder):
        try:
            articles.extend(load_articles(path, max_bytes=max_bytes))
        except ArticleError as error:
            errors.append(error)
    return articles, errors


def load_articles(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, skipped: list[ArticleError] | None = None
) -> list[Article]:
    """Read one file into its articles (a JSON list gives several).

    Items of a JSON list that give no article go to `skipped` when given (else to the log);
    a file that gives none at all raises `ArticleError`.
    """
    where = display_path(path)
    suffix = path.suffix.lower()
    if suffix not in ARTICLE_SUFFIXES:
        expected = ", ".join(sorted(ARTICLE_SUFFIXES))
        raise UnsupportedFile(
            where, f"unsupported file type {suffix or '(none)'!r}; reads {expected}"
        )
    data = _read_capped(path, max_bytes)
    notes: list[str] = []
    text = _decode(data, where, notes, html=suffix in {".html", ".htm"})
    if not text.strip():
        raise ArticleError(where, "empty file")
    if suffix == ".json":
        return _load_json(text, path, notes, skipped)
    if suffix in {".html", ".htm"}:
        parts = html_to_article_parts(text)
    elif looks_like_html(text):
        notes.append(f"HTML inside a {suffix} file, read as HTML")
        parts = html_to_article_parts(text)
    elif suffix == ".md":
        parts = clean_text(markdown_to_text(text))
    else:
        parts = clean_text(text)
    return [_article(parts, where, path, notes)]


# --- reading and decoding ----------------------------------------------------------------------


def _read_capped(path: Path, max_bytes: int) -> bytes:
    try:
        data = read_regular_file(path, max_bytes)
    except IsADirectoryError as error:
        raise ArticleError(display_path(path), "is a directory, not a file") from error
    except OSError as error:
        reason = f"cannot read: {error.strerror or error}"
        raise ArticleError(display_path(path), reason) from error
    if len(data) > max_bytes:
        raise ArticleError(
            display_path(path), f"larger than the {max_bytes:,}-byte cap; not read past the cap"
        )
    return data


def _decode(data: bytes, where: str, notes: list[str], *, html: bool) -> str:
    """Refuse binary files, then decode (see `decode_bytes`), noting anything but UTF-8."""
    if not data.startswith(_TEXT_BOMS):
        sniff = data[:_SNIFF_BYTES]
        for magic, kind in _MAGIC.items():
            if sniff.startswith(magic):
                raise ArticleError(where, f"binary file ({kind}), not text")
        if b"\x00" in sniff or len(_CONTROL_BYTES.findall(sniff)) > 0.05 * max(len(sniff), 1):
            raise ArticleError(where, "binary file (control bytes), not text")
    decoded = decode_bytes(data, html=html)
    if decoded.codec in ("utf-16", "utf-32"):
        notes.append(f"decoded as {decoded.codec.upper()}")
    elif decoded.codec != "utf-8":
        notes.append(f"not UTF-8; decoded as {decoded.codec}")
    return decoded.text


# --- markdown ----------------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
# Every pattern below is linear in its input: bodies exclude the character that would start
# the next match (so an unclosed one scans only up to it), and runs are matched possessively.
_FRONT_FIELD = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")
_FENCES = ("```", "~~~")
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]++(.*)$", re.M)
_SETEXT = re.compile(r"^[ \t]{0,3}(?:=+|-{2,})[ \t]*$", re.M)
_RULE = re.compile(r"^[ \t]{0,3}(?:(?:\*[ \t]*+){3,}+|(?:_[ \t]*+){3,}+|(?:-[ \t]*+){3,}+)$", re.M)
_DESTINATION = r"\((?:[^()]|\([^()]*\))*\)"
_IMAGE = re.compile(rf"!\[[^\[\]]*\]{_DESTINATION}|!\[[^\[\]]*\]\[[^\[\]]*\]")
_LINK = re.compile(rf"\[([^\[\]]+)\]{_DESTINATION}|\[([^\[\]]+)\]\[[^\[\]]*\]")
_REF_DEFINITION = re.compile(r"^[ \t]{0,3}\[[^\[\]\n]+\]:[ \t]*\S+.*$", re.M)
_AUTOLINK = re.compile(r"<(https?://[^<>\s]+)>")
_QUOTE_MARK = re.compile(r"^[ \t]{0,3}(?:>[ \t]?)+", re.M)
_LIST_MARK = re.compile(r"^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+", re.M)
_EMPHASIS = re.compile(
    r"\*\*(?=\S)((?:[^*\n]|\*(?!\*))+?)(?<=\S)\*\*|__(?=\S)((?:[^_\n]|_(?!_))+?)(?<=\S)__"
    r"|~~(?=\S)((?:[^~\n]|~(?!~))+?)(?<=\S)~~|(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?!\*)"
)
_UNDERSCORE = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_CODE = re.compile(r"(?<!`)`++([^`]+)`+")
_TABLE_RULE = re.compile(
    r"^[ \t]*+\|?[ \t]*+:?-{3,}+:?[ \t]*+(?:\|[ \t]*+:?-{3,}+:?[ \t]*+)*+\|?[ \t]*+$", re.M
)
_FRONT_KEYS = {
    "title": "Title",
    "date": "Published",
    "published": "Published",
    "source": "Source",
    "outlet": "Source",
    "url": "URL",
    "link": "URL",
}


def markdown_to_text(text: str) -> str:
    """Strip markdown to plain text: headings, emphasis and links keep their words, images go."""
    header: list[str] = []
    front = _FRONT_MATTER.match(text)
    if front:
        text = text[front.end() :]
        for line in front.group(1).splitlines():
            m = _FRONT_FIELD.match(line)
            if m and m.group(1).lower() in _FRONT_KEYS and m.group(2).strip():
                value = m.group(2).strip().strip("\"'")
                header.append(f"{_FRONT_KEYS[m.group(1).lower()]}: {value}")
    text = _drop_fences(text)
    first = _HEADING.search(text)
    if (
        first
        and not text[: first.start()].strip()
        and not any(h.startswith("Title:") for h in header)
    ):
        header.append(f"Title: {_inline_markdown(_heading_words(first.group(1)))}")
        text = text[first.end() :]
    text = _HEADING.sub(lambda m: _heading_words(m.group(1)), text)
    text = _TABLE_RULE.sub("", text)
    text = _RULE.sub("", text)
    text = _SETEXT.sub("", text)
    text = _REF_DEFINITION.sub("", text)
    text = _QUOTE_MARK.sub("", text)
    text = _LIST_MARK.sub("", text)
    text = _inline_markdown(text).replace("|", " ")
    return "\n\n".join([*header, text]) if header else text


def _drop_fences(text: str) -> str:
    """Drop fenced code blocks: from a line opening with ``` or ~~~ to the next bare fence line."""
    if not any(fence in text for fence in _FENCES):
        return text
    lines = text.split("\n")
    kept: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith(_FENCES):
            close = next(
                (j for j in range(index + 1, len(lines)) if lines[j].rstrip(" \t") in _FENCES),
                None,
            )
            if close is None:  # no bare fence line follows: no later block can close either
                kept.extend(lines[index:])
                break
            kept.append("")
            index = close + 1
            continue
        kept.append(line)
        index += 1
    return "\n".join(kept)


def _heading_words(rest: str) -> str:
    """Keep a heading's words without its closing #s (`## Title ##` -> `Title`)."""
    text = rest.rstrip(" \t")
    unhashed = text.rstrip("#")
    if unhashed != text and unhashed != unhashed.rstrip(" \t"):
        return unhashed.rstrip(" \t")
    return text


def _inline_markdown(text: str) -> str:
    text = _IMAGE.sub("", text)
    text = _LINK.sub(lambda m: m.group(1) or m.group(2), text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    for _ in range(2):  # nested emphasis: ***x*** or **_x_**
        text = _EMPHASIS.sub(lambda m: next(g for g in m.groups() if g is not None), text)
        text = _UNDERSCORE.sub(r"\1", text)
    return ELEMENT_TAG.sub("", text)


# --- json --------------------------------------------------------------------------------------


def _first_str(item: dict[str, Any], fields: tuple[str, ...]) -> str | None:
    for field in fields:
        value = item.get(field)
        if isinstance(value, dict):
            value = value.get("name") or value.get("title")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _load_json(
    text: str, path: Path, notes: list[str], skipped: list[ArticleError] | None
) -> list[Article]:
    where = display_path(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ArticleError(where, f"invalid JSON: {error.msg} at line {error.lineno}") from error
    if isinstance(data, dict) and not _first_str(data, _TEXT_FIELDS):
        data = next((data[k] for k in _LIST_FIELDS if isinstance(data.get(k), list)), data)
    items = data if isinstance(data, list) else [data]
    if not items:
        raise ArticleError(where, "empty JSON list: no articles")
    articles: list[Article] = []
    errors: list[ArticleError] = []
    for index, item in enumerate(items):
        item_where = f"{where}[{index}]" if isinstance(data, list) else where
        try:
            articles.append(_json_article(item, item_where, path, notes))
        except ArticleError as error:
            errors.append(error)
    if not articles:
        raise errors[0]
    if skipped is not None:
        skipped.extend(errors)
    for problem in errors:
        log.info("skipped an article: %s", problem)
    return articles


def _json_article(item: object, where: str, path: Path, notes: list[str]) -> Article:
    if not isinstance(item, dict):
        raise ArticleError(where, f"expected a JSON object, found {type(item).__name__}")
    body = _first_str(item, _TEXT_FIELDS)
    if body is None:
        others = ", ".join(repr(f) for f in _TEXT_FIELDS[1:4])
        raise ArticleError(where, f"missing field 'text' (nor {others}) with the article text")
    url = _first_str(item, _URL_FIELDS)
    item_notes = list(notes)
    if looks_like_html(body):
        item_notes.append("HTML in the JSON text, read as HTML")
        parts = html_to_article_parts(body, url=url)
    else:
        parts = clean_text(body)
    published_raw = _first_str(item, _DATE_FIELDS)
    published = parse_date(published_raw) if published_raw else None
    url = url or parts.url
    parts = CleanText(
        title=_first_str(item, _TITLE_FIELDS) or parts.title,
        body=parts.body,
        published=published or parts.published,
        outlet=_first_str(item, _SOURCE_FIELDS) or parts.outlet or outlet_from_url(url),
        url=url,
    )
    return _article(parts, where, path, item_notes)


# --- building the article ----------------------------------------------------------------------


def _title_from_body(body: str) -> str | None:
    for index, paragraph in enumerate(body.split("\n\n")):
        # "Headline; \nDeck or section label." (an ALL-CAPS kicker before the headline is not it)
        headline = index == 0 and paragraph.endswith(";") and not paragraph.isupper()
        if not _SENTENCE.match(paragraph) and not headline:
            continue
        sentence = split_sentences(paragraph)[0]  # "U.S. growth" does not end it at "U.S."
        if len(sentence.split()) < _TITLE_MIN_WORDS and len(paragraph) <= _TITLE_CHARS:
            sentence = paragraph  # "Oops! Gunplay didn't disrupt GOP convention."
        if len(sentence) <= _TITLE_CHARS:
            return sentence.rstrip(".;")
        cut = sentence[:_TITLE_CHARS].rsplit(" ", 1)[0]
        return cut.rstrip(",;:—- ") + "…"
    return None


# --- hints in a file's name --------------------------------------------------------------------

_NAME_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})-(\d{2})-(\d{2})(?!\d)")
_NAME_OUTLET = re.compile(r"([A-Za-z][A-Za-z-]{0,39})_")


def date_from_name(path: Path) -> datetime | None:
    """Read an ISO date in a file's name (`nyt_2016-10-05_slug.txt`, `2016-10-05-slug.md`)."""
    m = _NAME_DATE.search(path.stem)
    if not m:
        return None
    try:
        return datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), tzinfo=UTC)
    except ValueError:
        return None


def outlet_from_name(path: Path) -> str | None:
    """Read the publisher a scrape names before the date (`huff-post_2016-09-10_slug.txt`)."""
    m = _NAME_DATE.search(path.stem)
    if m is None or date_from_name(path) is None or not path.stem[m.end() :].startswith("_"):
        return None
    token = _NAME_OUTLET.fullmatch(path.stem[: m.start()])
    if token is None:
        return None
    code = token.group(1)
    words = code.replace("-", " ").split()
    plain = " ".join(w.upper() if len(w) <= 3 else w.capitalize() for w in words)
    return known_name(code) or plain or None


def _article(parts: CleanText, where: str, path: Path, notes: list[str]) -> Article:
    if not parts.body.strip():
        raise ArticleError(where, "no article text found")
    if not has_sentence(parts.body):
        raise ArticleError(where, "no sentences: no line of text ends in final punctuation")
    title = parts.title or _title_from_body(parts.body) or path.stem
    return Article(
        title=title,
        text=parts.body,
        outlet=parts.outlet or outlet_from_name(path),
        url=parts.url,
        path=str(path),
        published=parts.published or date_from_name(path),
        notes=tuple(notes),
    )
