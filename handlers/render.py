"""Digest -> compact Telegram HTML messages that the Bot API accepts as they are.

A story shows at a glance: its headline linked to its best source, its age and sources, the
first sentence of its brief; the rest of the brief and the key quotes wait in an expandable
blockquote. Every piece of article text is escaped, and every message is valid HTML on its own
and at most `max_len` visible characters counted as Telegram counts them (UTF-16 code units
after entity parsing). Long digests split between stories; a story too long for one message
splits between its paragraphs; a paragraph too long for one message splits between words,
each part keeping its formatting.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from newsbrief.bot.delivery.ages import AgeUnit, story_age
from newsbrief.bot.model import Digest, DigestQuote, DigestStory, Source
from newsbrief.bot.text.outlets import source_name
from newsbrief.handlers import texts

MAX_MESSAGE_LENGTH = 4096
"""Telegram's limit on a message's visible text, in UTF-16 code units."""

NOTHING_NEW = texts.NOTHING_NEW
STORY_SEPARATOR = "\n\n"
PARAGRAPH_SEPARATOR = "\n"

_LINK_SCHEMES = frozenset({"http", "https"})
_KEPT_CONTROLS = frozenset("\n\t")
_WORDS = re.compile(r"\s*\S+\s*|\s+")


@dataclass(frozen=True, slots=True)
class _Run:
    """Visible text with at most one inline format: a tag, or a link."""

    text: str
    tag: str | None = None
    href: str | None = None

    def html(self) -> str:
        markup = html.escape(self.text, quote=False)
        if self.href is not None:
            markup = f'<a href="{html.escape(self.href, quote=True)}">{markup}</a>'
        if self.tag is not None:
            markup = f"<{self.tag}>{markup}</{self.tag}>"
        return markup


@dataclass(frozen=True, slots=True)
class _Paragraph:
    """One paragraph: runs of text, optionally wrapped in a (collapsed) blockquote."""

    runs: tuple[_Run, ...]
    wrap: str | None = None
    expandable: bool = False

    def html(self) -> str:
        inner = "".join(run.html() for run in self.runs)
        if not self.wrap:
            return inner
        opening = f"{self.wrap} expandable" if self.expandable else self.wrap
        return f"<{opening}>{inner}</{self.wrap}>"

    def length(self) -> int:
        return sum(utf16_len(run.text) for run in self.runs)


def utf16_len(text: str) -> int:
    """Count UTF-16 code units, the unit Telegram measures message length in."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def clean_text(text: str) -> str:
    """Drop control characters and lone surrogates that Telegram refuses or shows as junk."""
    return "".join(
        char
        for char in text
        if char in _KEPT_CONTROLS or unicodedata.category(char) not in ("Cc", "Cs")
    )


def link_url(url: str | None) -> str | None:
    """Return `url` if it may become a link (http/https with a host), else None."""
    if not url:
        return None
    cleaned = clean_text(url).strip()
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    if (
        parts.scheme.lower() not in _LINK_SCHEMES
        or not parts.netloc
        or any(char.isspace() for char in cleaned)
    ):
        return None
    return cleaned


def _source_name(source: Source) -> str:
    """Name a source as the core does (outlet, else its link's domain); never by a file name."""
    name = clean_text(source.name or "").strip() or None
    return source_name(name, source.url) or texts.UNNAMED_SOURCE


def _attribution(quote: DigestQuote) -> str:
    """`Speaker (outlets)`; with no speaker known, say so rather than put an outlet there."""
    speaker = clean_text(quote.speaker or "").strip()
    outlets = ", ".join(name for name in (clean_text(s).strip() for s in quote.sources) if name)
    if speaker and outlets:
        return f"{speaker} ({outlets})"
    if outlets:
        return texts.QUOTED_IN.format(outlets=outlets)
    return speaker


def best_link(story: DigestStory) -> str | None:
    """The link a story's headline opens: its first source with a usable web address."""
    return next((url for url in (link_url(s.url) for s in story.sources) if url), None)


def age_text(published: datetime, now: datetime) -> str:
    """Say how old a story is: "25 min ago", "3 h ago", "2 days ago", "19 Dec 2024"."""
    age = story_age(published, now)
    if age.unit is AgeUnit.DATE:
        day = age.day
        template = texts.AGE_DATE if age.same_year else texts.AGE_DATE_YEAR
        return template.format(day=day.day, month=f"{day:%b}", year=day.year)
    if age.count == 0:
        return texts.AGE_NOW
    if age.count == 1:
        return texts.AGE_ONE[age.unit.value]
    return texts.AGE[age.unit.value].format(count=age.count)


def _meta_runs(story: DigestStory, now: datetime | None) -> list[_Run]:
    runs: list[_Run] = []
    if story.published is not None and now is not None:
        runs.append(_Run(age_text(story.published, now), tag="i"))
    for index, source in enumerate(story.sources):
        if index:
            runs.append(_Run(", "))
        elif runs:
            runs.append(_Run(texts.META_SEPARATOR))
        runs.append(_Run(_source_name(source), href=link_url(source.url)))
    return runs


def _details_runs(rest: str, quotes: tuple[DigestQuote, ...]) -> list[_Run]:
    runs: list[_Run] = [_Run(rest)] if rest else []
    for quote in quotes:
        text = clean_text(quote.text).strip()
        if not text:
            continue
        if runs:
            runs.append(_Run("\n"))
        runs.append(_Run(texts.QUOTE.format(text=text)))
        attribution = _attribution(quote)
        if attribution:
            runs.append(_Run(" "))
            runs.append(_Run(f"{texts.QUOTE_DASH}{attribution}", tag="i"))
    return runs


