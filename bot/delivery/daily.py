"""Daily briefs: claim due subscribers from the store, render once per distinct brief, send, record.

Why one repeating check rather than a scheduler entry per subscriber: the store, not the
scheduler, knows who is due (`subscribers.next_due_at`, indexed), so a restart loses nothing,
10,000 subscribers cost one indexed read per check, and a changed time or zone is a row update.
Each due brief is sent exactly once however many instances share the store: the claim rules are
in `claims.py`, the design in docs/delivery.md. The messenger is behind a `Sender`.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TypeVar

from sqlalchemy.orm import Session

from newsbrief.bot.delivery.claims import (
    Claim,
    ClaimBatch,
    ClaimKind,
    ClaimPolicy,
    Finished,
    Sent,
    claim_batch,
    record,
)
from newsbrief.bot.delivery.interests import build_digests, topics_for
from newsbrief.bot.delivery.rendered import DailyRenderer, Rendered
from newsbrief.bot.delivery.sending import DeliveryResult, DeliveryStatus, Sender
from newsbrief.bot.services import Services
from newsbrief.bot.store import subscriptions as subs
from newsbrief.bot.store.leases import announce, withdraw, worker_name
from newsbrief.bot.store.statuses import DigestStatus

log = logging.getLogger(__name__)

T = TypeVar("T")
Clock = Callable[[], datetime]
Progress = dict[int, tuple[Claim, int]]
"""Messages accepted so far, by delivery id."""
Renderings = dict[int, Rendered]
"""What a digest of several messages was sent from, by delivery id."""

BATCH = 500
"""The most subscribers claimed in one transaction."""
CLAIM_AHEAD_SECONDS = 2.0
"""Claim about this much sending at a time: enough to keep the senders busy while the next
batch is claimed and rendered, little enough that instances share a broadcast and a crash
strands only seconds of it until the lease runs out."""
SENDERS = "daily-senders"
"""The lease group of instances sending daily briefs now; they share the bot's rate limit."""
SHARE_SECONDS = 2.0
"""How often a sending instance renews its place in `SENDERS` and takes its share again."""
SENDER_TTL = timedelta(seconds=5 * SHARE_SECONDS)
JOIN_SECONDS = 1.5 * SHARE_SECONDS
"""How long an instance joining others waits before sending: time for them to slow down."""
MAX_SENDERS = 256
RECORD_RETRY_SECONDS = 1.0


def utc_now() -> datetime:
    """Tell the time, in UTC."""
    return datetime.now(UTC)


@dataclass(slots=True)
class DailyReport:
    """What one run did."""

    claimed: int = 0
    recovered: int = 0
    sent: int = 0
    empty: int = 0
    failed: int = 0
    unreachable: int = 0
    migrated: int = 0
    too_late: int = 0
    lost: int = 0
    messages: int = 0
    renders: int = 0
    topic_sets: set[Hashable] = field(default_factory=set)

    def claimed_batch(self, batch: ClaimBatch) -> None:
        """Count what one claiming transaction took and passed over."""
        self.claimed += batch.count(ClaimKind.NEW)
        self.recovered += batch.count(ClaimKind.RECOVERED)
        self.too_late += batch.lapsed + batch.skipped

    def finished(self, item: Finished, outcome: subs.Outcome) -> None:
        """Count one finished brief by its stored status."""
        if item.sent is not None:
            self.messages += len(item.sent.result.sent_message_ids)
            self.migrated += item.sent.result.migrated_to is not None
        name = {
            DigestStatus.SENT: "sent",
            DigestStatus.EMPTY: "empty",
            DigestStatus.UNREACHABLE: "unreachable",
            DigestStatus.LAPSED: "too_late",
        }
        attribute = name.get(outcome.status, "failed")
        setattr(self, attribute, getattr(self, attribute) + 1)


