"""Assemble a digest for a topic or free keywords from what ingest stored; rank by news value."""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Any

from sqlalchemy.orm import Session

from newsbrief.bot.model import Digest, DigestQuote, DigestStory, Source, StoryQuote
from newsbrief.bot.store import repository
from newsbrief.bot.store.schema import Story
from newsbrief.bot.stories.topics import Topic
from newsbrief.bot.stories.views import StoryReading, topic_relevance, topic_view
from newsbrief.bot.text.selection import ScoredStory

HALF_LIFE_HOURS = 24.0
CANDIDATES_PER_STORY = 6
KEYWORD_CANDIDATES = 40


@dataclass(frozen=True, slots=True)
class DigestOptions:
    """How much a digest shows."""

    stories: int = 5
    sentences: int = 3
    quotes: int = 2
    algorithm: str = "newsrank"


def news_value(relevance: float, sources: int, published: datetime, now: datetime) -> float:
    """Score a story: newer first, then more on-topic and more widely reported (log scale)."""
    age_hours = max((now - published).total_seconds() / 3600, 0.0)
    return (
        math.log1p(relevance)
        + 0.7 * math.log(max(sources, 1))
        - math.log(2) * age_hours / HALF_LIFE_HOURS
    )


def build_digest(
    session: Session,
    topic: Topic,
    *,
    now: datetime,
    options: DigestOptions = DigestOptions(),
    exclude: Collection[int] = (),
    since: datetime | None = None,
) -> Digest:
    """Gather the latest stories for a topic or free words, leaving out those sent already or
    older than since; only stored results are read (nothing is briefed here)."""
    if topic.configured:
        stories = _configured_topic_stories(session, topic, now, options, exclude, since)
    else:
        stories = _keyword_stories(session, topic, now, options, exclude, since)
    stories.sort(key=lambda s: s.score, reverse=True)
    return Digest(topic.command or topic.title, topic.title, now, tuple(stories[: options.stories]))


def _configured_topic_stories(
    session: Session,
    topic: Topic,
    now: datetime,
    options: DigestOptions,
    exclude: Collection[int],
    since: datetime | None,
) -> list[DigestStory]:
    rows = repository.topic_stories(
        session,
        topic.command,
        limit=options.stories * CANDIDATES_PER_STORY,
        exclude=exclude,
        since=since,
    )
    return [
        _digest_story(
            story,
            title=view.title or story.title,
            brief=view.brief,
            quotes=[StoryQuote.from_json(q) for q in view.quotes],
            relevance=view.relevance,
            now=now,
            options=options,
        )
        for view, story in rows
    ]


def covers_any(session: Session, topic: Topic, story_ids: Collection[int]) -> bool:
    """Tell whether any of these stories belongs to a topic or mentions its words."""
    if not story_ids:
        return False
    if topic.configured:
        return repository.topic_has_any(session, topic.command, story_ids)
    found = repository.stories_mentioning(session, topic.keywords, limit=KEYWORD_CANDIDATES)
    return not set(found).isdisjoint(story_ids)


def latest_digest(
    session: Session, *, now: datetime, options: DigestOptions = DigestOptions()
) -> Digest:
    """The newest stories of all, from their stored briefs and quotes, newest first."""
    stories = [
        _digest_story(
            story,
            title=story.title,
            brief=story.brief,
            quotes=[StoryQuote.from_json(q) for q in story.quotes],
            relevance=1.0,
            now=now,
            options=options,
        )
        for story in repository.latest_stories(session, limit=options.stories)
    ]
    return Digest("", "", now, tuple(stories))


def _keyword_stories(
    session: Session,
    topic: Topic,
    now: datetime,
    options: DigestOptions,
    exclude: Collection[int],
    since: datetime | None,
) -> list[DigestStory]:
    """Views for free words, chosen from each story's stored scored sentences, never briefed.

    Stories are ranked first from their stored sentences (how much they name the words), and
    only those shown get a view chosen. A story stored before scored sentences were kept
    shows its stored brief, with the stored quotes that mention the words.
    """
    ranked: list[tuple[float, Story, StoryReading | None, float]] = []
    for story in repository.stories_with_words(
        session, topic.keywords, limit=KEYWORD_CANDIDATES, exclude=exclude, since=since
    ):
        reading = None if story.reading is None else StoryReading.from_json(story.reading)
        if reading is None:
            relevance = max(topic.relevance(story.title, story.brief), topic.threshold)
        else:
            relevance = topic_relevance(topic, reading.articles)
            if relevance < topic.threshold:
                continue
        value = news_value(relevance, len(story.sources), story.last_published, now)
        ranked.append((value, story, reading, relevance))
    ranked.sort(key=lambda r: r[0], reverse=True)
    shown = ranked[: options.stories]
    scored = repository.scored_sentences(session, [s.id for _, s, r, _ in shown if r is not None])
    return [
        _keyword_story(story, reading, scored.get(story.id), topic, relevance, now, options)
        for _, story, reading, relevance in shown
    ]


def _keyword_story(
    story: Story,
    reading: StoryReading | None,
    scored: dict[str, Any] | None,
    topic: Topic,
    relevance: float,
    now: datetime,
    options: DigestOptions,
) -> DigestStory:
    quotes = [StoryQuote.from_json(q) for q in story.quotes]
    view = None
    if reading is not None and scored is not None:
        view = topic_view(
            reading,
            ScoredStory.from_json(scored),
            quotes,
            topic,
            sentences=options.sentences,
            quote_count=options.quotes,
            brief=story.brief,
        )
    if view is None:  # stored before its sentences were: its own brief and title
        on_topic = [q for q in quotes if topic.mentions(q.context) or topic.mentions(q.text)]
        title, brief, quotes = story.title, tuple(story.brief), on_topic or quotes
    else:
        title, brief, quotes = view.title, view.brief, list(view.quotes)
    return _digest_story(
        story,
        title=title,
        brief=brief,
        quotes=quotes,
        relevance=relevance,
        now=now,
        options=options,
    )


def _digest_story(
    story: Story,
    *,
    title: str,
    brief: Collection[str],
    quotes: list[StoryQuote],
    relevance: float,
    now: datetime,
    options: DigestOptions,
) -> DigestStory:
    sources = tuple(_source(s) for s in story.sources)
    return DigestStory(
        story_id=story.id,
        title=title,
        published=story.last_published,
        brief=tuple(list(brief)[: options.sentences]),
        quotes=tuple(DigestQuote(q.text, q.speaker, q.sources) for q in quotes[: options.quotes]),
        sources=sources,
        score=round(news_value(relevance, len(sources), story.last_published, now), 4),
    )


def _source(data: dict[str, Any]) -> Source:
    name, path = data.get("name"), data.get("path")
    if name is not None and path and str(name) == PurePath(path).name:
        name = None  # stored before file names stopped standing in for outlets
    return Source(None if name is None else str(name), data.get("url"), path)
