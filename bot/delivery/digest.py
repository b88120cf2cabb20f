"""Assemble a digest for a topic or free keywords from what ingest stored; rank by news value."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from newsbrief.bot.delivery.view_cache import LruCache
from newsbrief.bot.model import Digest, DigestQuote, DigestStory, StoryQuote
from newsbrief.bot.store import repository
from newsbrief.bot.store.schema import Story
from newsbrief.bot.stories.topics import Topic
from newsbrief.bot.stories.views import StoryReading, TopicView, topic_relevance, topic_view

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
            quotes=view.quotes,
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
            quotes=story.quotes,
            relevance=1.0,
            now=now,
            options=options,
        )
        for story in repository.latest_stories(session, limit=options.stories)
    ]
    return Digest("", "", now, tuple(stories))


StoryKey = tuple[str, int, int, tuple[str, ...]]
"""A story version seen through some words: (store, story id, its version, the words)."""

RELEVANCES: LruCache[StoryKey, tuple[float, bool]] = LruCache()
"""How much a story version is about some words, and whether it has stored sentences."""
VIEWS: LruCache[tuple[StoryKey, int, int], TopicView] = LruCache()
"""A story version's view for some words, by (key, sentences, quotes)."""


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
    only those shown get a view chosen; both are kept per story version (`view_cache`). A
    story stored before scored sentences were kept shows its stored brief, with the stored
    quotes that mention the words.
    """
    store = str(session.get_bind().engine.url)
    stories = repository.stories_with_words(
        session, topic.keywords, limit=KEYWORD_CANDIDATES, exclude=exclude, since=since
    )
    keys = {s.id: (store, s.id, s.version, topic.keywords) for s in stories}
    readings = repository.story_readings(
        session, [s.id for s in stories if RELEVANCES.get(keys[s.id]) is None]
    )
    ranked = _ranked(topic, stories, keys, readings, now)[: options.stories]
    shown = [(s, r) for s, r, scored in ranked if scored]
    views = _views(session, topic, shown, keys, readings, options)
    return [
        _keyword_story(story, views.get(story.id), topic, relevance, now, options)
        for story, relevance, _ in ranked
    ]


def _ranked(
    topic: Topic,
    stories: Sequence[Story],
    keys: Mapping[int, StoryKey],
    readings: Mapping[int, StoryReading],
    now: datetime,
) -> list[tuple[Story, float, bool]]:
    """The stories about the words, best first, with relevance and whether they were scored."""
    ranked: list[tuple[float, Story, float, bool]] = []
    for story in stories:
        known = RELEVANCES.get(keys[story.id])
        if known is None:
            reading = readings.get(story.id)
            if reading is None:
                known = (max(topic.relevance(story.title, story.brief), topic.threshold), False)
            else:
                known = (topic_relevance(topic, reading.articles), True)
            RELEVANCES.put(keys[story.id], known)
        relevance, scored = known
        if relevance >= topic.threshold:
            value = news_value(relevance, len(story.sources), story.last_published, now)
            ranked.append((value, story, relevance, scored))
    ranked.sort(key=lambda r: r[0], reverse=True)
    return [(story, relevance, scored) for _, story, relevance, scored in ranked]


def _views(
    session: Session,
    topic: Topic,
    stories: Sequence[tuple[Story, float]],
    keys: Mapping[int, StoryKey],
    loaded: Mapping[int, StoryReading],
    options: DigestOptions,
) -> dict[int, TopicView]:
    """The views of these scored stories for the words: kept ones, else chosen and kept."""
    views: dict[int, TopicView] = {}
    for story, _ in stories:
        view = VIEWS.get((keys[story.id], options.sentences, options.quotes))
        if view is not None:
            views[story.id] = view
    missing = [s.id for s, _ in stories if s.id not in views]
    scored = repository.scored_sentences(session, missing)
    readings = dict(loaded)  # read while ranking; only the rest is read here
    readings.update(repository.story_readings(session, [i for i in missing if i not in loaded]))
    for story, relevance in stories:
        if story.id in views or story.id not in scored or story.id not in readings:
            continue
        view = topic_view(
            readings[story.id],
            scored[story.id],
            story.quotes,
            topic,
            sentences=options.sentences,
            quote_count=options.quotes,
            brief=story.brief,
            relevance=relevance,
        )
        if view is not None:
            VIEWS.put((keys[story.id], options.sentences, options.quotes), view)
            views[story.id] = view
    return views


def _keyword_story(
    story: Story,
    view: TopicView | None,
    topic: Topic,
    relevance: float,
    now: datetime,
    options: DigestOptions,
) -> DigestStory:
    quotes = story.quotes
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
    sources = tuple(story.sources)
    return DigestStory(
        story_id=story.id,
        title=title,
        published=story.last_published,
        brief=tuple(list(brief)[: options.sentences]),
        quotes=tuple(DigestQuote(q.text, q.speaker, q.sources) for q in quotes[: options.quotes]),
        sources=sources,
        score=round(news_value(relevance, len(sources), story.last_published, now), 4),
    )
