"""What an inline query (`@bot syria`, `@bot oil prices`, `@bot quotes Putin`) asks for.

Answers come from stored results only (see `build_digest`), so they fit in Telegram's
few seconds for an inline answer however large the store is.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from newsbrief.bot.errors import UnknownTopic
from newsbrief.bot.stories.topics import Topic, TopicCatalog, keyword_topic

MAX_QUERY_CHARS = 200
QUOTES_PREFIXES = ("quotes ", "quote ", "who said ")


class InlineKind(Enum):
    """The kinds of inline answer: the newest stories, a topic's or words', a person's quotes."""

    LATEST = "latest"
    STORIES = "stories"
    QUOTES = "quotes"


@dataclass(frozen=True, slots=True)
class InlineRequest:
    """An inline query read: what to look for, and the topic or name it names."""

    kind: InlineKind
    text: str = ""
    topic: Topic | None = None


def read_inline_query(catalog: TopicCatalog, query: str) -> InlineRequest:
    """Read an inline query: empty for the latest, `quotes NAME`, a topic, or free words."""
    text = " ".join(query.split())[:MAX_QUERY_CHARS]
    lowered = text.lower()
    for prefix in QUOTES_PREFIXES:
        if lowered.startswith(prefix) and text[len(prefix) :].strip():
            return InlineRequest(InlineKind.QUOTES, text[len(prefix) :].strip())
    if not text:
        return InlineRequest(InlineKind.LATEST)
    topic = catalog.find(text)
    if topic is None:
        try:
            topic = keyword_topic(text)
        except UnknownTopic:
            return InlineRequest(InlineKind.LATEST)
    return InlineRequest(InlineKind.STORIES, text, topic)
