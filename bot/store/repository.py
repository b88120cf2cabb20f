"""The queries the core needs. Callers own the transaction: nothing here commits."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import Select, Text, cast, delete, func, or_, select
from sqlalchemy.orm import Session, defer

from newsbrief.bot.store.batches import in_chunks
from newsbrief.bot.store.schema import ArticleRecord, SourceFile, Story, StoryTopic
from newsbrief.bot.store.storable import storable_key
from newsbrief.bot.stories.views import StoryReading
from newsbrief.bot.text.selection import ScoredStory


def known_files(session: Session, paths: Collection[str]) -> dict[str, SourceFile]:
    """Return what the store remembers of these files."""
    return {
        row.path: row
        for chunk in in_chunks(paths)
        for row in session.scalars(select(SourceFile).where(SourceFile.path.in_(chunk)))
    }


def files_under(session: Session, prefix: str) -> list[str]:
    """List the remembered files whose path starts with prefix ("" lists relative paths)."""
    query = select(SourceFile.path)
    if prefix:
        query = query.where(SourceFile.path.startswith(prefix, autoescape=True))
    paths = list(session.scalars(query))
    return paths if prefix else [p for p in paths if not p.startswith("/")]


def delete_file_articles(session: Session, paths: Collection[str], width: int) -> set[int]:
    """Forget these files and the articles read from them; return the stories they were in.

    `paths` are as `source_files` keeps them: a path longer than `width` is kept as its start
    and a hash, so its articles are found by that start and matched on the same shortening.
    """
    whole = [p for p in paths if len(p) < width]
    cut = [p for p in paths if len(p) >= width]
    rows: list[tuple[int, int | None]] = [
        (row.id, row.story_id)
        for chunk in in_chunks(whole)
        for row in session.execute(
            select(ArticleRecord.id, ArticleRecord.story_id).where(ArticleRecord.path.in_(chunk))
        )
    ]
    for key in cut:
        start = key[: width - 65]
        rows += [
            (row.id, row.story_id)
            for row in session.execute(
                select(ArticleRecord.id, ArticleRecord.story_id, ArticleRecord.path).where(
                    ArticleRecord.path.startswith(start, autoescape=True)
                )
            )
            if row.path is not None and storable_key(row.path, width) == key
        ]
    for ids in in_chunks([row[0] for row in rows]):
        session.execute(delete(ArticleRecord).where(ArticleRecord.id.in_(ids)))
    for names in in_chunks(paths):
        session.execute(delete(SourceFile).where(SourceFile.path.in_(names)))
    return {row[1] for row in rows if row[1] is not None}


def articles_by_key(session: Session, keys: Collection[str]) -> dict[str, ArticleRecord]:
    """Return the stored articles with these keys."""
    return {
        row.key: row
        for chunk in in_chunks(keys)
        for row in session.scalars(select(ArticleRecord).where(ArticleRecord.key.in_(chunk)))
    }


def stories_of_fingerprints(session: Session, fingerprints: Collection[str]) -> dict[str, int]:
    """Find the stories that copies of these exact texts already belong to."""
    query = select(ArticleRecord.fingerprint, ArticleRecord.story_id).where(
        ArticleRecord.story_id.is_not(None)
    )
    return {
        fingerprint: story_id
        for chunk in in_chunks(fingerprints)
        for fingerprint, story_id in session.execute(
            query.where(ArticleRecord.fingerprint.in_(chunk))
        )
        if story_id is not None
    }


def stories_between(session: Session, start: datetime, end: datetime) -> Sequence[Story]:
    """Return the stories whose span reaches into [start, end]."""
    return session.scalars(
        select(Story).where(Story.last_published >= start, Story.first_published <= end)
    ).all()


def story_articles(session: Session, story_id: int) -> Sequence[ArticleRecord]:
    """Return a story's articles, oldest first."""
    return session.scalars(
        select(ArticleRecord)
        .where(ArticleRecord.story_id == story_id)
        .order_by(ArticleRecord.published, ArticleRecord.id)
    ).all()


def replace_story_topics(session: Session, story_id: int, rows: Sequence[StoryTopic]) -> None:
    """Set a story's topic memberships to exactly these."""
    session.execute(delete(StoryTopic).where(StoryTopic.story_id == story_id))
    session.add_all(rows)


def delete_story(session: Session, story_id: int) -> None:
    """Forget a story that has no articles left."""
    session.execute(delete(StoryTopic).where(StoryTopic.story_id == story_id))
    session.execute(delete(Story).where(Story.id == story_id))


