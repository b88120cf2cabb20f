"""Digests for a chat's topics and words, rendered and packed into as few messages as fit."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from newsbrief.bot.delivery.digest import DigestOptions, build_digest
from newsbrief.bot.errors import UnknownTopic
from newsbrief.bot.model import Digest
from newsbrief.bot.store.subscriptions import Interests
from newsbrief.bot.stories.topics import Topic, TopicCatalog, keyword_topic
from newsbrief.handlers.render import MAX_MESSAGE_LENGTH, render_digest, utf16_len

log = logging.getLogger(__name__)

_TAG = re.compile(r"<[^>]*>")
PACK_SEPARATOR = "\n\n"


def topics_for(catalog: TopicCatalog, interests: Interests) -> list[Topic]:
    """Turn stored topic names and followed words into topics, skipping retired ones."""
    found = [t for t in (catalog.get(name) for name in interests.topics) if t is not None]
    for words in interests.words:
        try:
            found.append(keyword_topic(words))
        except UnknownTopic:
            log.warning("Skipping unusable followed words %r", words)
    return found


def build_digests(
    session: Session,
    topics: Iterable[Topic],
    *,
    now: datetime,
    options: DigestOptions,
    exclude: Collection[int] = (),
    since: datetime | None = None,
) -> list[Digest]:
    """Build one digest per topic, a story shown under one topic only."""
    shown = set(exclude)
    digests = []
    for topic in topics:
        digest = build_digest(session, topic, now=now, options=options, exclude=shown, since=since)
        digests.append(digest)
        shown.update(story.story_id for story in digest.stories)
    return digests


def render_safely(digest: Digest) -> tuple[list[str], Digest]:
    """Render a digest; a story that fails to render is logged and left out of both results."""
    try:
        return render_digest(digest), digest
    except Exception:
        kept = []
        for story in digest.stories:
            try:
                render_digest(replace(digest, stories=(story,)))
            except Exception:
                log.exception("Skipping story %s: it does not render", story.story_id)
            else:
                kept.append(story)
        rendered = replace(digest, stories=tuple(kept))
        return render_digest(rendered), rendered


def visible_length(message: str) -> int:
    """Count the visible UTF-16 units of a rendered HTML message."""
    return utf16_len(html.unescape(_TAG.sub("", message)))


def pack(messages: Sequence[str], max_len: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Join whole rendered messages into as few as fit; each stays valid HTML on its own."""
    packed: list[str] = []
    length = 0
    gap = utf16_len(PACK_SEPARATOR)
    for message in messages:
        size = visible_length(message)
        if packed and length + gap + size <= max_len:
            packed[-1] += PACK_SEPARATOR + message
            length += gap + size
        else:
            packed.append(message)
            length = size
    return packed


@dataclass(frozen=True, slots=True)
class Rendered:
    """A chat's digest messages and the stories they carry."""

    messages: list[str]
    story_ids: frozenset[int]

    @property
    def empty(self) -> bool:
        """Tell whether there is no story to send."""
        return not self.story_ids

    def to_json(self) -> dict[str, Any]:
        """Keep for a digest's recovery (`digest_deliveries.rendering`)."""
        return {"messages": list(self.messages), "stories": sorted(self.story_ids)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Rendered:
        """Read back what `to_json` kept."""
        return cls(list(data["messages"]), frozenset(data["stories"]))


def render_digests(digests: Iterable[Digest], *, skip_empty: bool, header: str = "") -> Rendered:
    """Render digests in order (leaving out those without stories if asked) and pack them."""
    messages = [header] if header else []
    story_ids: set[int] = set()
    for digest in digests:
        if skip_empty and not digest.stories:
            continue
        rendered, shown = render_safely(digest)
        messages.extend(rendered)
        story_ids.update(story.story_id for story in shown.stories)
    return Rendered(pack(messages), frozenset(story_ids))
