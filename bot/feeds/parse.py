"""Parse RSS 0.9x/1.0/2.0, Atom and JSON Feed bodies into normalised entries and articles.

feedparser reads the XML formats (a malformed feed is used as far as it parses, with the
problem recorded); JSON Feed is read here. Before any XML parsing, a document type that
declares entities is refused: that stops external entities and entity-expansion bombs whatever
the parser below would do. Fetching lives in `bot.fetch`; polling in `bot.feed_poller`.
"""

from __future__ import annotations

import calendar
import codecs
import hashlib
import html
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import urljoin

import feedparser

from newsbrief.bot.errors import NewsbriefError
from newsbrief.bot.model import Article
from newsbrief.bot.store.storable import storable, storable_line
from newsbrief.bot.text.cleaning import (
    is_plausible_date,
    is_trailer,
    outlet_from_url,
    parse_date,
)
from newsbrief.bot.text.decoding import charset_of
from newsbrief.bot.text.markup import ANY_MARKUP
from newsbrief.bot.urls import is_fetchable_url

__all__ = [
    "FeedEntry",
    "FeedFormatError",
    "ParsedFeed",
    "entry_article",
    "html_to_text",
    "is_teaser",
    "parse_feed",
]

TEASER_CHARS = 400
TEASER_SENTENCES = 3
MAX_TEXT_CHARS = 1_000_000
MAX_TITLE_CHARS = 500
MAX_OUTLET_CHARS = 200
MAX_TTL_MINUTES = 7 * 24 * 60

_PROLOG_BYTES = 65_536
_XML_SPACE = " \t\r\n"
_ELEMENT_START = re.compile(r"<[A-Za-z_:]")
_HIDDEN = ("script", "style", "template", "noscript")
_HIDDEN_END = {name: re.compile(rf"</{name}\s*>", re.I) for name in _HIDDEN}
_BLOCK = re.compile(
    r"<\s*/?\s*(?:p|div|br|li|ul|ol|h[1-6]|blockquote|pre|tr|table|section|article|header|"
    r"footer|figure|figcaption|dd|dt|dl|hr|aside)\b[^<>]*>",
    re.I,
)
_BREAKS = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?:\s|$)")


class FeedFormatError(NewsbriefError):
    """A body that is not a usable feed: an HTML page, broken beyond use, or unsafe."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One feed item, normalised: plain-text fields and an aware publication time."""

    title: str
    link: str | None
    guid: str | None
    published: datetime | None
    author: str | None
    summary: str
    content: str

    @property
    def text(self) -> str:
        """Give the fullest text the feed carries: the content, else the summary."""
        return self.content if len(self.content) >= len(self.summary) else self.summary

    @property
    def teaser(self) -> bool:
        """Tell whether the feed gives only a teaser, so the linked page is worth fetching."""
        return is_teaser(self.text)

    @property
    def key(self) -> str:
        """Identify the item within its feed: its guid, else its link, else its text."""
        if self.guid:
            return f"guid:{self.guid}"[:1000]
        if self.link:
            return f"link:{self.link}"[:1000]
        return "text:" + hashlib.sha256(f"{self.title}\n{self.text}".encode()).hexdigest()

    @property
    def fingerprint(self) -> str:
        """Hash what a reader sees, so an edited item is noticed and an unchanged one is not."""
        return hashlib.sha256(f"{self.title}\n{self.text}".encode()).hexdigest()[:32]


