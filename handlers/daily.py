"""Daily briefs: one repeating job claims due subscribers from the store and sends their digests.

Why one job every few seconds rather than a job per subscriber: the store, not the scheduler,
knows who is due (`subscribers.next_due_at`, indexed), so a restart loses nothing, 10,000
subscribers cost one indexed read per tick instead of 10,000 scheduler entries, and a changed
time or zone is a row update instead of a job to find and replace.

Exactly once per local day, with any number of instances on one store:

- *Claim.* Claiming a subscriber is one transaction that moves its `next_due_at` to the
  following slot (a compare-and-set, so two instances never both win) and inserts a
  `digest_deliveries` row unique on (subscriber, local date), held by this instance under a
  lease (`subs.DELIVERY_LEASE`). An instance claims a couple of seconds of sending at a time
  and holds a few seconds' worth (its senders keep theirs while they wait for a token), so
  instances share a broadcast and a crash strands little.
- *Progress.* Each message Telegram accepts is recorded at once (group-committed by a recorder
  task); the outcome and the stories sent (`sent_stories`, which the next brief leaves out)
  when the digest is done. The holder renews its leases while it works.
- *Recovery.* A claim whose lease ran out (its instance died) is taken over by the next run of
  any instance, which sends only the messages not yet recorded. A digest of several messages
  keeps its rendering in the store from its first accepted message until it is finished, so
  the rest is sent as it was rendered even if news arrived meanwhile.

- *Rate.* Telegram's limit is per bot, so the instances sending at the same moment share it:
  each announces itself in the store while it sends and paces at the limit divided by those
  announced; one that joins waits a moment first, so the others have slowed down.

The one duplicate window is a message Telegram accepted whose record had not landed when its
sender died (a few milliseconds per message). A slot missed while every instance was down is
still sent on the next run if it is within `missed_digest_grace_hours`; older ones are skipped.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session
from telegram.ext import JobQueue

from newsbrief.bot.delivery.schedule import decide_slot, parse_time
from newsbrief.bot.store import subscriptions as subs
from newsbrief.bot.store.leases import announce, withdraw
from newsbrief.bot.store.subscriptions import Interests
from newsbrief.bot.worker import worker_name
from newsbrief.handlers import texts
from newsbrief.handlers.chat_digests import Rendered, build_digests, render_digests, topics_for
from newsbrief.handlers.delivery import DeliveryResult, DeliveryStatus
from newsbrief.handlers.runtime import Context, Runtime, runtime_of

log = logging.getLogger(__name__)

T = TypeVar("T")
BATCH = 500
"""The most subscribers claimed in one transaction."""
CLAIM_AHEAD_SECONDS = 2.0
"""Claim about this much sending at a time: enough to keep the senders busy while the next
batch is claimed and rendered, little enough that instances share a broadcast and a crash
strands only seconds of it until the lease runs out."""
JOB_NAME = "daily-briefs"
INTERVAL = timedelta(seconds=10)
"""How often to look for due briefs and lapsed claims; a look that finds nothing is one read."""
FIRST_CHECK = timedelta(seconds=1)
SENDERS = "daily-senders"
"""The lease group of instances sending daily briefs now; they share the bot's rate limit."""
SHARE_SECONDS = 2.0
"""How often a sending instance renews its place in `SENDERS` and takes its share again."""
SENDER_TTL = timedelta(seconds=5 * SHARE_SECONDS)
JOIN_SECONDS = 1.5 * SHARE_SECONDS
"""How long an instance joining others waits before sending: time for them to slow down."""
MAX_SENDERS = 256
RECORD_RETRY_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class Claimed:
    """A subscriber whose brief for `local_date` is claimed and must now be sent."""

    delivery_id: int
    subscriber_id: int
    chat_id: int
    local_date: date
    interests: Interests
    sent: frozenset[int]
    done: int = 0
    """Messages Telegram already accepted (a digest taken over part way)."""
    render_at: datetime | None = None
    """Render as of this time (the first claim's) so the rest matches what was sent."""
    kept: Rendered | None = None
    """The rendering a digest cut across several messages was sent from, when taken over."""


@dataclass(frozen=True, slots=True)
class Sent:
    """How sending one claimed digest went: Telegram's verdict and messages accepted in all."""

    result: DeliveryResult
    messages: int


