"""Assemble a digest for a topic or free keywords from what ingest stored; rank by news value."""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsbrief.bot.model import Digest, DigestQuote, DigestStory, Source, StoryQuote
from newsbrief.bot.store import repository
from newsbrief.bot.store.schema import Story
from newsbrief.bot.stories.topics import Topic

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
    """Gather the latest stories for a topic, leaving out those sent already or older than since."""
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


def digest_from_stored(
    session: Session,
    topic: Topic,
    *,
    now: datetime,
    options: DigestOptions = DigestOptions(),
) -> Digest:
    """Gather the latest stories for a topic or free words from stored results only.

    Nothing is briefed again: free words find the stories whose title or stored brief has
    them, shown with that brief and the stored quotes that mention them, so an answer takes
    milliseconds however large the store (inline queries).
    """
    if topic.configured:
        stories = _configured_topic_stories(session, topic, now, options, (), None)
    else:
        stories = _stored_keyword_stories(session, topic, now, options)
    stories.sort(key=lambda s: s.score, reverse=True)
    return Digest(topic.command or topic.title, topic.title, now, tuple(stories[: options.stories]))


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


def _stored_keyword_stories(
    session: Session, topic: Topic, now: datetime, options: DigestOptions
) -> list[DigestStory]:
    found: list[DigestStory] = []
    ids = repository.stories_about(session, topic.keywords, limit=KEYWORD_CANDIDATES)
    for story in session.scalars(select(Story).where(Story.id.in_(ids))):
        quotes = [StoryQuote.from_json(q) for q in story.quotes]
        on_topic = [q for q in quotes if topic.mentions(q.context) or topic.mentions(q.text)]
        relevance = max(topic.relevance(story.title, story.brief), topic.threshold)
        found.append(
            _digest_story(
                story,
                title=story.title,  # shown with the story's own brief
                brief=story.brief,
                quotes=on_topic or quotes,
                relevance=relevance,
                now=now,
                options=options,
            )
        )
    return found


def _keyword_stories(
    session: Session,
    topic: Topic,
    now: datetime,
    options: DigestOptions,
    exclude: Collection[int],
    since: datetime | None,
) -> list[DigestStory]:
    # Free words are briefed here, on request: only this path loads the summarizer, so a
    # topic's digest starts without it.
    from newsbrief.bot.ingest.pipeline import story_article
    from newsbrief.bot.stories.compose import compose_story, view_for_topic

    found: list[DigestStory] = []
    for story_id in repository.stories_mentioning(
        session, topic.keywords, limit=KEYWORD_CANDIDATES
    ):
        if story_id in exclude:
            continue
        story = session.get_one(Story, story_id)
        if since is not None and story.last_published < since:
            continue
        members = [story_article(r) for r in repository.story_articles(session, story_id)]
        composed = compose_story(members, sentences=options.sentences, algorithm=options.algorithm)
        view = view_for_topic(
            composed,
            topic,
            sentences=options.sentences,
            algorithm=options.algorithm,
            quotes=options.quotes,
        )
        if view is not None:
            found.append(
                _digest_story(
                    story,
                    title=view.title,
                    brief=view.brief,
                    quotes=list(view.quotes),
                    relevance=view.relevance,
                    now=now,
                    options=options,
                )
            )
    return found


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