def _story_paragraphs(story: DigestStory, now: datetime | None) -> list[_Paragraph]:
    title = clean_text(story.title).strip() or texts.UNTITLED
    paragraphs = [_Paragraph((_Run(title, tag="b", href=best_link(story)),))]
    meta = _meta_runs(story, now)
    if meta:
        paragraphs.append(_Paragraph(tuple(meta)))
    brief = [part for part in (clean_text(s).strip() for s in story.brief) if part]
    if brief:
        paragraphs.append(_Paragraph((_Run(brief[0]),)))
    details = _details_runs(" ".join(brief[1:]), story.quotes)
    if details:
        paragraphs.append(_Paragraph(tuple(details), wrap="blockquote", expandable=True))
    return paragraphs


def render_story(story: DigestStory, now: datetime | None = None) -> str:
    """Render one story as compact Telegram HTML; `now` adds its age."""
    return PARAGRAPH_SEPARATOR.join(p.html() for p in _story_paragraphs(story, now))


def _split_paragraph(paragraph: _Paragraph, limit: int) -> Iterator[_Paragraph]:
    """Split between words (between characters for a giant word) into parts of <= `limit`."""
    pieces: list[tuple[str, _Run]] = []
    for run in paragraph.runs:
        for word in _WORDS.findall(run.text):
            while utf16_len(word) > limit:
                cut = _prefix_within(word, limit)
                pieces.append((word[:cut], run))
                word = word[cut:]
            pieces.append((word, run))
    current: list[tuple[str, _Run]] = []
    length = 0
    for text, run in pieces:
        size = utf16_len(text)
        if current and length + size > limit:
            yield from _merge(current, paragraph)
            current, length = [], 0
        current.append((text, run))
        length += size
    yield from _merge(current, paragraph)


def _prefix_within(text: str, limit: int) -> int:
    """Index of the longest prefix of `text` within `limit` UTF-16 units (at least one char)."""
    total = 0
    for index, char in enumerate(text):
        total += utf16_len(char)
        if total > limit:
            return max(index, 1)
    return len(text)


def _merge(pieces: Iterable[tuple[str, _Run]], like: _Paragraph) -> Iterator[_Paragraph]:
    """Join word pieces back into runs; yield nothing for a piece with no visible text."""
    runs: list[_Run] = []
    for text, run in pieces:
        if runs and runs[-1].tag == run.tag and runs[-1].href == run.href:
            runs[-1] = _Run(runs[-1].text + text, run.tag, run.href)
        else:
            runs.append(_Run(text, run.tag, run.href))
    if any(run.text.strip() for run in runs):
        yield _Paragraph(tuple(runs), like.wrap, like.expandable)


class _Packer:
    """Fill messages greedily with separated chunks, never exceeding `max_len`."""

    def __init__(self, max_len: int) -> None:
        self.max_len = max_len
        self.messages: list[str] = []
        self.parts: list[str] = []
        self.length = 0

    def fits(self, length: int, separator: str) -> bool:
        extra = utf16_len(separator) if self.parts else 0
        return self.length + extra + length <= self.max_len

    def add(self, markup: str, length: int, separator: str) -> None:
        if self.parts:
            self.parts.append(separator)
            self.length += utf16_len(separator)
        self.parts.append(markup)
        self.length += length

    def flush(self) -> None:
        if self.parts:
            self.messages.append("".join(self.parts))
        self.parts, self.length = [], 0

    def add_story(self, paragraphs: list[_Paragraph]) -> None:
        markup = PARAGRAPH_SEPARATOR.join(p.html() for p in paragraphs)
        length = sum(p.length() for p in paragraphs) + utf16_len(PARAGRAPH_SEPARATOR) * (
            len(paragraphs) - 1
        )
        if self.fits(length, STORY_SEPARATOR):
            self.add(markup, length, STORY_SEPARATOR)
            return
        self.flush()
        if length <= self.max_len:
            self.add(markup, length, STORY_SEPARATOR)
            return
        separator = STORY_SEPARATOR
        for paragraph in paragraphs:
            for part in _split_paragraph(paragraph, self.max_len):
                if not self.fits(part.length(), separator):
                    self.flush()
                self.add(part.html(), part.length(), separator)
                separator = PARAGRAPH_SEPARATOR


def render_digest(digest: Digest, *, max_len: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Render a digest as HTML messages of at most `max_len` visible UTF-16 units each."""
    if max_len < 1:
        raise ValueError("max_len must be positive")
    title = clean_text(digest.title).strip() or clean_text(digest.topic).strip()
    if not digest.stories:
        template = texts.SHOWN_ABOVE if digest.shown_above else NOTHING_NEW
        text = template.format(topic=title or "this topic")
        packer = _Packer(max_len)
        packer.add_story([_Paragraph((_Run(text),))])
        packer.flush()
        return packer.messages
    packer = _Packer(max_len)
    if title:
        packer.add_story([_Paragraph((_Run(title, tag="b"),))])
    for story in digest.stories:
        packer.add_story(_story_paragraphs(story, digest.generated_at))
    packer.flush()
    return packer.messages