class DailyDigests:
    """Claim due subscribers in batches, render once per distinct brief, send, record."""

    def __init__(
        self,
        services: Services,
        sender: Sender,
        render: DailyRenderer,
        *,
        clock: Clock = utc_now,
        batch: int = BATCH,
        lease: timedelta = subs.DELIVERY_LEASE,
        holder: str | None = None,
    ) -> None:
        self.services = services
        self.sender = sender
        self.render = render
        self.clock = clock
        self.batch = batch
        telegram = services.settings.telegram
        self.policy = ClaimPolicy(
            holder=holder or f"{worker_name()}:{secrets.token_hex(3)}",
            lease=lease,
            grace=timedelta(hours=telegram.missed_digest_grace_hours),
        )
        self.horizon = timedelta(days=telegram.daily_digest_days)
        self._running = asyncio.Lock()
        self._held: dict[int, int] = {}
        """Unfinished claims this instance holds: delivery id -> fence."""
        self._lost: set[int] = set()
        self.announced = False

    @property
    def holder(self) -> str:
        """Name this instance's claims are held under."""
        return self.policy.holder

    @property
    def lease(self) -> timedelta:
        """How long a claim stays with this instance without renewal."""
        return self.policy.lease

    @property
    def running(self) -> bool:
        """Tell whether a run is under way."""
        return self._running.locked()

    @property
    def held(self) -> frozenset[int]:
        """The unfinished digests (delivery ids) this instance holds now."""
        return frozenset(self._held)

    @property
    def claim_size(self) -> int:
        """Subscribers to claim per transaction: a couple of seconds of sending."""
        rate = self.sender.overall_rate
        return max(1, min(self.batch, int(rate * CLAIM_AHEAD_SECONDS)))

    def give_up(self, delivery_ids: Iterable[int]) -> None:
        """Stop sending these digests: another instance holds them now."""
        for delivery_id in delivery_ids:
            self._lost.add(delivery_id)
            self._held.pop(delivery_id, None)

    async def still_ours(self, claim: Claim) -> bool:
        """Tell whether this instance still holds `claim` under its fence, renewing it if short.

        A healthy holder renews every quarter lease, so a lease down to half means this instance
        was stalled (paused, starved): its claim is checked and renewed under the fence before
        anything more is sent, and given up if another instance took it over meanwhile.
        """
        now = self.clock()
        state = await self._read(lambda s: subs.claim_state(s, claim.delivery_id))
        ours = (
            state is not None
            and state.holder == self.holder
            and state.fence == claim.fence
            and state.lease_until is not None
        )
        if ours and state is not None and state.lease_until is not None:
            if state.lease_until - now >= self.lease / 2:
                return True
            fences = {claim.delivery_id: claim.fence}
            kept = await self._write(
                partial(subs.renew, fences=fences, now=now, holder=self.holder, lease=self.lease)
            )
            ours = claim.delivery_id in kept
        if not ours:
            self.give_up([claim.delivery_id])
        return ours

    async def share_rate(self) -> int:
        """Tell the store this instance is sending briefs; pace at its share of the bot's limit.

        Telegram's limit is per bot, not per process: the instances sending at the same time
        divide it. Each renews its place every `SHARE_SECONDS` while it sends and leaves when
        done, so a share comes back within seconds, even from an instance that died.
        """
        now = self.clock()
        instances = await self._write(
            partial(announce, group=SENDERS, member=self.holder, now=now, ttl=SENDER_TTL)
        )
        self.sender.share(instances)
        self.announced = True
        return instances

    async def withdraw(self) -> None:
        """Hand this instance's share back at once (on shutdown)."""
        await self._write(partial(withdraw, group=SENDERS, member=self.holder))
        self.announced = False

    async def claim(self, now: datetime, limit: int | None = None) -> ClaimBatch:
        """Take over lapsed claims and claim due subscribers, in one transaction."""
        size = limit or self.claim_size
        batch = await self._write(lambda s: claim_batch(s, now, self.policy, size))
        self._held.update((c.delivery_id, c.fence) for c in batch.claims)
        return batch

    async def render_claims(
        self,
        claims: Sequence[Claim],
        now: datetime,
        cache: dict[Hashable, Rendered] | None = None,
        report: DailyReport | None = None,
    ) -> list[Rendered]:
        """Render each claimed brief, once per distinct (day, interests, already-sent) set."""
        cache = {} if cache is None else cache
        report = DailyReport() if report is None else report
        return await self._read(lambda s: self._render(s, claims, now, cache, report))

    async def run(self) -> DailyReport | None:
        """Send every brief that is due or lapsed; None if a run was already under way.

        Claiming and rendering the next batch overlaps with sending the last one, and senders
        take briefs one by one from a queue, so the sender's overall rate stays saturated.
        """
        if self._running.locked():
            return None
        async with self._running:
            report = DailyReport()
            now = self.clock()
            if not await self._read(lambda s: subs.pending(s, now)):
                return report
            if await self.share_rate() > 1:
                await asyncio.sleep(JOIN_SECONDS)  # the others take their new share meanwhile
            sharer = asyncio.create_task(self._keep_sharing())
            cache: dict[Hashable, Rendered] = {}
            size = self.claim_size
            outbox: asyncio.Queue[tuple[Claim, Rendered] | None] = asyncio.Queue(size)
            recorder = _Recorder(partial(self._record, report=report))
            senders = [
                asyncio.create_task(self._sender(outbox, recorder, report))
                for _ in range(self._workers())
            ]
            renewer = asyncio.create_task(self._renew_while_held())
            try:
                while True:
                    now = self.clock()
                    batch = await self.claim(now, size)
                    report.claimed_batch(batch)
                    if not batch.seen:
                        break
                    rendered = await self.render_claims(batch.claims, now, cache, report)
                    for claim, one in zip(batch.claims, rendered, strict=True):
                        if one.empty:
                            recorder.finish(Finished(claim, one))
                        else:
                            await outbox.put((claim, one))
            finally:
                for _ in senders:
                    await outbox.put(None)
                await asyncio.gather(*senders)
                await recorder.close()
                renewer.cancel()
                sharer.cancel()
                self._lost.clear()
                try:
                    await self.withdraw()
                except Exception:  # its place lapses in seconds anyway
                    log.exception("Could not hand back this instance's share of the send rate")
            if report.claimed or report.recovered or report.too_late:
                log.info("Daily briefs: %s", report)
            return report

    def _workers(self) -> int:
        rate = self.sender.overall_rate
        return min(MAX_SENDERS, max(self.sender.concurrency, int(2 * rate)))

    async def _write(self, work: Callable[[Session], T]) -> T:
        """Run `work` in one transaction on a worker thread, so the event loop never waits."""

        def run() -> T:
            with self.services.database.transaction() as session:
                return work(session)

        return await asyncio.to_thread(run)

    async def _read(self, work: Callable[[Session], T]) -> T:
        """Run read-only `work` on a worker thread without SQLite's write lock."""

        def run() -> T:
            with self.services.database.transaction(readonly=True) as session:
                return work(session)

        return await asyncio.to_thread(run)

    async def _sender(
        self,
        outbox: asyncio.Queue[tuple[Claim, Rendered] | None],
        recorder: _Recorder,
        report: DailyReport,
    ) -> None:
        while (item := await outbox.get()) is not None:
            claim, rendered = item
            try:
                sent = await self._send(claim, rendered, recorder)
            except Exception as exc:
                log.exception("Daily brief for chat %s crashed", claim.chat_id)
                failed = DeliveryResult(claim.chat_id, DeliveryStatus.FAILED, reason=repr(exc))
                sent = Sent(failed, claim.done)
            if sent is None:
                report.lost += 1
            else:
                recorder.finish(Finished(claim, rendered, sent))

    async def _send(self, claim: Claim, rendered: Rendered, recorder: _Recorder) -> Sent | None:
        """Send the messages not yet accepted, one at a time, recording each; None if lost."""
        target, migrated_to = claim.chat_id, None
        done, ids, refused = claim.done, list[int](), 0
        fence = partial(self.still_ours, claim)
        for message in rendered.messages[claim.done :]:
            if claim.delivery_id in self._lost:
                log.warning("Daily brief for chat %s was taken over; stopping", claim.chat_id)
                return None
            result = await self.sender.send(target, [message], fence=fence)
            if result.status is DeliveryStatus.WITHDRAWN:
                log.warning("Daily brief for chat %s was taken over; stopping", claim.chat_id)
                return None
            if result.migrated_to is not None:
                target = migrated_to = result.migrated_to
            if result.sent_message_ids:
                done += 1
                ids.extend(result.sent_message_ids)
                first_of_several = done == 1 and len(rendered.messages) > 1
                recorder.progress(claim, done, rendered if first_of_several else None)
            elif result.failures and not result.deactivate:
                refused += 1  # the messenger refused this message (logged); the others still go
            else:
                return Sent(_result(claim.chat_id, result.status, ids, migrated_to), done)
        if refused and not ids:
            status = DeliveryStatus.FAILED if not done else DeliveryStatus.PARTIAL
        else:
            status = DeliveryStatus.PARTIAL if refused else DeliveryStatus.DELIVERED
        return Sent(_result(claim.chat_id, status, ids, migrated_to), done)

    async def _keep_sharing(self) -> None:
        """Renew this instance's place among the senders, and its share, while it sends."""
        while True:
            await asyncio.sleep(SHARE_SECONDS)
            try:
                await self.share_rate()
            except Exception:
                log.exception("Could not renew this instance's share of the send rate")

    async def _renew_while_held(self) -> None:
        """Renew this instance's claims every quarter lease, noting any taken over meanwhile."""
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 4)
            fences = dict(self._held)
            if not fences:
                continue
            now = self.clock()
            try:
                kept = await self._write(
                    partial(
                        subs.renew, fences=fences, now=now, holder=self.holder, lease=self.lease
                    )
                )
            except Exception:
                log.exception("Could not renew the daily-brief leases")
                continue
            self.give_up((fences.keys() & self._held.keys()) - kept)

    def _render(
        self,
        session: Session,
        claims: Sequence[Claim],
        now: datetime,
        cache: dict[Hashable, Rendered],
        report: DailyReport,
    ) -> list[Rendered]:
        options = self.services.digest_options
        catalog = self.services.topics
        out = []
        for claim in claims:
            if claim.kept is not None:
                out.append(claim.kept)
                continue
            key = (claim.local_date, claim.interests, claim.sent, claim.render_at)
            report.topic_sets.add(claim.interests)
            rendered = cache.get(key)
            if rendered is None:
                report.renders += 1
                as_of = claim.render_at or now
                digests = build_digests(
                    session,
                    topics_for(catalog, claim.interests),
                    now=as_of,
                    options=options,
                    exclude=claim.sent,
                    since=as_of - self.horizon,
                )
                rendered = cache[key] = self.render(digests, claim.local_date)
            out.append(rendered)
        return out

    async def _record(
        self,
        progress: Progress,
        renderings: Renderings,
        finished: list[Finished],
        *,
        report: DailyReport,
    ) -> None:
        """Write progress and outcomes of claims still ours in one transaction; forget finished."""
        now = self.clock()
        recorded = await self._write(
            lambda s: record(s, progress, renderings, finished, now, self.holder)
        )
        for item, outcome in recorded.outcomes:
            report.finished(item, outcome)
            self._held.pop(item.claim.delivery_id, None)
        if recorded.lost:
            log.warning("%d daily briefs were taken over by another instance", len(recorded.lost))
            self.give_up(recorded.lost)


