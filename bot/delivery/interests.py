"""A chat's interests as topics, and one digest per topic with each story under one topic only."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from newsbrief.bot.delivery.digest import DigestOptions, build_digest, covers_any
from newsbrief.bot.errors import UnknownTopic
from newsbrief.bot.model import Digest
from newsbrief.bot.store.subscriptions import Interests
from newsbrief.bot.stories.topics import Topic, TopicCatalog, keyword_topic

log = logging.getLogger(__name__)


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
    """Build one digest per topic, a story shown under one topic only (the first that has it)."""
    shown = set(exclude)
    here: set[int] = set()
    digests = []
    for topic in topics:
        digest = build_digest(session, topic, now=now, options=options, exclude=shown, since=since)
        if not digest.stories and covers_any(session, topic, here):
            digest = replace(digest, shown_above=True)
        digests.append(digest)
        here.update(story.story_id for story in digest.stories)
        shown.update(here)
    return digests
