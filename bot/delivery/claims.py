"""Claim rules for daily digests: who sends which digest, take-over, lapse, grace and records.

See docs/delivery.md for the exactly-once design these rules implement. Callers own the
transaction; every function here runs inside one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from newsbrief.bot.delivery.rendered import Rendered
from newsbrief.bot.delivery.schedule import decide_slot, parse_time
from newsbrief.bot.delivery.sending import DeliveryResult, DeliveryStatus
from newsbrief.bot.store import subscriptions as subs
from newsbrief.bot.store.statuses import DigestStatus
from newsbrief.bot.store.subscriptions import Interests


class ClaimKind(StrEnum):
    """How this instance came to hold a claim."""

    NEW = "new"
    """Claimed for its slot just now."""
    RECOVERED = "recovered"
    """Taken over from an instance whose lease lapsed (it died or stalled)."""


@dataclass(frozen=True, slots=True)
class Claim:
    """A subscriber's brief for `local_date`, held by this instance, to be sent now."""

    delivery_id: int
    subscriber_id: int
    chat_id: int
    local_date: date
    kind: ClaimKind
    fence: int
    """The claim's `attempts` when this instance took it: its fencing token. A take-over raises
    it, so a stalled instance that resumes finds its fence stale and sends nothing more."""
    interests: Interests = field(default_factory=Interests)
    sent: frozenset[int] = frozenset()
    """Stories the subscriber already had, which this brief leaves out."""
    done: int = 0
    """Messages the messenger already accepted (a digest taken over part way)."""
    render_at: datetime | None = None
    """Render as of this time (the first claim's) so the rest matches what was sent."""
    kept: Rendered | None = None
    """The rendering a digest cut across several messages was sent from, when taken over."""


@dataclass(frozen=True, slots=True)
class ClaimPolicy:
    """Whose claims these are, how long they last unrenewed, how late a slot may still go."""

    holder: str
    lease: timedelta = subs.DELIVERY_LEASE
    grace: timedelta = timedelta(hours=6)

    def too_late(self, claimed_at: datetime, now: datetime) -> bool:
        """Tell whether a lapsed claim is past saving: beyond the grace window and a lease."""
        return now - claimed_at > max(self.grace, self.lease) + self.lease


@dataclass(frozen=True, slots=True)
class ClaimBatch:
    """What one claiming transaction found and took."""

    seen: int
    """Due subscribers and lapsed claims looked at: 0 when there is nothing left to do."""
    claims: tuple[Claim, ...]
    lapsed: int = 0
    """Lapsed claims past saving, recorded as lapsed."""
    skipped: int = 0
    """Due slots passed over because they are too late to send."""

    def count(self, kind: ClaimKind) -> int:
        """Count the claims taken this way."""
        return sum(1 for claim in self.claims if claim.kind is kind)


