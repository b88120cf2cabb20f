"""Subscriber queries on a real SQLite store: schedules, claims exactly once, forgetting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from factories import make_services
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newsbrief.bot.delivery.schedule import decide_slot
from newsbrief.bot.services import Services
from newsbrief.bot.store import subscriptions as subs
from newsbrief.bot.store.schema import (
    DigestDelivery,
    FollowedWords,
    SentStory,
    Subscriber,
    Subscription,
)
from newsbrief.bot.store.statuses import DigestStatus

NOW = datetime(2025, 3, 29, 12, tzinfo=UTC)
GRACE = timedelta(hours=6)


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    built = make_services(tmp_path)
    yield built
    built.close()


def make(services: Services, chat_id: int = 7, zone: str = "Europe/Berlin") -> int:
    with services.database.transaction() as session:
        sub = subs.ensure(session, chat_id, timezone=zone, digest_time="08:00", now=NOW)
        return sub.id


def local_dates(session: Session, subscriber_id: int) -> list[date]:
    """The local days a subscriber's daily digest was claimed for."""
    return [d.local_date for d in subs.deliveries(session, subscriber_id)]


def test_a_new_subscriber_is_due_at_its_next_local_slot(services: Services) -> None:
    make(services)
    with services.database.transaction() as session:
        sub = subs.find(session, 7)
        assert sub is not None
        assert sub.next_due_at == datetime(2025, 3, 30, 6, tzinfo=UTC)  # 08:00 CEST
        assert subs.due(session, datetime(2025, 3, 30, 5, 59, tzinfo=UTC), limit=10) == []
        assert subs.due(session, datetime(2025, 3, 30, 6, tzinfo=UTC), limit=10) == [sub]


def test_topics_and_words_are_kept_once(services: Services) -> None:
    sub_id = make(services)
    with services.database.transaction() as session:
        sub = session.get_one(Subscriber, sub_id)
        assert subs.subscribe(session, sub, "syria")
        assert not subs.subscribe(session, sub, "syria")
        assert subs.subscribe(session, sub, "kursk")
        assert subs.follow(session, sub, "solar power")
        assert not subs.follow(session, sub, "solar power")
        assert subs.unsubscribe(session, sub, "kursk")
        assert not subs.unsubscribe(session, sub, "kursk")
    with services.database.transaction() as session:
        assert subs.interests(session, [sub_id])[sub_id] == subs.Interests(
            ("syria",), ("solar power",)
        )
        assert subs.unfollow(session, session.get_one(Subscriber, sub_id)) == 1


def test_pausing_clears_the_schedule_and_resuming_restores_it(services: Services) -> None:
    sub_id = make(services)
    with services.database.transaction() as session:
        sub = session.get_one(Subscriber, sub_id)
        subs.set_schedule(session, sub, NOW, paused=True)
        assert sub.next_due_at is None
        subs.set_schedule(session, sub, NOW, paused=False, digest_time="13:15", timezone="UTC")
        assert sub.next_due_at == datetime(2025, 3, 29, 13, 15, tzinfo=UTC)


def test_a_slot_is_claimed_once_even_by_two_readers(services: Services) -> None:
    sub_id = make(services)
    now = datetime(2025, 3, 30, 6, 0, 30, tzinfo=UTC)
    decision = decide_slot(now, time(8), ZoneInfo("Europe/Berlin"), GRACE)
    with services.database.transaction() as first:
        [seen_first] = subs.due(first, now, limit=10)
    with services.database.transaction() as second:
        [seen_second] = subs.due(second, now, limit=10)
    with services.database.transaction() as session:
        delivery = subs.claim(session, seen_first, decision, now)
        assert delivery is not None and delivery.local_date == date(2025, 3, 30)
    with services.database.transaction() as session:
        assert subs.claim(session, seen_second, decision, now) is None
        assert subs.due(session, now, limit=10) == []
        assert local_dates(session, sub_id) == [date(2025, 3, 30)]


