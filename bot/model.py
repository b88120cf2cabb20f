"""The core's value types: what flows from files and feeds through briefing into digests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Article:
    """One cleaned article, ready to brief: paragraphs in `text` are separated by blank lines."""

    title: str
    text: str
    outlet: str | None = None
    url: str | None = None
    path: str | None = None
    published: datetime | None = None
    notes: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()  # topics its source was added under (a feed's --topic)


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct quotation: `text` is always `source_text[start:end]`, verbatim."""

    text: str
    speaker: str | None
    start: int
    end: int
    salience: float = 0.0


@dataclass(frozen=True, slots=True)
class Source:
    """Where a story was reported: an outlet with a link or a file."""

    name: str
    url: str | None = None
    path: str | None = None


@dataclass(frozen=True, slots=True)
class DigestQuote:
    """A key quote as shown to readers, with every outlet that reported it."""

    text: str
    speaker: str | None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DigestStory:
    """One story in a digest: a title, a short brief, key quotes and its sources."""

    story_id: int
    title: str
    published: datetime | None
    brief: tuple[str, ...]
    quotes: tuple[DigestQuote, ...]
    sources: tuple[Source, ...]
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class Digest:
    """The latest stories for a topic or a keyword query; rendering happens elsewhere."""

    topic: str
    title: str
    generated_at: datetime
    stories: tuple[DigestStory, ...] = field(default_factory=tuple)
