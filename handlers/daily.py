"""Daily briefs: one repeating job claims due subscribers from the store and sends their digests.

Why one job every minute rather than a job per subscriber: the store, not the scheduler, knows
who is due (`subscribers.next_due_at`, indexed), so a restart loses nothing, 10,000 subscribers
cost one query a minute instead of 10,000 scheduler entries, and a changed time or zone is a
row update instead of a job to find and replace.

Exactly once per local day: claiming a subscriber is one transaction that moves its
`next_due_at` to the following slot (a compare-and-set, so two workers never both win) and
inserts a `digest_deliveries` row unique on (subscriber, local date). The claim is committed
before anything is sent, so a crash or restart can lose a day's brief but never send it twice.
After sending, the row records the outcome and `sent_stories` the stories, which the next
brief leaves out. A slot missed while the bot was down is still sent on the next run if it is
within `missed_digest_grace_hours`; older ones are skipped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session
from telegram.ext import JobQueue

from bot.store import subscriptions as subs
from bot.store.subscriptions import Interests
from bot.subscribers import decide_slot, parse_time
from handlers import texts
from handlers.delivery import DeliveryResult, DeliveryStatus
from handlers.digests import Rendered, build_digests, render_digests, topics_for
from handlers.runtime import Context, Runtime, runtime_of

log = logging.getLogger(__name__)

BATCH = 500
"""Subscribers claimed per transaction: what a crash mid-broadcast can cost at most."""
JOB_NAME = "daily-briefs"
INTERVAL = timedelta(minutes=1)
MAX_SENDERS = 256


@dataclass(frozen=True, slots=True)
class Claimed:
    """A subscriber whose brief for `local_date` is claimed and must now be sent."""

    delivery_id: int
    subscriber_id: int
    chat_id: int
    local_date: date
    interests: Interests
    sent: frozenset[int]


_Finished = tuple[Claimed, Rendered, DeliveryResult | None]


@dataclass(slots=True)
class DailyReport:
    """What one run did."""

    claimed: int = 0
    sent: int = 0
    empty: int = 0
    failed: int = 0
    unreachable: int = 0
    migrated: int = 0
    too_late: int = 0
    messages: int = 0
    renders: int = 0
    topic_sets: set[Hashable] = field(default_factory=set)

    def count(self, status: str) -> None:
        """Count one finished brief by its stored status."""
        name = {subs.SENT: "sent", subs.EMPTY: "empty", subs.UNREACHABLE: "unreachable"}
        attribute = name.get(status, "failed")
        setattr(self, attribute, getattr(self, attribute) + 1)


class DailyDigests:
    """Claim due subscribers in batches, render once per distinct brief, send, record."""

    def __init__(self, runtime: Runtime, *, batch: int = BATCH) -> None:
        self.runtime = runtime
        self.batch = batch
        self._running = asyncio.Lock()

    @property
    def running(self) -> bool:
        """Tell whether a run is under way."""
        return self._running.locked()

    async def run(self) -> DailyReport | None:
        """Send every brief that is due; None if a run was already under way.

        Claiming and rendering the next batch overlaps with sending the last one, and senders
        take briefs one by one from a queue, so the deliverer's overall rate stays saturated.
        """
        if self._running.locked():
            return None
        async with self._running:
            report = DailyReport()
            cache: dict[Hashable, Rendered] = {}
            outbox: asyncio.Queue[tuple[Claimed, Rendered] | None] = asyncio.Queue(self.batch)
            finished: list[_Finished] = []
            senders = [
                asyncio.create_task(self._sender(outbox, finished)) for _ in range(self._workers())
            ]
            try:
                while True:
                    now = self.runtime.clock()
                    seen, batch = await self._claim_batch(now, report)
                    if not seen:
                        break
                    for claimed, rendered in await self._render_batch(batch, now, cache, report):
                        if rendered.empty:
                            finished.append((claimed, rendered, None))
                        else:
                            await outbox.put((claimed, rendered))
                    await self._flush(finished, report)
            finally:
                for _ in senders:
                    await outbox.put(None)
                await asyncio.gather(*senders)
                await self._flush(finished, report)
            if report.claimed or report.too_late:
                log.info("Daily briefs: %s", report)
            return report

    def _workers(self) -> int:
        settings = self.runtime.deliverer.settings
        return min(MAX_SENDERS, max(settings.concurrency, int(2 * settings.messages_per_second)))

    async def _sender(
        self, outbox: asyncio.Queue[tuple[Claimed, Rendered] | None], finished: list[_Finished]
    ) -> None:
        while (item := await outbox.get()) is not None:
            claimed, rendered = item
            try:
                result = await self.runtime.deliverer.send(claimed.chat_id, rendered.messages)
            except Exception as exc:
                log.exception("Daily brief for chat %s crashed", claimed.chat_id)
                result = DeliveryResult(claimed.chat_id, DeliveryStatus.FAILED, reason=repr(exc))
            finished.append((claimed, rendered, result))

    async def _render_batch(
        self,
        batch: list[Claimed],
        now: datetime,
        cache: dict[Hashable, Rendered],
        report: DailyReport,
    ) -> list[tuple[Claimed, Rendered]]:
        rendered = await self.runtime.store(lambda s: self._render(s, batch, now, cache, report))
        return list(zip(batch, rendered, strict=True))

    async def _flush(self, finished: list[_Finished], report: DailyReport) -> None:
        """Record the outcomes so far (taken from the shared list before leaving the loop)."""
        if not finished:
            return
        done, finished[:] = finished[:], []
        now = self.runtime.clock()
        await self.runtime.store(lambda s: self._record(s, done, now, report))

    async def _claim_batch(self, now: datetime, report: DailyReport) -> tuple[int, list[Claimed]]:
        """Claim the next batch of due subscribers in one transaction."""
        return await self.runtime.store(lambda s: self._claim(s, now, report))

    def _claim(
        self, session: Session, now: datetime, report: DailyReport
    ) -> tuple[int, list[Claimed]]:
        grace = timedelta(hours=self.runtime.settings.telegram.missed_digest_grace_hours)
        due = subs.due(session, now, limit=self.batch)
        taken = []
        for subscriber in due:
            decision = decide_slot(
                now, parse_time(subscriber.digest_time), ZoneInfo(subscriber.timezone), grace
            )
            delivery = subs.claim(session, subscriber, decision, now)
            if delivery is not None:
                taken.append((delivery.id, subscriber.id, subscriber.chat_id, decision.local_date))
            elif not decision.send:
                report.too_late += 1
        ids = [sub_id for _, sub_id, _, _ in taken]
        interests = subs.interests(session, ids)
        sent = subs.sent_story_ids(session, ids)
        report.claimed += len(taken)
        return len(due), [
            Claimed(d, s, c, day, interests[s], frozenset(sent.get(s, ())))
            for d, s, c, day in taken
        ]

    def _render(
        self,
        session: Session,
        batch: list[Claimed],
        now: datetime,
        cache: dict[Hashable, Rendered],
        report: DailyReport,
    ) -> list[Rendered]:
        options = self.runtime.services.digest_options
        catalog = self.runtime.services.topics
        out = []
        for claimed in batch:
            key = (claimed.local_date, claimed.interests, claimed.sent)
            report.topic_sets.add(claimed.interests)
            rendered = cache.get(key)
            if rendered is None:
                report.renders += 1
                digests = build_digests(
                    session,
                    topics_for(catalog, claimed.interests),
                    now=now,
                    options=options,
                    exclude=claimed.sent,
                )
                day = claimed.local_date
                header = texts.DAILY_HEADER.format(date=f"{day:%A} {day.day} {day:%B}")
                rendered = cache[key] = render_digests(digests, skip_empty=True, header=header)
            out.append(rendered)
        return out

    @staticmethod
    def _record(
        session: Session, done: list[_Finished], now: datetime, report: DailyReport
    ) -> None:
        outcomes = []
        for claimed, rendered, result in done:
            status, stories, count = subs.EMPTY, frozenset[int](), 0
            if result is not None:
                count = len(result.sent_message_ids)
                report.messages += count
                if result.status in (DeliveryStatus.DELIVERED, DeliveryStatus.PARTIAL):
                    status, stories = subs.SENT, rendered.story_ids
                elif result.deactivate:
                    status = subs.UNREACHABLE
                    subs.deactivate(session, result.current_chat_id, now)
                else:
                    status = subs.FAILED
                if result.migrated_to is not None:
                    report.migrated += 1
                    subs.move_chat(session, claimed.chat_id, result.migrated_to, now)
            report.count(status)
            outcomes.append(subs.Outcome(claimed.delivery_id, status, count, stories))
        subs.finish(session, outcomes, now)


async def daily_job(context: Context) -> None:
    """Start a run of the daily briefs in the background unless one is under way."""
    daily = runtime_of(context).daily
    if isinstance(daily, DailyDigests) and not daily.running:
        context.application.create_task(daily.run(), name=JOB_NAME)


def schedule(job_queue: JobQueue[Context]) -> None:
    """Check for due briefs at the start of every minute (and so soon after a restart)."""
    now = datetime.now(UTC)
    first = 60 - now.second - now.microsecond / 1e6 + 1
    job_queue.run_repeating(daily_job, interval=INTERVAL, first=first, name=JOB_NAME)