_Finished = tuple[Claimed, Rendered, Sent | None]


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

    def count(self, status: str) -> None:
        """Count one finished brief by its stored status."""
        name = {
            subs.SENT: "sent",
            subs.EMPTY: "empty",
            subs.UNREACHABLE: "unreachable",
            subs.LAPSED: "too_late",
        }
        attribute = name.get(status, "failed")
        setattr(self, attribute, getattr(self, attribute) + 1)


class DailyDigests:
    """Claim due subscribers in batches, render once per distinct brief, send, record."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        batch: int = BATCH,
        lease: timedelta = subs.DELIVERY_LEASE,
        holder: str | None = None,
    ) -> None:
        self.runtime = runtime
        self.batch = batch
        self.lease = lease
        self.holder = holder or f"{worker_name()}:{secrets.token_hex(3)}"
        self._running = asyncio.Lock()
        self._held: set[int] = set()
        self._lost: set[int] = set()
        self.announced = False

    @property
    def running(self) -> bool:
        """Tell whether a run is under way."""
        return self._running.locked()

    @property
    def claim_size(self) -> int:
        """Subscribers to claim per transaction: a couple of seconds of sending."""
        rate = self.runtime.deliverer.overall_rate
        return max(1, min(self.batch, int(rate * CLAIM_AHEAD_SECONDS)))

    async def share_rate(self) -> int:
        """Tell the store this instance is sending briefs; pace at its share of the bot's limit.

        Telegram's limit is per bot, not per process: the instances sending at the same time
        divide it. Each renews its place every `SHARE_SECONDS` while it sends and leaves when
        done, so a share comes back within seconds, even from an instance that died.
        """
        now = self.runtime.clock()
        instances = await self.runtime.store(
            partial(announce, group=SENDERS, member=self.holder, now=now, ttl=SENDER_TTL)
        )
        self.runtime.deliverer.share(instances)
        self.announced = True
        return instances

    async def withdraw(self) -> None:
        """Hand this instance's share back at once (on shutdown)."""
        await self.runtime.store(partial(withdraw, group=SENDERS, member=self.holder))
        self.announced = False

    async def run(self) -> DailyReport | None:
        """Send every brief that is due or lapsed; None if a run was already under way.

        Claiming and rendering the next batch overlaps with sending the last one, and senders
        take briefs one by one from a queue, so the deliverer's overall rate stays saturated.
        """
        if self._running.locked():
            return None
        async with self._running:
            report = DailyReport()
            now = self.runtime.clock()
            if not await self._read(lambda s: subs.pending(s, now)):
                return report
            if await self.share_rate() > 1:
                await asyncio.sleep(JOIN_SECONDS)  # the others take their new share meanwhile
            sharer = asyncio.create_task(self._keep_sharing())
            cache: dict[Hashable, Rendered] = {}
            size = self.claim_size
            outbox: asyncio.Queue[tuple[Claimed, Rendered] | None] = asyncio.Queue(size)
            recorder = _Recorder(self, report)
            senders = [
                asyncio.create_task(self._sender(outbox, recorder)) for _ in range(self._workers())
            ]
            renewer = asyncio.create_task(self._renew_while_held())
            try:
                while True:
                    now = self.runtime.clock()
                    seen, batch = await self._claim_batch(now, report, size)
                    if not seen:
                        break
                    for claimed, rendered in await self._render_batch(batch, now, cache, report):
                        if rendered.empty:
                            recorder.finish((claimed, rendered, None))
                        else:
                            await outbox.put((claimed, rendered))
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
        deliverer = self.runtime.deliverer
        rate = deliverer.overall_rate
        return min(MAX_SENDERS, max(deliverer.settings.concurrency, int(2 * rate)))

    async def _read(self, work: Callable[[Session], T]) -> T:
        """Run read-only `work` on a worker thread without SQLite's write lock."""

        def run() -> T:
            with self.runtime.services.database.transaction(readonly=True) as session:
                return work(session)

        return await asyncio.to_thread(run)

    async def _sender(
        self, outbox: asyncio.Queue[tuple[Claimed, Rendered] | None], recorder: _Recorder
    ) -> None:
        while (item := await outbox.get()) is not None:
            claimed, rendered = item
            try:
                sent = await self._send(claimed, rendered, recorder)
            except Exception as exc:
                log.exception("Daily brief for chat %s crashed", claimed.chat_id)
                failed = DeliveryResult(claimed.chat_id, DeliveryStatus.FAILED, reason=repr(exc))
                sent = Sent(failed, claimed.done)
            if sent is not None:
                recorder.finish((claimed, rendered, sent))

    async def _send(self, claimed: Claimed, rendered: Rendered, recorder: _Recorder) -> Sent | None:
        """Send the messages not yet accepted, one at a time, recording each; None if lost."""
        deliverer = self.runtime.deliverer
        target, migrated_to = claimed.chat_id, None
        done, ids, refused = claimed.done, list[int](), 0
        for message in rendered.messages[claimed.done :]:
            if claimed.delivery_id in self._lost:
                log.warning("Daily brief for chat %s was taken over; stopping", claimed.chat_id)
                return None
            result = await deliverer.send(target, [message])
            if result.migrated_to is not None:
                target = migrated_to = result.migrated_to
            if result.sent_message_ids:
                done += 1
                ids.extend(result.sent_message_ids)
                first_of_several = done == 1 and len(rendered.messages) > 1
                recorder.progress(claimed.delivery_id, done, rendered if first_of_several else None)
            elif result.failures and not result.deactivate:
                refused += 1  # Telegram refused this message (logged); the others still go
            else:
                return Sent(_result(claimed.chat_id, result.status, ids, migrated_to), done)
        if refused and not ids:
            status = DeliveryStatus.FAILED if not done else DeliveryStatus.PARTIAL
        else:
            status = DeliveryStatus.PARTIAL if refused else DeliveryStatus.DELIVERED
        return Sent(_result(claimed.chat_id, status, ids, migrated_to), done)

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
            held = set(self._held)
            if not held:
                continue
            now = self.runtime.clock()
            try:
                kept = await self.runtime.store(
                    partial(
                        subs.renew, delivery_ids=held, now=now, holder=self.holder, lease=self.lease
                    )
                )
            except Exception:
                log.exception("Could not renew the daily-brief leases")
                continue
            self._lost.update((held & self._held) - kept)

    async def _render_batch(
        self,
        batch: list[Claimed],
        now: datetime,
        cache: dict[Hashable, Rendered],
        report: DailyReport,
    ) -> list[tuple[Claimed, Rendered]]:
        rendered = await self._read(lambda s: self._render(s, batch, now, cache, report))
        return list(zip(batch, rendered, strict=True))

    async def _claim_batch(
        self, now: datetime, report: DailyReport, limit: int | None = None
    ) -> tuple[int, list[Claimed]]:
        """Take over lapsed claims, then claim due subscribers, in one transaction."""
        size = limit or self.claim_size
        seen, batch, lapsed = await self.runtime.store(lambda s: self._claim(s, now, report, size))
        self._held.update(c.delivery_id for c in batch)
        if lapsed:
            outcomes = [subs.Outcome(c.delivery_id, subs.LAPSED, c.done) for c in lapsed]
            await self.runtime.store(lambda s: subs.finish(s, outcomes, now))
        return seen, batch

    def _claim(
        self, session: Session, now: datetime, report: DailyReport, limit: int
    ) -> tuple[int, list[Claimed], list[Claimed]]:
        grace = timedelta(hours=self.runtime.settings.telegram.missed_digest_grace_hours)
        taken: list[tuple[int, int, int, date, int, datetime | None, Rendered | None]] = []
        lapsed: list[Claimed] = []
        stalled = subs.take_over(session, now, holder=self.holder, limit=limit, lease=self.lease)
        chats = subs.chat_ids(session, {d.subscriber_id for d in stalled})
        for d in stalled:
            late = now - d.claimed_at > max(grace, self.lease) + self.lease
            if d.subscriber_id not in chats or late:
                lapsed.append(
                    Claimed(
                        d.id, d.subscriber_id, 0, d.local_date, Interests(), frozenset(), d.messages
                    )
                )
                report.too_late += 1
                continue
            render_at = d.claimed_at if d.messages else None
            kept = Rendered.from_json(d.rendering) if d.messages and d.rendering else None
            chat = chats[d.subscriber_id]
            taken.append((d.id, d.subscriber_id, chat, d.local_date, d.messages, render_at, kept))
            report.recovered += 1
        skip_locked = session.get_bind().dialect.name == "postgresql"
        due = subs.due(session, now, limit=limit - len(stalled), skip_locked=skip_locked)
        for subscriber in due:
            decision = decide_slot(
                now, parse_time(subscriber.digest_time), ZoneInfo(subscriber.timezone), grace
            )
            delivery = subs.claim(
                session, subscriber, decision, now, holder=self.holder, lease=self.lease
            )
            if delivery is not None:
                taken.append(
                    (
                        delivery.id,
                        subscriber.id,
                        subscriber.chat_id,
                        decision.local_date,
                        0,
                        None,
                        None,
                    )
                )
                report.claimed += 1
            elif not decision.send:
                report.too_late += 1
        ids = [t[1] for t in taken]
        interests = subs.interests(session, ids)
        sent = subs.sent_story_ids(session, ids)
        return (
            len(due) + len(stalled),
            [
                Claimed(d, s, c, day, interests[s], frozenset(sent.get(s, ())), done, at, kept)
                for d, s, c, day, done, at, kept in taken
            ],
            lapsed,
        )

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
        horizon = timedelta(days=self.runtime.settings.telegram.daily_digest_days)
        out = []
        for claimed in batch:
            if claimed.kept is not None:
                out.append(claimed.kept)
                continue
            key = (claimed.local_date, claimed.interests, claimed.sent, claimed.render_at)
            report.topic_sets.add(claimed.interests)
            rendered = cache.get(key)
            if rendered is None:
                report.renders += 1
                as_of = claimed.render_at or now
                digests = build_digests(
                    session,
                    topics_for(catalog, claimed.interests),
                    now=as_of,
                    options=options,
                    exclude=claimed.sent,
                    since=as_of - horizon,
                )
                day = claimed.local_date
                header = texts.DAILY_HEADER.format(date=f"{day:%A} {day.day} {day:%B}")
                rendered = cache[key] = render_digests(digests, skip_empty=True, header=header)
            out.append(rendered)
        return out

    def _record(
        self,
        session: Session,
        progress: dict[int, int],
        renderings: dict[int, Rendered],
        done: list[_Finished],
        now: datetime,
        report: DailyReport,
    ) -> None:
        kept = {i: rendered.to_json() for i, rendered in renderings.items()}
        subs.record_progress(session, progress, now, kept)
        outcomes = []
        for claimed, rendered, sent in done:
            status, stories, count = subs.EMPTY, frozenset[int](), claimed.done
            if sent is not None:
                result, count = sent.result, sent.messages
                report.messages += len(result.sent_message_ids)
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


