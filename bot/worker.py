"""The ingest worker: poll due feeds, scan the article folder and prune the store on a schedule.

Any number of workers can share one store: feeds are claimed row by row, the folder scan is a
lease one worker holds at a time, and pruning is idempotent. `jobs` is the one table of this
repeating work: `newsbrief worker` schedules it with APScheduler, and the bot, when it runs
alone, with its JobQueue (`handlers/jobs.py`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import httpx
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from newsbrief.bot.feeds.fetch import new_client
from newsbrief.bot.feeds.poll import PollReport, fetch_limits, poll_due_feeds
from newsbrief.bot.ingest.pipeline import IngestReport
from newsbrief.bot.services import Services
from newsbrief.bot.store.leases import release_lease, take_lease, worker_name
from newsbrief.bot.store.retention import Pruned, prune
from newsbrief.config.settings import Settings

log = logging.getLogger(__name__)
FOLDER_LEASE = "folder-scan"


def utc_now() -> datetime:
    """Tell the time, in UTC."""
    return datetime.now(UTC)


async def scan_folder(
    services: Services, holder: str, now: datetime | None = None
) -> IngestReport | None:
    """Ingest the article folder if no other process is scanning it; None when one is."""
    ttl = timedelta(minutes=max(services.settings.poll_minutes, 1.0) * 2)
    with services.database.transaction() as session:
        if take_lease(session, FOLDER_LEASE, holder, now=now or utc_now(), ttl=ttl) is None:
            return None
    try:
        return await asyncio.to_thread(services.ingestor.ingest_folder, services.articles_dir)
    finally:
        with services.database.transaction() as session:
            release_lease(session, FOLDER_LEASE, holder)


@dataclass
class Worker:
    """Polls feeds, scans the article folder and prunes the store, one step at a time."""

    services: Services
    holder: str = field(default_factory=worker_name)
    clock: Callable[[], datetime] = utc_now
    _client: httpx.AsyncClient | None = field(default=None, init=False, repr=False)

    def client(self) -> httpx.AsyncClient:
        """Give the one HTTP client all feed polls share, made on first use inside the loop."""
        if self._client is None:
            self._client = new_client(fetch_limits(self.services.settings))
        return self._client

    async def close(self) -> None:
        """Close the HTTP client, if one was made."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def poll_feeds(self) -> PollReport:
        """Poll the feeds that are due now and not claimed by another worker."""
        report = await poll_due_feeds(self.services, self.client(), self.clock())
        if report.feeds:
            log.info("feeds: %s", report.summary())
        return report

    async def scan(self) -> IngestReport | None:
        """Scan the article folder unless another worker is at it."""
        report = await scan_folder(self.services, self.holder, self.clock())
        if report is not None:
            log.info("articles: %s", report.summary())
        return report

    async def prune(self) -> Pruned:
        """Delete what the retention settings let go of; idempotent across workers."""
        retention, now = self.services.retention, self.clock()

        def run() -> Pruned:
            with self.services.database.transaction() as session:
                return prune(session, retention, now)

        pruned = await asyncio.to_thread(run)
        if pruned:
            log.info("pruned: %s", pruned)
        return pruned

    def scheduler(self) -> AsyncIOScheduler:
        """Put the job table on a scheduler of its own; a slow step never overlaps itself."""
        scheduler = AsyncIOScheduler(timezone=UTC)
        now = datetime.now(UTC)
        for job in jobs(self.services.settings):
            scheduler.add_job(
                job.run,
                "interval",
                args=[self],
                id=job.name,
                next_run_time=now + job.first,
                seconds=job.interval.total_seconds(),
                max_instances=1,
                coalesce=True,
            )
        return scheduler

    async def run(self, stop: asyncio.Event) -> None:
        """Work through the job table until `stop` is set."""
        scheduler = self.scheduler()
        scheduler.start()
        try:
            await stop.wait()
        finally:
            scheduler.shutdown(wait=False)
            await self.close()

    async def once(self) -> tuple[PollReport, IngestReport | None]:
        """Do one feed poll and one folder scan, then return."""
        try:
            return await self.poll_feeds(), await self.scan()
        finally:
            await self.close()


class JobKind(StrEnum):
    """What a repeating job is for: a bot with separate workers runs only housekeeping."""

    INGEST = "ingest"
    HOUSEKEEPING = "housekeeping"


@dataclass(frozen=True, slots=True)
class Job:
    """One repeating step: how often, how soon after start, and what it runs."""

    name: str
    kind: JobKind
    interval: timedelta
    first: timedelta
    run: Callable[[Worker], Awaitable[object]]


FEED_TICK = timedelta(seconds=60)
"""How often to look for due feeds; each feed has its own, longer, interval."""
PRUNE_EVERY = timedelta(hours=6)


def jobs(settings: Settings) -> tuple[Job, ...]:
    """The repeating work of ingest and housekeeping, written once for the worker and the bot."""
    return (
        Job("poll-feeds", JobKind.INGEST, FEED_TICK, timedelta(seconds=1), Worker.poll_feeds),
        Job(
            "scan-articles",
            JobKind.INGEST,
            timedelta(minutes=settings.poll_minutes),
            timedelta(seconds=1),
            Worker.scan,
        ),
        Job("prune-store", JobKind.HOUSEKEEPING, PRUNE_EVERY, timedelta(minutes=1), Worker.prune),
    )
