"""The core's value types: what flows from files and feeds through briefing into digests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath
from typing import Any


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
    """A direct quotation, verbatim: its parts of the source text, joined.

    Most quotations are one span, `source_text[start:end]`, and `parts` is empty. One split
    around its attribution (`"A," she said. "B."`) has a part for each span and its `text` joins
    them with ` ... `; one continued into the next paragraph joins them with a space.
    """

    text: str
    speaker: str | None
    start: int
    end: int
    salience: float = 0.0
    parts: tuple[tuple[int, int], ...] = ()

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        """Where the words are in the source text: one span, or one a part."""
        return self.parts or ((self.start, self.end),)

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "speaker": self.speaker,
            "start": self.start,
            "end": self.end,
            "salience": self.salience,
            "parts": [list(span) for span in self.parts],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Quote:
        return cls(
            data["text"],
            data.get("speaker"),
            data["start"],
            data["end"],
            data.get("salience", 0.0),
            tuple((start, end) for start, end in data.get("parts", ())),
        )


@dataclass(frozen=True, slots=True)
class Source:
    """Where a story was reported: an outlet (None: not known) with a link or a file."""

    name: str | None
    url: str | None = None
    path: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "url": self.url, "path": self.path}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Source:
        name, path = data.get("name"), data.get("path")
        if name is not None and path and str(name) == PurePath(path).name:
            name = None  # stored before file names stopped standing in for outlets
        return cls(None if name is None else str(name), data.get("url"), path)


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
    shown_above: bool = False  # empty only because its stories went under an earlier topic


@dataclass(frozen=True, slots=True)
class StoryQuote:
    """A quote as reported by one or more outlets, with the text around it for topic focus."""

    text: str
    speaker: str | None
    sources: tuple[str, ...]
    salience: float
    context: str

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "speaker": self.speaker,
            "sources": list(self.sources),
            "salience": self.salience,
            "context": self.context,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoryQuote:
        return cls(
            text=str(data["text"]),
            speaker=None if data.get("speaker") is None else str(data["speaker"]),
            sources=tuple(str(s) for s in data.get("sources", ())),
            salience=float(data.get("salience", 0.0)),
            context=str(data.get("context", "")),
        )
