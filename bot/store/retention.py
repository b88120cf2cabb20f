"""Retention: prune what nothing will read again, so the store stops growing with the years.

Articles go a set number of days after they were ingested (ingest time, not publication time,
so an archive ingested today is kept as long as today's news), and a story goes with its last
article. A daily digest only carries stories published within its horizon, so the record that
a subscriber had a story older than that is never consulted again; finished digest records are
only counted by the admins' statistics. Word counts (`term_days`) go when no kept article was
published near their day. Callers own the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, exists, func, select
from sqlalchemy.orm import Session

from newsbrief.bot.store import term_days
from newsbrief.bot.store.schema import (
    ArticleRecord,
    DigestDelivery,
    SentStory,
    Story,
    StoryTopic,
    TermDay,
)

HORIZON_MARGIN = timedelta(days=1)
"""Sent records are kept this long past the daily horizon: a digest resumed after a crash
renders as of its first claim, so its horizon starts a little earlier than today's."""


@dataclass(frozen=True, slots=True)
class Retention:
    """How long each kind of record is kept, in days; 0 article days keeps articles forever."""

    article_days: float = 90.0
    daily_digest_days: float = 7.0
    digest_history_days: float = 90.0


@dataclass(frozen=True, slots=True)
class Pruned:
    """How many rows a pruning pass removed."""

    articles: int = 0
    stories: int = 0
    sent_stories: int = 0
    deliveries: int = 0
    term_days: int = 0

    def __bool__(self) -> bool:
        return any(
            (self.articles, self.stories, self.sent_stories, self.deliveries, self.term_days)
        )


def prune(session: Session, retention: Retention, now: datetime) -> Pruned:
    """Delete what the retention settings let go of as of `now`."""
    articles = stories = words = 0
    if retention.article_days:
        articles, stories = _prune_articles(session, now - timedelta(days=retention.article_days))
        words = _prune_word_counts(session)
    horizon = now - timedelta(days=retention.daily_digest_days) - HORIZON_MARGIN
    recent = select(Story.id).where(Story.last_published >= horizon)
    sent = _run(session, delete(SentStory).where(SentStory.story_id.not_in(recent)))
    deliveries = _run(
        session,
        delete(DigestDelivery).where(
            DigestDelivery.claimed_at < now - timedelta(days=retention.digest_history_days),
            DigestDelivery.finished_at.is_not(None),
            DigestDelivery.lease_until.is_(None),
        ),
    )
    return Pruned(articles, stories, sent, deliveries, words)


def _prune_articles(session: Session, ingested_before: datetime) -> tuple[int, int]:
    """Delete articles ingested before the cut-off, then the stories left with none."""
    articles = _run(
        session, delete(ArticleRecord).where(ArticleRecord.ingested_at < ingested_before)
    )
    if not articles:
        return 0, 0
    empty = ~exists().where(ArticleRecord.story_id == Story.id)
    orphans = select(Story.id).where(empty)
    _run(session, delete(StoryTopic).where(StoryTopic.story_id.in_(orphans)))
    stories = _run(session, delete(Story).where(empty))
    return articles, stories


def _prune_word_counts(session: Session) -> int:
    """Delete the word counts of days no kept article is weighed against."""
    earliest = session.scalar(select(func.min(ArticleRecord.published)))
    if earliest is None:
        return _run(session, delete(TermDay))
    return _run(session, delete(TermDay).where(TermDay.day < earliest.date() - term_days.MARGIN))


def _run(session: Session, statement: Any) -> int:
    """Execute a bulk delete and say how many rows it removed."""
    result = session.execute(statement.execution_options(synchronize_session=False))
    return int(cast(CursorResult[Any], result).rowcount or 0)