def _result(
    chat_id: int, status: DeliveryStatus, ids: list[int], migrated_to: int | None
) -> DeliveryResult:
    return DeliveryResult(chat_id, status, tuple(ids), migrated_to=migrated_to)


class _Recorder:
    """Write progress and outcomes as they come, many per transaction when they come fast.

    A message's record lands a few milliseconds after the messenger accepted it: that gap, per
    message, is the only time a crash can make a recovering instance send it again.
    """

    def __init__(self, write: Callable[[Progress, Renderings, list[Finished]], Awaitable[None]]):
        self._write = write
        self._progress: Progress = {}
        self._renderings: Renderings = {}
        self._finished: list[Finished] = []
        self._wake = asyncio.Event()
        self._closing = False
        self._task = asyncio.create_task(self._loop())

    def progress(self, claim: Claim, messages: int, rendered: Rendered | None = None) -> None:
        """Note that `messages` of a digest were accepted so far (and what it was sent from)."""
        self._progress[claim.delivery_id] = (claim, messages)
        if rendered is not None:
            self._renderings[claim.delivery_id] = rendered
        self._wake.set()

    def finish(self, item: Finished) -> None:
        """Note how a digest ended."""
        self._finished.append(item)
        self._wake.set()

    async def close(self) -> None:
        """Write what is left and stop."""
        self._closing = True
        self._wake.set()
        await self._task

    async def _loop(self) -> None:
        while True:
            if not (self._progress or self._finished):
                if self._closing:
                    return
                await self._wake.wait()
                self._wake.clear()
                continue
            progress, self._progress = self._progress, {}
            renderings, self._renderings = self._renderings, {}
            finished, self._finished = self._finished, []
            try:
                await self._write(progress, renderings, finished)
            except Exception:
                log.exception("Could not record daily briefs; retrying")
                self._progress = {**progress, **self._progress}
                self._renderings = {**renderings, **self._renderings}
                self._finished[:0] = finished
                await asyncio.sleep(RECORD_RETRY_SECONDS)