def test_a_day_already_served_is_not_claimed_again_after_a_time_change(
    services: Services,
) -> None:
    sub_id = make(services, zone="UTC")
    morning = datetime(2025, 3, 30, 8, 0, 30, tzinfo=UTC)
    with services.database.transaction() as session:
        [sub] = subs.due(session, morning, limit=10)
        assert subs.claim(
            session, sub, decide_slot(morning, time(8), ZoneInfo("UTC"), GRACE), morning
        )
        subs.set_schedule(session, sub, morning, digest_time="20:00")
    evening = datetime(2025, 3, 30, 20, 0, 30, tzinfo=UTC)
    with services.database.transaction() as session:
        [sub] = subs.due(session, evening, limit=10)
        decision = decide_slot(evening, time(20), ZoneInfo("UTC"), GRACE)
        assert subs.claim(session, sub, decision, evening) is None
        assert sub.next_due_at is not None
        assert local_dates(session, sub_id) == [date(2025, 3, 30)]


def test_finishing_records_sent_stories_once(services: Services) -> None:
    sub_id = make(services, zone="UTC")
    now = datetime(2025, 3, 30, 8, 1, tzinfo=UTC)
    with services.database.transaction() as session:
        [sub] = subs.due(session, now, limit=10)
        delivery = subs.claim(session, sub, decide_slot(now, time(8), ZoneInfo("UTC"), GRACE), now)
        assert delivery is not None
        subs.finish(
            session, [subs.Outcome(delivery.id, DigestStatus.SENT, 2, frozenset({3, 4}))], now
        )
        subs.finish(
            session, [subs.Outcome(delivery.id, DigestStatus.SENT, 2, frozenset({4, 5}))], now
        )
    with services.database.transaction() as session:
        assert subs.sent_story_ids(session, [sub_id]) == {sub_id: {3, 4, 5}}
        assert subs.counts(session, NOW).digests_since == {DigestStatus.SENT: 1}


def test_unreachable_chats_stop_and_come_back_when_they_write(services: Services) -> None:
    make(services)
    with services.database.transaction() as session:
        subs.deactivate(session, 7, NOW)
    with services.database.transaction() as session:
        sub = subs.find(session, 7)
        assert sub is not None and not sub.active and sub.next_due_at is None
        subs.ensure(session, 7, timezone="UTC", digest_time="09:00", now=NOW)
        assert sub.active and sub.next_due_at is not None


def test_a_migrated_group_keeps_its_subscriber_under_the_new_id(services: Services) -> None:
    sub_id = make(services, chat_id=-42)
    with services.database.transaction() as session:
        subs.move_chat(session, -42, -1001234567890, NOW)
    with services.database.transaction() as session:
        moved = subs.find(session, -1001234567890)
        assert moved is not None and moved.id == sub_id
        assert subs.find(session, -42) is None


def test_forgetting_a_chat_deletes_every_row_about_it(services: Services) -> None:
    sub_id = make(services, zone="UTC")
    other = make(services, chat_id=8, zone="UTC")
    now = datetime(2025, 3, 30, 8, 1, tzinfo=UTC)
    with services.database.transaction() as session:
        sub = session.get_one(Subscriber, sub_id)
        subs.subscribe(session, sub, "syria")
        subs.follow(session, sub, "solar")
        decision = decide_slot(now, time(8), ZoneInfo("UTC"), GRACE)
        delivery = subs.claim(session, subs.due(session, now, limit=1)[0], decision, now)
        assert delivery is not None
        subs.finish(session, [subs.Outcome(delivery.id, DigestStatus.SENT, 1, frozenset({1}))], now)
    with services.database.transaction() as session:
        assert subs.forget(session, 7)
        assert not subs.forget(session, 7)
    with services.database.transaction() as session:
        for table in (Subscription, FollowedWords, DigestDelivery, SentStory):
            rows = session.scalar(
                select(func.count()).select_from(table).where(table.subscriber_id == sub_id)
            )
            assert rows == 0, table.__tablename__
        assert session.get(Subscriber, other) is not None
