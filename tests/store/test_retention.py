"""Retention on a real store: old articles and their emptied stories, stale sent-story records
and old finished digests go; everything still in use stays."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from factories import make_services, sample_folder
from sqlalchemy import func, select

from newsbrief.bot.delivery.schedule import decide_slot
from newsbrief.bot.services import Services
from newsbrief.bot.store import subscriptions as subs
from newsbrief.bot.store.retention import Pruned, Retention, prune
from newsbrief.bot.store.schema import ArticleRecord, DigestDelivery, Story, StoryTopic, TermDay
from newsbrief.bot.store.statuses import DigestStatus

DAY = datetime(2025, 3, 30, 8, 1, tzinfo=UTC)
GRACE = timedelta(hours=6)
KEEP_ARTICLES = Retention(article_days=0, daily_digest_days=7, digest_history_days=90)


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    built = make_services(tmp_path)
    yield built
    built.close()


def add_story(services: Services, last_published: datetime) -> int:
    with services.database.transaction() as session:
        story = Story(
            title="A story",
            first_published=last_published,
            last_published=last_published,
            updated_at=last_published,
        )
        session.add(story)
        session.flush()
        return story.id


def subscriber(services: Services) -> int:
    with services.database.transaction() as session:
        return subs.ensure(session, 7, timezone="UTC", digest_time="08:00", now=DAY).id


def send_daily(services: Services, now: datetime, stories: set[int]) -> int:
    """Claim and finish one daily digest of the subscriber due at 08:00 UTC."""
    with services.database.transaction() as session:
        [sub] = subs.due(session, now, limit=10)
        delivery = subs.claim(session, sub, decide_slot(now, time(8), ZoneInfo("UTC"), GRACE), now)
        assert delivery is not None
        subs.finish(
            session, [subs.Outcome(delivery.id, DigestStatus.SENT, 1, frozenset(stories))], now
        )
        return delivery.id


def run(services: Services, retention: Retention, now: datetime) -> Pruned:
    with services.database.transaction() as session:
        return prune(session, retention, now)


def count(services: Services, table: type) -> int:
    with services.database.transaction(readonly=True) as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_only_records_of_stories_past_the_daily_horizon_are_forgotten(
    services: Services,
) -> None:
    sub_id = subscriber(services)
    stale = add_story(services, DAY - timedelta(days=9))  # past 7 days and the day's margin
    fresh = add_story(services, DAY - timedelta(days=7))
    send_daily(services, DAY + timedelta(days=1), {stale, fresh, 999_999})  # one is gone
    assert run(services, KEEP_ARTICLES, DAY) == Pruned(sent_stories=2)
    with services.database.transaction() as session:
        assert subs.sent_story_ids(session, [sub_id]) == {sub_id: {fresh}}


def test_finished_digests_past_the_history_go_and_held_ones_stay(services: Services) -> None:
    subscriber(services)
    old = send_daily(services, DAY + timedelta(days=1), set())
    held_at = DAY + timedelta(days=2)
    with services.database.transaction() as session:  # claimed, never finished
        [sub] = subs.due(session, held_at, limit=10)
        decision = decide_slot(held_at, time(8), ZoneInfo("UTC"), GRACE)
        held = subs.claim(session, sub, decision, held_at, holder="instance-1")
        assert held is not None
        held_id = held.id
    recent = send_daily(services, DAY + timedelta(days=3), set())
    history = Retention(article_days=0, digest_history_days=10)
    assert run(services, history, DAY + timedelta(days=13)) == Pruned(deliveries=1)
    with services.database.transaction() as session:
        left = session.scalars(select(DigestDelivery.id).order_by(DigestDelivery.id)).all()
    assert old not in left and list(left) == [held_id, recent]


def test_articles_go_days_after_ingest_and_a_story_with_its_last_article(
    services: Services, tmp_path: Path
) -> None:
    services.ingestor.ingest_folder(sample_folder(tmp_path))  # one story, two articles
    with services.database.transaction() as session:
        first, second = session.scalars(select(ArticleRecord).order_by(ArticleRecord.id)).all()
        ingested = second.ingested_at
        first.ingested_at = ingested - timedelta(days=30)
    retention = Retention(article_days=20)
    assert run(services, retention, ingested) == Pruned(articles=1)
    assert (count(services, ArticleRecord), count(services, Story)) == (1, 1)
    assert count(services, StoryTopic) > 0
    assert count(services, TermDay) > 0, "word counts stay while an article of their days does"
    pruned = run(services, retention, ingested + timedelta(days=21))
    assert (pruned.articles, pruned.stories, pruned.sent_stories) == (1, 1, 0)
    assert pruned.term_days > 0
    assert [count(services, t) for t in (ArticleRecord, Story, StoryTopic, TermDay)] == [0] * 4


def test_no_article_days_keep_articles_forever(services: Services, tmp_path: Path) -> None:
    services.ingestor.ingest_folder(sample_folder(tmp_path))
    far = datetime.now(UTC) + timedelta(days=10_000)
    assert run(services, KEEP_ARTICLES, far).articles == 0
    assert count(services, ArticleRecord) == 2