def claim_batch(session: Session, now: datetime, policy: ClaimPolicy, limit: int) -> ClaimBatch:
    """Take over lapsed claims, then claim due subscribers: at most `limit` in all.

    A lapsed claim past saving (or whose chat is gone) is recorded as lapsed instead.
    """
    stalled = subs.take_over(session, now, holder=policy.holder, limit=limit, lease=policy.lease)
    chats = subs.chat_ids(session, {d.subscriber_id for d in stalled})
    taken: list[Claim] = []
    lapsed: list[subs.Outcome] = []
    for d in stalled:
        if d.subscriber_id not in chats or policy.too_late(d.claimed_at, now):
            lapsed.append(subs.Outcome(d.id, DigestStatus.LAPSED, d.messages))
            continue
        taken.append(
            Claim(
                d.id,
                d.subscriber_id,
                chats[d.subscriber_id],
                d.local_date,
                ClaimKind.RECOVERED,
                d.attempts,
                done=d.messages,
                render_at=d.claimed_at if d.messages else None,
                kept=d.rendering if d.messages else None,
            )
        )
    skip_locked = session.get_bind().dialect.name == "postgresql"
    due = subs.due(session, now, limit=limit - len(stalled), skip_locked=skip_locked)
    skipped = 0
    for subscriber in due:
        zone = ZoneInfo(subscriber.timezone)
        decision = decide_slot(now, parse_time(subscriber.digest_time), zone, policy.grace)
        delivery = subs.claim(
            session, subscriber, decision, now, holder=policy.holder, lease=policy.lease
        )
        if delivery is not None:
            claim = Claim(
                delivery.id,
                subscriber.id,
                subscriber.chat_id,
                decision.local_date,
                ClaimKind.NEW,
                delivery.attempts,
            )
            taken.append(claim)
        elif not decision.send:
            skipped += 1
    if lapsed:
        subs.finish(session, lapsed, now)
    ids = [claim.subscriber_id for claim in taken]
    interests = subs.interests(session, ids)
    sent = subs.sent_story_ids(session, ids)
    claims = tuple(
        replace(
            claim,
            interests=interests[claim.subscriber_id],
            sent=frozenset(sent.get(claim.subscriber_id, ())),
        )
        for claim in taken
    )
    return ClaimBatch(len(due) + len(stalled), claims, len(lapsed), skipped)


@dataclass(frozen=True, slots=True)
class Sent:
    """How sending one claimed digest went: the messenger's verdict and messages accepted in all."""

    result: DeliveryResult
    messages: int


@dataclass(frozen=True, slots=True)
class Finished:
    """A claimed digest that is done: what it was rendered as and how sending went."""

    claim: Claim
    rendered: Rendered
    sent: Sent | None = None
    """None when there was nothing new to send."""


def settle(session: Session, finished: Sequence[Finished], now: datetime) -> list[subs.Outcome]:
    """Record how finished digests went; follow a migrated chat, stop sending to a gone one."""
    outcomes = []
    for item in finished:
        claim, sent = item.claim, item.sent
        status, stories, count = DigestStatus.EMPTY, frozenset[int](), claim.done
        if sent is not None:
            result, count = sent.result, sent.messages
            if result.status in (DeliveryStatus.DELIVERED, DeliveryStatus.PARTIAL):
                status, stories = DigestStatus.SENT, item.rendered.story_ids
            elif result.deactivate:
                status = DigestStatus.UNREACHABLE
                subs.deactivate(session, result.current_chat_id, now)
            else:
                status = DigestStatus.FAILED
            if result.migrated_to is not None:
                subs.move_chat(session, claim.chat_id, result.migrated_to, now)
        outcomes.append(subs.Outcome(claim.delivery_id, status, count, stories))
    subs.finish(session, outcomes, now)
    return outcomes


@dataclass(frozen=True, slots=True)
class Recorded:
    """What one recording transaction wrote, and the claims found taken over meanwhile."""

    outcomes: list[tuple[Finished, subs.Outcome]]
    lost: set[int]


def record(
    session: Session,
    progress: Mapping[int, tuple[Claim, int]],
    renderings: Mapping[int, Rendered],
    finished: Sequence[Finished],
    now: datetime,
    holder: str,
) -> Recorded:
    """Record messages accepted so far and finished digests, for claims still this holder's.

    A claim taken over meanwhile (its fence is stale) is left to its new holder: its progress
    and outcome are dropped here and reported as lost, so the caller stops sending it.
    """
    fences = {i: claim.fence for i, (claim, _) in progress.items()}
    fences.update((item.claim.delivery_id, item.claim.fence) for item in finished)
    mine = subs.held(session, fences, holder)
    counts = {i: count for i, (_, count) in progress.items() if i in mine}
    kept = {i: rendering for i, rendering in renderings.items() if i in mine}
    subs.record_progress(session, counts, now, kept)
    done = [item for item in finished if item.claim.delivery_id in mine]
    outcomes = settle(session, done, now)
    return Recorded(list(zip(done, outcomes, strict=True)), set(fences) - mine)
