"""The stored stories as scripts see them (`newsbrief stories`): read from the store, never made."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsbrief.bot.model import DigestQuote, DigestStory, Source
from newsbrief.bot.store.batches import in_chunks
from newsbrief.bot.store.schema import ArticleRecord, Story, StoryTopic
from newsbrief.bot.text.outlets import outlet_identities, source_name


@dataclass(frozen=True, slots=True)
class ListedArticle:
    """One article of a story: where it came from and when."""

    path: str | None
    url: str | None
    title: str
    source: str | None  # the outlet; None when no outlet is known
    published: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "url": self.url,
            "title": self.title,
            "source": self.source,
            "published": self.published.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class ListedStory:
    """A stored story with its articles, brief and quotes, as ingest left it."""

    id: int
    title: str
    published: datetime
    articles: tuple[ListedArticle, ...]
    brief: tuple[str, ...]
    quotes: tuple[DigestQuote, ...]

    def to_json(self) -> dict[str, Any]:
        """Give the stable JSON form (see the README's CLI contract)."""
        return {
            "id": self.id,
            "title": self.title,
            "published": self.published.isoformat(),
            "articles": [a.to_json() for a in self.articles],
            "brief": list(self.brief),
            "quotes": [
                {"text": q.text, "speaker": q.speaker, "sources": list(q.sources)}
                for q in self.quotes
            ],
        }

    def as_digest_story(self, quotes: int) -> DigestStory:
        """See it as a digest shows a story, for the terminal."""
        reports = [Source(a.source, a.url, a.path) for a in self.articles]
        sources: dict[str, Source] = {}
        for identity, source in zip(outlet_identities(reports), reports, strict=True):
            sources.setdefault(identity, source)  # each outlet once, however many hosts
        return DigestStory(
            story_id=self.id,
            title=self.title,
            published=self.published,
            brief=self.brief,
            quotes=self.quotes[:quotes],
            sources=tuple(sources.values()),
        )


def stored_stories(
    session: Session, *, topic: str | None = None, since: datetime | None = None
) -> list[ListedStory]:
    """List the stored stories, newest report first: of one topic, or reported since a time."""
    query = select(Story).order_by(Story.last_published.desc(), Story.id.desc())
    if topic is not None:
        query = query.join(StoryTopic, StoryTopic.story_id == Story.id).where(
            StoryTopic.topic == topic
        )
    if since is not None:
        query = query.where(Story.last_published >= since)
    stories = session.scalars(query).all()
    articles = _articles_of(session, [s.id for s in stories])
    return [
        ListedStory(
            id=story.id,
            title=story.title,
            published=story.last_published,
            articles=tuple(articles.get(story.id, ())),
            brief=tuple(str(s) for s in story.brief),
            quotes=tuple(DigestQuote(q.text, q.speaker, q.sources) for q in story.quotes),
        )
        for story in stories
    ]


def _articles_of(session: Session, story_ids: Sequence[int]) -> dict[int, list[ListedArticle]]:
    found: defaultdict[int, list[ListedArticle]] = defaultdict(list)
    columns = (
        ArticleRecord.story_id,
        ArticleRecord.path,
        ArticleRecord.url,
        ArticleRecord.title,
        ArticleRecord.outlet,
        ArticleRecord.published,
    )
    for chunk in in_chunks(story_ids):
        rows = session.execute(
            select(*columns)
            .where(ArticleRecord.story_id.in_(chunk))
            .order_by(ArticleRecord.published, ArticleRecord.id)
        )
        for story_id, path, url, title, outlet, published in rows:
            if story_id is None:  # not selected; says so to the type checker
                continue
            found[story_id].append(
                ListedArticle(path, url, title, source_name(outlet, url), published)
            )
    return found
