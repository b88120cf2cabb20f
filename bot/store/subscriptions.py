"""Subscriber queries: topics, words, schedules, daily claims. Callers own the transaction.

The claim queries implement the exactly-once design in docs/delivery.md.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session

from newsbrief.bot.delivery.rendered import Rendered
from newsbrief.bot.delivery.schedule import SlotDecision, next_slot, parse_time
from newsbrief.bot.store.batches import in_chunks
from newsbrief.bot.store.schema import (
    DigestDelivery,
    FollowedWords,
    SentStory,
    Subscriber,
    Subscription,
)
from newsbrief.bot.store.statuses import DigestStatus

DELIVERY_LEASE = timedelta(minutes=5)
"""How long a claimed digest stays with its instance without a sign of life.

The holder renews its leases every quarter of this while it works (flood control can hold a
broadcast far longer), so a lease runs out only when the instance died or hung. Shorter repairs
a crash sooner; longer keeps an instance that is alive but stalled (the SQLite write lock held
by a long ingest, a machine paused) from being taken for dead and its digests sent twice.
"""


@dataclass(frozen=True, slots=True)
class Interests:
    """What one subscriber reads: configured topics and followed words, both sorted."""

    topics: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.topics or self.words)


def find(session: Session, chat_id: int) -> Subscriber | None:
    """Return the subscriber of a chat, if it has one."""
    return session.scalar(select(Subscriber).where(Subscriber.chat_id == chat_id))


def next_due(subscriber: Subscriber, now: datetime) -> datetime | None:
    """When this subscriber's next daily digest falls, or None while none should be sent."""
    if subscriber.paused or not subscriber.active:
        return None
    return next_slot(now, parse_time(subscriber.digest_time), ZoneInfo(subscriber.timezone))


def ensure(
    session: Session, chat_id: int, *, timezone: str, digest_time: str, now: datetime
) -> Subscriber:
    """Return the chat's subscriber, creating it with the defaults; a chat that writes is live."""
    subscriber = find(session, chat_id)
    if subscriber is None:
        subscriber = Subscriber(
            chat_id=chat_id,
            timezone=timezone,
            digest_time=digest_time,
            paused=False,
            active=True,
            created_at=now,
            updated_at=now,
        )
        subscriber.next_due_at = next_due(subscriber, now)
        session.add(subscriber)
        session.flush()
    elif not subscriber.active:
        subscriber.active = True
        subscriber.next_due_at = next_due(subscriber, now)
        subscriber.updated_at = now
    return subscriber


def set_schedule(
    session: Session,
    subscriber: Subscriber,
    now: datetime,
    *,
    timezone: str | None = None,
    digest_time: str | None = None,
    paused: bool | None = None,
) -> None:
    """Change when digests come (or whether they do) and reschedule from `now`."""
    if timezone is not None:
        subscriber.timezone = timezone
    if digest_time is not None:
        subscriber.digest_time = digest_time
    if paused is not None:
        subscriber.paused = paused
    subscriber.next_due_at = next_due(subscriber, now)
    subscriber.updated_at = now


def interests(session: Session, subscriber_ids: Collection[int]) -> dict[int, Interests]:
    """Return each subscriber's topics and words."""
    topics: dict[int, list[str]] = {i: [] for i in subscriber_ids}
    words: dict[int, list[str]] = {i: [] for i in subscriber_ids}
    for chunk in in_chunks(subscriber_ids):
        for sub_id, topic in session.execute(
            select(Subscription.subscriber_id, Subscription.topic).where(
                Subscription.subscriber_id.in_(chunk)
            )
        ):
            topics[sub_id].append(topic)
        for sub_id, phrase in session.execute(
            select(FollowedWords.subscriber_id, FollowedWords.words).where(
                FollowedWords.subscriber_id.in_(chunk)
            )
        ):
            words[sub_id].append(phrase)
    return {i: Interests(tuple(sorted(topics[i])), tuple(sorted(words[i]))) for i in topics}


def subscribe(session: Session, subscriber: Subscriber, topic: str) -> bool:
    """Add a topic; say whether it was new."""
    if session.get(Subscription, (subscriber.id, topic)) is not None:
        return False
    session.add(Subscription(subscriber_id=subscriber.id, topic=topic))
    session.flush()
    return True


