"""Pruning digest history on a real store: stale sent-story records and old finished digests go."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from factories import make_services
from sqlalchemy import func, select

from bot.services import Services
from bot.store import subscriptions as subs
from bot.store.history import Pruned, prune_history
from bot.store.schema import DigestDelivery, Story
from bot.subscribers import decide_slot

DAY = datetime(2025, 3, 30, 8, 1, tzinfo=UTC)
GRACE = timedelta(hours=6)


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


def send_daily(services: Services, sub_id: int, now: datetime, stories: set[int]) -> int:
    """Claim and finish one daily digest of a subscriber due at 08:00 UTC."""
    with services.database.transaction() as session:
        [sub] = subs.due(session, now, limit=10)
        assert sub.id == sub_id
        decision = decide_slot(now, time(8), ZoneInfo("UTC"), GRACE)
        delivery = subs.claim(session, sub, decision, now)
        assert delivery is not None
        subs.finish(session, [subs.Outcome(delivery.id, subs.SENT, 1, frozenset(stories))], now)
        return delivery.id


def subscriber(services: Services) -> int:
    with services.database.transaction() as session:
        return subs.ensure(session, 7, timezone="UTC", digest_time="08:00", now=DAY).id


def prune(services: Services, stories_before: datetime, deliveries_before: datetime) -> Pruned:
    with services.database.transaction() as session:
        return prune_history(
            session, stories_before=stories_before, deliveries_before=deliveries_before
        )


def test_only_records_of_stories_gone_stale_are_forgotten(services: Services) -> None:
    sub_id = subscriber(services)
    stale = add_story(services, DAY - timedelta(days=10))
    fresh = add_story(services, DAY - timedelta(days=2))
    send_daily(services, sub_id, DAY + timedelta(days=1), {stale, fresh, 999_999})  # one gone
    pruned = prune(services, DAY - timedelta(days=8), DAY - timedelta(days=90))
    assert pruned == Pruned(sent_stories=2, deliveries=0)
    with services.database.transaction() as session:
        assert subs.sent_story_ids(session, [sub_id]) == {sub_id: {fresh}}


def test_finished_digests_older_than_the_history_go_and_held_ones_stay(
    services: Services,
) -> None:
    sub_id = subscriber(services)
    old = send_daily(services, sub_id, DAY + timedelta(days=1), set())
    with services.database.transaction() as session:  # claimed a day later, never finished
        [sub] = subs.due(session, DAY + timedelta(days=2), limit=10)
        decision = decide_slot(DAY + timedelta(days=2), time(8), ZoneInfo("UTC"), GRACE)
        held = subs.claim(session, sub, decision, DAY + timedelta(days=2), holder="instance-1")
        assert held is not None
        held_id = held.id
    recent = send_daily(services, sub_id, DAY + timedelta(days=3), set())
    pruned = prune(services, DAY, DAY + timedelta(days=3))
    assert pruned.deliveries == 1
    with services.database.transaction() as session:
        left = session.scalars(select(DigestDelivery.id).order_by(DigestDelivery.id)).all()
        assert old not in left and left == [held_id, recent]
        assert session.scalar(select(func.count()).select_from(DigestDelivery)) == 2