def topic_stories(
    session: Session,
    topic: str,
    *,
    limit: int,
    exclude: Collection[int] = (),
    since: datetime | None = None,
) -> Sequence[tuple[StoryTopic, Story]]:
    """Return the newest stories of a topic with their focused views."""
    query = (
        select(StoryTopic, Story)
        .join(Story, Story.id == StoryTopic.story_id)
        .where(StoryTopic.topic == topic)
        .order_by(StoryTopic.last_published.desc())
        .limit(limit)
    )
    if since is not None:
        query = query.where(StoryTopic.last_published >= since)
    if exclude:
        query = query.where(StoryTopic.story_id.not_in(list(exclude)))
    return [(row[0], row[1]) for row in session.execute(query)]


def latest_stories(session: Session, *, limit: int) -> Sequence[Story]:
    """Return the newest stories of all."""
    return session.scalars(
        select(Story).order_by(Story.last_published.desc(), Story.id.desc()).limit(limit)
    ).all()


def topic_has_news(session: Session, topic: str, since: datetime) -> bool:
    """Tell whether a configured topic has a story published since `since`."""
    found = session.scalar(
        select(StoryTopic.story_id)
        .where(StoryTopic.topic == topic, StoryTopic.last_published >= since)
        .limit(1)
    )
    return found is not None


def topic_has_any(session: Session, topic: str, story_ids: Collection[int]) -> bool:
    """Tell whether any of these stories belongs to a configured topic."""
    found = session.scalar(
        select(StoryTopic.story_id)
        .where(StoryTopic.topic == topic, StoryTopic.story_id.in_(list(story_ids)))
        .limit(1)
    )
    return found is not None


def _mentioning(
    phrases: Collection[str], exclude: Collection[int], since: datetime | None
) -> Select[Story]:
    """The stories with an article whose title or text holds any of these phrases, newest first."""
    said = or_(
        *(
            or_(
                ArticleRecord.title.icontains(p, autoescape=True),
                ArticleRecord.text.icontains(p, autoescape=True),
            )
            for p in phrases
        )
    )
    article = select(ArticleRecord.id).where(ArticleRecord.story_id == Story.id, said)
    query = (
        select(Story).where(article.exists()).order_by(Story.last_published.desc(), Story.id.desc())
    )
    if exclude:
        query = query.where(Story.id.not_in(list(exclude)))
    if since is not None:
        query = query.where(Story.last_published >= since)
    return query


def stories_mentioning(session: Session, phrases: Collection[str], *, limit: int) -> Sequence[int]:
    """Return the newest stories whose articles contain any of these phrases."""
    query = _mentioning(phrases, (), None).with_only_columns(Story.id).limit(limit)
    return list(session.scalars(query))


def stories_with_words(
    session: Session,
    phrases: Collection[str],
    *,
    limit: int,
    exclude: Collection[int] = (),
    since: datetime | None = None,
) -> Sequence[Story]:
    """Return the newest stories whose articles contain any of these phrases (no signatures)."""
    query = _mentioning(phrases, exclude, since).options(defer(Story.signature)).limit(limit)
    return session.scalars(query).all()


def story_readings(session: Session, story_ids: Collection[int]) -> dict[int, StoryReading]:
    """Return these stories' stored readings (stories stored before 0009 have none)."""
    if not story_ids:
        return {}
    query = select(Story.id, Story.reading).where(Story.id.in_(list(story_ids)))
    return {i: reading for i, reading in session.execute(query) if reading is not None}


def scored_sentences(session: Session, story_ids: Collection[int]) -> dict[int, ScoredStory]:
    """Return these stories' stored scored sentences (stories stored before 0009 have none)."""
    if not story_ids:
        return {}
    query = select(Story.id, Story.scored).where(Story.id.in_(list(story_ids)))
    return {i: scored for i, scored in session.execute(query) if scored is not None}


def stories_quoting(session: Session, word: str, *, limit: int) -> Sequence[Story]:
    """Return the newest stories whose stored quotes mention `word` (a speaker's name, say).

    The quotes are JSON as the store's serializer wrote it, non-ASCII letters escaped, so the
    word is looked for in that same form.
    """
    escaped = json.dumps(word)[1:-1]
    return session.scalars(
        select(Story)
        .where(cast(Story.quotes, Text).icontains(escaped, autoescape=True))
        .order_by(Story.last_published.desc(), Story.id.desc())
        .limit(limit)
    ).all()


def count_articles(session: Session) -> int:
    """Count stored articles."""
    return int(session.scalar(select(func.count()).select_from(ArticleRecord)) or 0)