def _result(
    chat_id: int, status: DeliveryStatus, ids: list[int], migrated_to: int | None
) -> DeliveryResult:
    return DeliveryResult(chat_id, status, tuple(ids), migrated_to=migrated_to)


class _Recorder:
    """Write progress and outcomes as they come, many per transaction when they come fast.

    A message's record lands a few milliseconds after Telegram accepted it: that gap, per
    message, is the only time a crash can make a recovering instance send it again.
    """

    def __init__(self, daily: DailyDigests, report: DailyReport) -> None:
        self._daily = daily
        self._report = report
        self._progress: dict[int, int] = {}
        self._renderings: dict[int, Rendered] = {}
        self._finished: list[_Finished] = []
        self._wake = asyncio.Event()
        self._closing = False
        self._task = asyncio.create_task(self._loop())

    def progress(self, delivery_id: int, messages: int, rendered: Rendered | None = None) -> None:
        """Note that Telegram accepted `messages` of a digest so far (and what it was sent from)."""
        self._progress[delivery_id] = messages
        if rendered is not None:
            self._renderings[delivery_id] = rendered
        self._wake.set()

    def finish(self, item: _Finished) -> None:
        """Note how a digest ended."""
        self._finished.append(item)
        self._wake.set()

    async def close(self) -> None:
        """Write what is left and stop."""
        self._closing = True
        self._wake.set()
        await self._task

    async def _loop(self) -> None:
        daily = self._daily
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
            now = daily.runtime.clock()
            try:
                await daily.runtime.store(
                    partial(
                        daily._record,
                        progress=progress,
                        renderings=renderings,
                        done=finished,
                        now=now,
                        report=self._report,
                    )
                )
            except Exception:
                log.exception("Could not record daily briefs; retrying")
                self._progress = {**progress, **self._progress}
                self._renderings = {**renderings, **self._renderings}
                self._finished[:0] = finished
                await asyncio.sleep(RECORD_RETRY_SECONDS)
                continue
            daily._held.difference_update(c.delivery_id for c, _, _ in finished)


async def daily_job(context: Context) -> None:
    """Start a run of the daily briefs in the background unless one is under way."""
    daily = runtime_of(context).daily
    if isinstance(daily, DailyDigests) and not daily.running:
        context.application.create_task(daily.run(), name=JOB_NAME)


def schedule(job_queue: JobQueue[Context]) -> None:
    """Check for due briefs and lapsed claims every few seconds, from a second after start."""
    job_queue.run_repeating(daily_job, interval=INTERVAL, first=FIRST_CHECK, name=JOB_NAME)
