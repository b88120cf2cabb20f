"""Feed queries: subscriptions, poll state, seen items and alerts. Callers own the transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from newsbrief.bot.store.batches import in_chunks
from newsbrief.bot.store.schema import FeedItem, FeedRecord
from newsbrief.bot.store.statuses import FeedOrigin
from newsbrief.bot.urls import canonical_url, checked_url

__all__ = [
    "FeedAlert",
    "FeedSpec",
    "FeedState",
    "add_feed",
    "add_feeds",
    "claim_due_feeds",
    "due_feeds",
    "find_feed",
    "forget_items_before",
    "item_hash",
    "list_feeds",
    "pop_feed_alerts",
    "remember_items",
    "remove_feed",
    "seed_feeds",
    "seen_items",
    "states",
]


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """A feed to subscribe to, as configured or added by an admin."""

    url: str
    topic: str | None = None
    full_text: bool = True


@dataclass(frozen=True, slots=True)
class FeedState:
    """A feed as the poller needs it: a snapshot safe to hand between threads."""

    id: int
    url: str
    topic: str | None
    title: str | None
    full_text: bool
    etag: str | None
    last_modified: str | None
    consecutive_failures: int


@dataclass(frozen=True, slots=True)
class FeedAlert:
    """A feed that was disabled since the admins were last told, and why."""

    url: str
    topic: str | None
    reason: str
    disabled_at: datetime


def item_hash(key: str) -> str:
    """Hash an item key to a fixed width for the store."""
    return hashlib.sha256(key.encode()).hexdigest()


def find_feed(session: Session, url: str) -> FeedRecord | None:
    """Find a feed by its URL, or by any URL with the same canonical form."""
    url = url.strip()
    found = session.scalar(select(FeedRecord).where(FeedRecord.url == url))
    if found is not None:
        return found
    wanted = canonical_url(url)
    for record in session.scalars(select(FeedRecord)):
        if canonical_url(record.url) == wanted:
            return record
    return None


def add_feed(session: Session, spec: FeedSpec, *, origin: FeedOrigin, now: datetime) -> FeedRecord:
    """Subscribe to a feed, or update and re-enable it when it is already known.

    Raises `InvalidUrl` for a URL `checked_url` refuses.
    """
    url = checked_url(spec.url)
    record = _subscribe(session, find_feed(session, url), spec, url, origin=origin, now=now)
    session.flush()
    return record


def add_feeds(
    session: Session, specs: Iterable[FeedSpec], *, origin: FeedOrigin, now: datetime
) -> list[tuple[FeedRecord, bool]]:
    """Subscribe to many feeds at once; return each record and whether it is new.

    Every URL is checked first (`InvalidUrl` names the first bad one) and the known feeds are
    read once, so importing n feeds costs O(n), not n scans of the table.
    """
    wanted = [(spec, checked_url(spec.url)) for spec in specs]
    known: dict[str, FeedRecord] = {}
    for stored in session.scalars(select(FeedRecord)):
        known.setdefault(stored.url, stored)
        known.setdefault(canonical_url(stored.url), stored)
    added: list[tuple[FeedRecord, bool]] = []
    for spec, url in wanted:
        found = known.get(url) or known.get(canonical_url(url))
        record = _subscribe(session, found, spec, url, origin=origin, now=now)
        known[url] = known[canonical_url(url)] = record
        added.append((record, found is None))
    session.flush()
    return added


def _subscribe(
    session: Session,
    record: FeedRecord | None,
    spec: FeedSpec,
    url: str,
    *,
    origin: FeedOrigin,
    now: datetime,
) -> FeedRecord:
    """Make or update a feed's record for spec: its topic, full-text switch, re-enabled."""
    if record is None:
        record = FeedRecord(
            url=url,
            origin=origin,
            added_at=now,
            next_poll_at=now,
            consecutive_failures=0,
            alert_pending=False,
        )
        session.add(record)
    if spec.topic is not None:
        record.topic = spec.topic
    record.full_text = spec.full_text
    if record.disabled_at is not None:
        record.disabled_at = None
        record.disabled_reason = None
        record.alert_pending = False
        record.consecutive_failures = 0
        record.next_poll_at = now
    return record


def seed_feeds(session: Session, specs: Iterable[FeedSpec], *, now: datetime) -> int:
    """Add configured feeds the store does not know yet; admins' later changes are kept."""
    known: set[str] = set()
    for url in session.scalars(select(FeedRecord.url)):
        known.update((url, canonical_url(url)))
    fresh: list[FeedSpec] = []
    for spec in specs:
        keys = {spec.url.strip(), canonical_url(spec.url)}
        if not keys & known:
            fresh.append(spec)
            known |= keys
    add_feeds(session, fresh, origin=FeedOrigin.SETTINGS, now=now)
    return len(fresh)