def unsubscribe(session: Session, subscriber: Subscriber, topic: str) -> bool:
    """Drop a topic; say whether it was there."""
    result = session.execute(
        delete(Subscription).where(
            Subscription.subscriber_id == subscriber.id, Subscription.topic == topic
        )
    )
    return bool(cast(CursorResult[Any], result).rowcount)


def follow(session: Session, subscriber: Subscriber, words: str) -> bool:
    """Follow words; say whether they were new."""
    if session.get(FollowedWords, (subscriber.id, words)) is not None:
        return False
    session.add(FollowedWords(subscriber_id=subscriber.id, words=words))
    session.flush()
    return True


def followed_as(session: Session, subscriber: Subscriber, words: str) -> str | None:
    """The followed phrase that is `words` but for case ("BMW" for "bmw"), if there is one."""
    wanted = words.casefold()
    followed = interests(session, [subscriber.id])[subscriber.id].words
    return next((phrase for phrase in followed if phrase.casefold() == wanted), None)


def unfollow(session: Session, subscriber: Subscriber, words: str | None = None) -> int:
    """Stop following these words (every followed phrase when None); count what was dropped."""
    query = delete(FollowedWords).where(FollowedWords.subscriber_id == subscriber.id)
    if words is not None:
        query = query.where(FollowedWords.words == words)
    return int(cast(CursorResult[Any], session.execute(query)).rowcount)


def forget(session: Session, chat_id: int) -> bool:
    """Delete everything stored about a chat; say whether there was anything."""
    subscriber = find(session, chat_id)
    if subscriber is None:
        return False
    for table in (SentStory, DigestDelivery, FollowedWords, Subscription):
        session.execute(delete(table).where(table.subscriber_id == subscriber.id))
    session.execute(delete(Subscriber).where(Subscriber.id == subscriber.id))
    return True


def deactivate(session: Session, chat_id: int, now: datetime) -> None:
    """Stop sending to a chat Telegram says we cannot reach (until it writes to us again)."""
    session.execute(
        update(Subscriber)
        .where(Subscriber.chat_id == chat_id)
        .values(active=False, next_due_at=None, updated_at=now)
    )


def move_chat(session: Session, old_chat_id: int, new_chat_id: int, now: datetime) -> None:
    """Follow a group that became a supergroup to its new chat id."""
    if find(session, new_chat_id) is not None:
        forget(session, old_chat_id)
        return
    session.execute(
        update(Subscriber)
        .where(Subscriber.chat_id == old_chat_id)
        .values(chat_id=new_chat_id, updated_at=now)
    )