@dataclass
class ParsedFeed:
    """What a feed body gave: its title, links, cache hint, entries and any problems."""

    url: str
    title: str | None = None
    link: str | None = None
    version: str | None = None
    ttl_minutes: int | None = None
    entries: list[FeedEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def outlet(self) -> str | None:
        """Name the outlet: the feed's title, else its site's host."""
        return self.title or outlet_from_url(self.link or self.url)


def is_teaser(text: str) -> bool:
    """Tell whether a text is too short to brief: under ~400 characters or 3 sentences."""
    if len(text) < TEASER_CHARS:
        return True
    return len(_SENTENCE_END.findall(text)) < TEASER_SENTENCES


def html_to_text(markup: str) -> str:
    """Turn an HTML fragment into plain paragraphs separated by blank lines, quickly."""
    if "<" not in markup and "&" not in markup:
        paragraphs = _BREAKS.split(markup[:MAX_TEXT_CHARS])
    else:
        markup = _drop_hidden(markup[:MAX_TEXT_CHARS])
        markup = ANY_MARKUP.sub("", _BLOCK.sub("\n\n", markup))
        paragraphs = _BREAKS.split(html.unescape(markup))
    kept = [" ".join(p.split()) for p in paragraphs]
    return storable("\n\n".join(p for p in kept if p and not is_trailer(p)))


def _drop_hidden(markup: str) -> str:
    """Drop comments and script, style, template and noscript elements, in one linear pass.

    An element or comment left open is kept as it is (its tags are stripped later); once one
    is found open, later ones of its kind are not looked for, as none of them can close.
    """
    kept: list[str] = []
    names = ["--", *_HIDDEN]
    pos = 0
    while names:
        start = _hidden_start(tuple(names)).search(markup, pos)
        if start is None:
            break
        name = (start.group(1) or "--").lower()
        if name == "--":
            close = markup.find("-->", start.end())
            end = close + 3 if close >= 0 else -1
        else:
            found = _HIDDEN_END[name].search(markup, start.end())
            end = found.end() if found else -1
        if end < 0:
            names.remove(name)
            continue
        kept.append(markup[pos : start.start()] + " ")
        pos = end
    kept.append(markup[pos:])
    return "".join(kept)


@cache
def _hidden_start(names: tuple[str, ...]) -> re.Pattern[str]:
    elements = "|".join(n for n in names if n != "--")
    comment = "<!--" if "--" in names else None
    element = f"<({elements})\\b" if elements else None
    return re.compile("|".join(p for p in (comment, element) if p), re.I)


def _plain_line(value: object, limit: int) -> str:
    """Clean a one-line field (title, author): tags, entities (even doubly escaped), spaces."""
    text = value if isinstance(value, str) else ""
    for _ in range(2):
        if "<" not in text and "&" not in text:
            break
        text = html.unescape(ANY_MARKUP.sub("", text[: limit * 4]))
    return storable_line(" ".join(text.split()), limit)


def _prolog(body: bytes) -> str:
    """Decode the start of an XML body, past any leading white space, enough to read its prolog."""
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if body.startswith(bom):
            return _wide_prolog(body[len(bom) :], codec)
    head = body[:4]
    if head in (b"\0\0\0<", b"<\0\0\0") or head.startswith((b"\0\0\0 ", b" \0\0\0")):
        return _wide_prolog(body, "utf-32-be" if body[0] == 0 else "utf-32-le")
    if head[:2] in (b"\0<", b"<\0", b"\0 ", b" \0"):
        return _wide_prolog(body, "utf-16-be" if body[0] == 0 else "utf-16-le")
    return body.lstrip(_XML_SPACE.encode())[:_PROLOG_BYTES].decode("latin-1")


def _wide_prolog(body: bytes, codec: str) -> str:
    """Decode a UTF-16 or UTF-32 body's prolog window, skipping its leading white space."""
    width = 4 if "32" in codec else 2
    decoder = codecs.getincrementaldecoder(codec)("replace")
    start = 0
    while start < len(body):  # white space first, a window at a time, so its length costs O(n)
        chunk = decoder.decode(body[start : start + _PROLOG_BYTES])
        start += _PROLOG_BYTES
        stripped = chunk.lstrip(_XML_SPACE)
        if stripped:
            rest = decoder.decode(body[start : start + _PROLOG_BYTES * width])
            return (stripped + rest)[:_PROLOG_BYTES]
    return ""


def check_xml_safety(body: bytes) -> None:
    """Refuse a document type that declares entities: external entities and entity bombs.

    The prolog (all before the root element) is scanned once: white space, the XML declaration,
    processing instructions, comments and the document type, whose `<!ENTITY` declarations are
    refused. A prolog of markup that runs past the window unfinished is refused too, so padding
    cannot push a declaration out of sight.
    """
    text = _prolog(body)
    window_end = len(text)
    pos = 0
    while True:
        pos = text.find("<", pos)
        if pos < 0:
            return  # no markup in the window: nothing declared, and not XML either
        if text.startswith("<!--", pos):
            end = text.find("-->", pos + 4)
            pos = end + 3 if end >= 0 else window_end
        elif text.startswith("<?", pos):
            end = text.find("?>", pos + 2)
            pos = end + 2 if end >= 0 else window_end
        elif text.startswith("<!", pos):
            if text[pos + 2 : pos + 8].upper() == "ENTITY":
                raise FeedFormatError("the document type declares entities; refused for safety")
            pos += 2
        elif _ELEMENT_START.match(text, pos):
            return  # the root element: the prolog is over
        else:
            pos += 1
        if pos >= window_end:
            if len(body) > _PROLOG_BYTES:
                raise FeedFormatError("the document's prolog is too long; refused for safety")
            return


def parse_feed(
    body: bytes, url: str, *, content_type: str | None = None, now: datetime | None = None
) -> ParsedFeed:
    """Parse a feed body as far as it goes; raise `FeedFormatError` when nothing usable is in it."""
    now = now or datetime.now(UTC)
    if not body.strip():
        raise FeedFormatError("empty body")
    kind = (content_type or "").split(";")[0].strip().lower()
    if "json" in kind or body.lstrip()[:1] == b"{":
        return _parse_json_feed(body, url, now)
    check_xml_safety(body)
    headers = {"content-location": url}
    charset = charset_of(content_type)
    if charset:
        # Only the charset matters: the media type of feeds on the web is often text/html,
        # and text/xml without a charset would mean US-ASCII to feedparser (RFC 3023).
        headers["content-type"] = f"application/xml; charset={charset}"
    try:
        parsed = feedparser.parse(
            io.BytesIO(body),
            response_headers=headers,
            sanitize_html=True,
            resolve_relative_uris=True,
        )
    except Exception as error:  # feedparser on hostile input: report, never crash the poll
        raise FeedFormatError(f"feedparser failed: {type(error).__name__}: {error}") from None
    result = ParsedFeed(url=url, version=parsed.get("version") or None)
    if not result.version and not parsed.entries:
        raise FeedFormatError(_not_a_feed(body, kind, parsed))
    if parsed.get("bozo") and not isinstance(
        parsed.get("bozo_exception"), feedparser.NonXMLContentType
    ):
        result.problems.append(f"malformed feed, used as far as it parsed: {_bozo(parsed)}")
    feed = _get(parsed, "feed") or {}
    result.title = _plain_line(_get(feed, "title"), MAX_OUTLET_CHARS) or None
    result.link = _http_url(_get(feed, "link"), url)
    result.ttl_minutes = _ttl(_get(feed, "ttl"))
    for number, raw in enumerate(parsed.entries, 1):
        try:
            entry = _xml_entry(raw, url, now, result.problems, number)
        except (TypeError, ValueError, AttributeError, KeyError) as error:
            result.problems.append(f"entry {number}: unreadable: {error!r}")
            continue
        result.entries.append(entry)
    return result


def _get(mapping: Mapping[str, Any], key: str) -> Any:
    """Read a feedparser field by its real name, skipping its deprecated aliases (and warnings)."""
    return dict.get(mapping, key) if isinstance(mapping, dict) else mapping.get(key)


def _not_a_feed(body: bytes, kind: str, parsed: Mapping[str, Any]) -> str:
    head = body[:2000].lstrip().lower()
    if kind in ("text/html", "application/xhtml+xml") or head.startswith(
        (b"<!doctype html", b"<html")
    ):
        return "not a feed: the server sent an HTML page"
    if parsed.get("bozo") and not isinstance(
        parsed.get("bozo_exception"), feedparser.NonXMLContentType
    ):
        return f"not a feed: {_bozo(parsed)}"
    return "not a feed: no RSS, Atom or JSON Feed found"


def _bozo(parsed: Mapping[str, Any]) -> str:
    error = parsed.get("bozo_exception")
    text = str(error) if error is not None else "unknown problem"
    return f"{type(error).__name__}: {text[:200]}" if error is not None else text


def _ttl(value: object) -> int | None:
    if isinstance(value, str) and value.strip().isdigit():
        minutes = int(value.strip())
        return min(minutes, MAX_TTL_MINUTES) if minutes > 0 else None
    return None


def _http_url(value: object, base: str) -> str | None:
    """Resolve a link against the feed's URL; None unless `checked_url` accepts the result."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        absolute = urljoin(base, value.strip().replace(" ", "%20"))
    except ValueError:
        return None
    return absolute if is_fetchable_url(absolute) else None


def _entry_link(raw: Mapping[str, Any], base: str) -> str | None:
    link = _http_url(_get(raw, "link"), base)
    if link:
        return link
    for candidate in _get(raw, "links") or []:
        if isinstance(candidate, Mapping) and candidate.get("rel", "alternate") == "alternate":
            link = _http_url(candidate.get("href"), base)
            if link:
                return link
    if _get(raw, "guidislink"):
        return _http_url(_get(raw, "id"), base)
    return None


def _struct_time(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _sane_time(when: datetime | None, now: datetime) -> datetime | None:
    if when is None:
        return None
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return when if is_plausible_date(when, now=now) else None


def _entry_time(
    raw: Mapping[str, Any], now: datetime, problems: list[str], number: int
) -> datetime | None:
    absurd = None
    for key in ("published", "updated", "created"):
        parsed = _struct_time(_get(raw, f"{key}_parsed")) if _get(raw, f"{key}_parsed") else None
        if parsed is None:
            continue
        sane = _sane_time(parsed, now)
        if sane is not None:
            return sane
        absurd = absurd or parsed
    if absurd is not None:
        problems.append(f"entry {number}: date {absurd:%Y-%m-%d} is implausible; ignored")
    return None


def _xml_entry(
    raw: Mapping[str, Any], base: str, now: datetime, problems: list[str], number: int
) -> FeedEntry:
    contents = [c.get("value", "") for c in _get(raw, "content") or [] if isinstance(c, Mapping)]
    content_html = max((c for c in contents if isinstance(c, str)), key=len, default="")
    guid = _get(raw, "id") if isinstance(_get(raw, "id"), str) else None
    return FeedEntry(
        title=_plain_line(_get(raw, "title"), MAX_TITLE_CHARS),
        link=_entry_link(raw, base),
        guid=(storable(guid.strip()[:1000]) or None) if guid else None,
        published=_entry_time(raw, now, problems, number),
        author=_plain_line(_get(raw, "author"), MAX_OUTLET_CHARS) or None,
        summary=html_to_text(_get(raw, "summary") or "")
        if isinstance(_get(raw, "summary"), str)
        else "",
        content=html_to_text(content_html),
    )


def _parse_json_feed(body: bytes, url: str, now: datetime) -> ParsedFeed:
    try:
        data = json.loads(body.decode("utf-8-sig", "replace"))
    except (ValueError, RecursionError) as error:
        raise FeedFormatError(f"invalid JSON: {str(error)[:200]}") from None
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise FeedFormatError("not a feed: JSON without a JSON Feed version")
    result = ParsedFeed(url=url, version="json" + str(data["version"]).rsplit("/", 1)[-1])
    result.title = _plain_line(data.get("title"), MAX_OUTLET_CHARS) or None
    result.link = _http_url(data.get("home_page_url"), url)
    items = data.get("items")
    if not isinstance(items, list):
        result.problems.append("JSON Feed without an items list")
        return result
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            result.problems.append(f"item {number}: not an object")
            continue
        try:
            entry = _json_entry(item, url, now, result.problems, number)
        except (TypeError, ValueError, AttributeError, KeyError, RecursionError) as error:
            result.problems.append(f"item {number}: unreadable: {error!r}")
            continue
        result.entries.append(entry)
    return result


def _json_entry(
    item: Mapping[str, Any], base: str, now: datetime, problems: list[str], number: int
) -> FeedEntry:
    def text(key: str) -> str:
        value = item.get(key)
        return value if isinstance(value, str) else ""

    published = None
    for key in ("date_published", "date_modified"):
        if text(key):
            published = _sane_time(parse_date(text(key), now=now), now)
            if published is None:
                problems.append(f"item {number}: unusable date {text(key)[:40]!r}; ignored")
            break
    authors = item.get("authors")
    author = item.get("author") or (authors[0] if isinstance(authors, list) and authors else None)
    name = author.get("name") if isinstance(author, Mapping) else None
    guid = item.get("id")
    content = html_to_text(text("content_html")) or html_to_text(text("content_text"))
    return FeedEntry(
        title=_plain_line(text("title"), MAX_TITLE_CHARS),
        link=_http_url(text("url"), base) or _http_url(text("external_url"), base),
        guid=storable(str(guid)[:1000]) if isinstance(guid, str | int) and str(guid) else None,
        published=published,
        author=_plain_line(name, MAX_OUTLET_CHARS) or None,
        summary=html_to_text(text("summary")),
        content=content,
    )


def entry_article(
    entry: FeedEntry, *, outlet: str | None, feed_url: str, text: str | None = None
) -> Article | None:
    """Make an article of an entry (with `text` from its page when fetched); None if no text."""
    body = text or entry.text
    if not body.strip():
        return None
    title = entry.title or body.split("\n", 1)[0][:100]
    path = None
    if entry.link is None:
        # No link to key the article by: key it by the feed and the item instead.
        path = f"feed:{feed_url}#{entry.key}"
    return Article(
        title=title,
        text=body,
        outlet=outlet,
        url=entry.link,
        path=path,
        published=entry.published,
    )