def remove_feed(session: Session, url: str) -> bool:
    """Unsubscribe from a feed and forget its items; tell whether it was there."""
    record = find_feed(session, url)
    if record is None:
        return False
    session.execute(delete(FeedItem).where(FeedItem.feed_id == record.id))
    session.delete(record)
    return True


def list_feeds(session: Session) -> Sequence[FeedRecord]:
    """Return every feed, in the order they were added."""
    return session.scalars(select(FeedRecord).order_by(FeedRecord.id)).all()


def states(records: Iterable[FeedRecord]) -> list[FeedState]:
    """Snapshot feed records for the poller."""
    return [
        FeedState(
            id=r.id,
            url=r.url,
            topic=r.topic,
            title=r.title,
            full_text=r.full_text,
            etag=r.etag,
            last_modified=r.last_modified,
            consecutive_failures=r.consecutive_failures,
        )
        for r in records
    ]


def claim_due_feeds(
    session: Session, now: datetime, *, lease: timedelta, limit: int | None = None
) -> list[FeedState]:
    """Take the due feeds for this process: rows another worker has locked are skipped, and
    the lease keeps the taken ones from looking due to anyone until this poll records them."""
    query = (
        select(FeedRecord)
        .where(FeedRecord.disabled_at.is_(None), FeedRecord.next_poll_at <= now)
        .order_by(FeedRecord.next_poll_at, FeedRecord.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    records = session.scalars(query).all()
    for record in records:
        record.next_poll_at = now + lease
    return states(records)


def due_feeds(
    session: Session, now: datetime, *, urls: Collection[str] | None = None
) -> list[FeedState]:
    """Return the enabled feeds whose time has come (or these URLs, due or not), oldest first."""
    query = select(FeedRecord).where(FeedRecord.disabled_at.is_(None))
    if urls is None:
        query = query.where(FeedRecord.next_poll_at <= now)
    else:
        query = query.where(FeedRecord.url.in_([u.strip() for u in urls]))
    return states(session.scalars(query.order_by(FeedRecord.next_poll_at, FeedRecord.id)))


def seen_items(session: Session, feed_ids: Collection[int]) -> dict[int, dict[str, str]]:
    """Map each feed to its remembered items: item hash -> fingerprint."""
    found: dict[int, dict[str, str]] = {feed_id: {} for feed_id in feed_ids}
    for chunk in in_chunks(feed_ids):
        rows = session.execute(
            select(FeedItem.feed_id, FeedItem.item_hash, FeedItem.fingerprint).where(
                FeedItem.feed_id.in_(chunk)
            )
        )
        for feed_id, hashed, fingerprint in rows:
            found[feed_id][hashed] = fingerprint
    return found


def remember_items(
    session: Session,
    feed_id: int,
    items: Mapping[str, str],
    *,
    known: Mapping[str, str],
    now: datetime,
) -> None:
    """Remember a feed's current items (hash -> fingerprint); `known` is what was stored."""
    unchanged = [h for h, fp in items.items() if known.get(h) == fp]
    for chunk in in_chunks(unchanged):
        session.execute(
            update(FeedItem)
            .where(FeedItem.feed_id == feed_id, FeedItem.item_hash.in_(chunk))
            .values(seen_at=now)
        )
    for hashed, fingerprint in items.items():
        if hashed not in known:
            session.add(
                FeedItem(feed_id=feed_id, item_hash=hashed, fingerprint=fingerprint, seen_at=now)
            )
        elif known[hashed] != fingerprint:
            session.execute(
                update(FeedItem)
                .where(FeedItem.feed_id == feed_id, FeedItem.item_hash == hashed)
                .values(fingerprint=fingerprint, seen_at=now)
            )


def forget_items_before(session: Session, before: datetime) -> int:
    """Forget items no feed has shown since `before`; return how many."""
    result = session.execute(delete(FeedItem).where(FeedItem.seen_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


def pop_feed_alerts(session: Session) -> list[FeedAlert]:
    """Return the feeds disabled since the last call, once each, for the bot to tell admins."""
    records = session.scalars(
        select(FeedRecord)
        .where(FeedRecord.alert_pending.is_(True), FeedRecord.disabled_at.is_not(None))
        .order_by(FeedRecord.disabled_at)
    ).all()
    alerts = []
    for record in records:
        record.alert_pending = False
        if record.disabled_at is not None:
            alerts.append(
                FeedAlert(
                    record.url, record.topic, record.disabled_reason or "", record.disabled_at
                )
            )
    return alerts