def due(
    session: Session, now: datetime, *, limit: int, skip_locked: bool = False
) -> Sequence[Subscriber]:
    """Return live, unpaused subscribers whose daily slot has come, the longest-waiting first.

    With `skip_locked` (PostgreSQL; SQLite's writers take turns anyway) the rows are locked and
    rows another instance is claiming are passed over, so two instances claim different ones.
    """
    query = (
        select(Subscriber)
        .where(
            Subscriber.next_due_at <= now,
            Subscriber.active.is_(True),
            Subscriber.paused.is_(False),
        )
        .order_by(Subscriber.next_due_at, Subscriber.id)
        .limit(limit)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    return session.scalars(query).all()


def pending(session: Session, now: datetime) -> bool:
    """Tell whether a digest is due or a claim has lapsed (a cheap check before claiming)."""
    due_one = select(Subscriber.id).where(
        Subscriber.next_due_at <= now,
        Subscriber.active.is_(True),
        Subscriber.paused.is_(False),
    )
    lapsed_one = select(DigestDelivery.id).where(DigestDelivery.lease_until < now)
    return (
        session.scalar(due_one.limit(1)) is not None
        or session.scalar(lapsed_one.limit(1)) is not None
    )


def claim(
    session: Session,
    subscriber: Subscriber,
    decision: SlotDecision,
    now: datetime,
    *,
    holder: str = "",
    lease: timedelta = DELIVERY_LEASE,
) -> DigestDelivery | None:
    """Move the subscriber to its next slot and, if this slot is to be sent, record the claim.

    The move is a compare-and-set on `next_due_at`, so of two workers that read the same due
    subscriber only one wins; the (subscriber, local_date) unique key is the backstop that
    keeps a day to one digest even when the schedule changed during the day.
    """
    moved = session.execute(
        update(Subscriber)
        .where(Subscriber.id == subscriber.id, Subscriber.next_due_at == subscriber.next_due_at)
        .values(next_due_at=decision.next_due, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], moved).rowcount != 1 or not decision.send:
        return None
    taken = session.scalar(
        select(DigestDelivery.id).where(
            DigestDelivery.subscriber_id == subscriber.id,
            DigestDelivery.local_date == decision.local_date,
        )
    )
    if taken is not None:
        return None
    delivery = DigestDelivery(
        subscriber_id=subscriber.id,
        local_date=decision.local_date,
        slot_at=decision.slot,
        status=DigestStatus.CLAIMED,
        claimed_at=now,
        messages=0,
        holder=holder,
        lease_until=now + lease,
        attempts=1,
    )
    session.add(delivery)
    session.flush()
    return delivery


def take_over(
    session: Session, now: datetime, *, holder: str, limit: int, lease: timedelta = DELIVERY_LEASE
) -> Sequence[DigestDelivery]:
    """Take claimed digests whose lease ran out (their instance died), the oldest first.

    Each take-over raises the claim's `attempts`, its fencing token: the instance it was taken
    from, if only stalled, finds its fence stale and stops sending it.

    Rows another instance is taking over at the same moment are skipped (FOR UPDATE SKIP LOCKED
    on PostgreSQL; on SQLite the write lock already makes takers take turns).
    """
    found = session.scalars(
        select(DigestDelivery)
        .where(DigestDelivery.lease_until < now)
        .order_by(DigestDelivery.lease_until, DigestDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for delivery in found:
        delivery.holder = holder
        delivery.lease_until = now + lease
        delivery.attempts += 1
    session.flush()
    return found


def renew(
    session: Session,
    fences: Mapping[int, int],
    now: datetime,
    *,
    holder: str,
    lease: timedelta = DELIVERY_LEASE,
) -> set[int]:
    """Extend this holder's unfinished claims (delivery id -> fence); return those it still holds.

    A claim is this holder's while its `attempts` is the fence it was claimed under: a take-over
    raises it, so a holder that stalled past its lease can no longer renew what was taken.
    """
    kept = held(session, fences, holder)
    for chunk in in_chunks(sorted(kept)):
        session.execute(
            update(DigestDelivery)
            .where(DigestDelivery.id.in_(chunk))
            .values(lease_until=now + lease)
            .execution_options(synchronize_session=False)
        )
    return kept


def held(session: Session, fences: Mapping[int, int], holder: str) -> set[int]:
    """Return the unfinished claims (delivery id -> fence) `holder` still holds, rows locked."""
    found: set[int] = set()
    for chunk in in_chunks(sorted(fences)):
        rows = session.execute(
            select(DigestDelivery.id, DigestDelivery.attempts)
            .where(
                DigestDelivery.id.in_(chunk),
                DigestDelivery.holder == holder,
                DigestDelivery.lease_until.is_not(None),
            )
            .with_for_update()
        )
        found.update(i for i, attempts in rows if fences[i] == attempts)
    return found


@dataclass(frozen=True, slots=True)
class ClaimState:
    """Who holds a claimed digest, under which fence, until when."""

    holder: str | None
    fence: int
    lease_until: datetime | None


def claim_state(session: Session, delivery_id: int) -> ClaimState | None:
    """Read who holds a claimed digest now (None if it is gone)."""
    row = session.execute(
        select(DigestDelivery.holder, DigestDelivery.attempts, DigestDelivery.lease_until).where(
            DigestDelivery.id == delivery_id
        )
    ).first()
    return None if row is None else ClaimState(row[0], row[1], row[2])


def record_progress(
    session: Session,
    progress: Mapping[int, int],
    now: datetime,
    renderings: Mapping[int, Rendered] | None = None,
) -> None:
    """Record how many messages of each claimed digest Telegram has accepted so far.

    `renderings` keeps what a digest cut across several messages said, so an instance
    taking it over sends the rest as rendered, not a fresh rendering that may cut elsewhere.
    """
    if progress:
        session.execute(
            update(DigestDelivery),
            [{"id": i, "messages": count, "sent_at": now} for i, count in progress.items()],
        )
    if renderings:
        session.execute(
            update(DigestDelivery),
            [{"id": i, "rendering": rendering} for i, rendering in renderings.items()],
        )


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one claimed daily digest went, and the stories it carried."""

    delivery_id: int
    status: DigestStatus
    messages: int = 0
    story_ids: frozenset[int] = frozenset()


def finish(session: Session, outcomes: Sequence[Outcome], now: datetime) -> None:
    """Record how claimed digests went and which stories each subscriber has now had."""
    found: dict[int, DigestDelivery] = {}
    for chunk in in_chunks([o.delivery_id for o in outcomes]):
        found.update(
            (d.id, d)
            for d in session.scalars(select(DigestDelivery).where(DigestDelivery.id.in_(chunk)))
        )
    known = sent_story_ids(session, {d.subscriber_id for d in found.values()})
    for outcome in outcomes:
        delivery = found.get(outcome.delivery_id)
        if delivery is None:  # the chat was forgotten while its digest was on its way
            continue
        delivery.status = outcome.status
        delivery.messages = outcome.messages
        delivery.finished_at = now
        delivery.lease_until = None
        delivery.rendering = None
        if outcome.messages and delivery.sent_at is None:
            delivery.sent_at = now
        had = known.setdefault(delivery.subscriber_id, set())
        session.add_all(
            SentStory(subscriber_id=delivery.subscriber_id, story_id=story_id, sent_at=now)
            for story_id in sorted(outcome.story_ids - had)
        )
        had.update(outcome.story_ids)


def chat_ids(session: Session, subscriber_ids: Collection[int]) -> dict[int, int]:
    """Return each subscriber's chat id (subscribers that are gone are left out)."""
    found: dict[int, int] = {}
    for chunk in in_chunks(subscriber_ids):
        for sub_id, chat_id in session.execute(
            select(Subscriber.id, Subscriber.chat_id).where(Subscriber.id.in_(chunk))
        ):
            found[sub_id] = chat_id
    return found


def sent_story_ids(session: Session, subscriber_ids: Collection[int]) -> dict[int, set[int]]:
    """Return the stories each subscriber has already had in a daily digest."""
    found: dict[int, set[int]] = {}
    for chunk in in_chunks(subscriber_ids):
        for sub_id, story_id in session.execute(
            select(SentStory.subscriber_id, SentStory.story_id).where(
                SentStory.subscriber_id.in_(chunk)
            )
        ):
            found.setdefault(sub_id, set()).add(story_id)
    return found


def deliveries(session: Session, subscriber_id: int) -> Sequence[DigestDelivery]:
    """Return a subscriber's daily digests, oldest first."""
    return session.scalars(
        select(DigestDelivery)
        .where(DigestDelivery.subscriber_id == subscriber_id)
        .order_by(DigestDelivery.local_date)
    ).all()


@dataclass(frozen=True, slots=True)
class Counts:
    """Figures for the admins' /stats."""

    subscribers: int
    active: int
    paused: int
    subscriptions: int
    followed: int
    digests_sent: int
    digests_since: dict[DigestStatus, int]


def counts(session: Session, since: datetime) -> Counts:
    """Count subscribers and the daily digests claimed since `since`, by status."""

    def count(query: Any) -> int:
        return int(session.scalar(query) or 0)

    by_status = {
        status: int(n)
        for status, n in session.execute(
            select(DigestDelivery.status, func.count())
            .where(DigestDelivery.claimed_at >= since)
            .group_by(DigestDelivery.status)
        )
    }
    return Counts(
        subscribers=count(select(func.count()).select_from(Subscriber)),
        active=count(select(func.count()).where(Subscriber.active.is_(True))),
        paused=count(select(func.count()).where(Subscriber.paused.is_(True))),
        subscriptions=count(select(func.count()).select_from(Subscription)),
        followed=count(select(func.count()).select_from(FollowedWords)),
        digests_sent=count(
            select(func.count())
            .select_from(DigestDelivery)
            .where(DigestDelivery.status == DigestStatus.SENT)
        ),
        digests_since=by_status,
    )
