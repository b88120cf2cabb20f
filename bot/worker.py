"""The ingest worker: poll due feeds and scan the article folder on a schedule, with no Telegram.

Any number of workers can share one store: feeds are claimed row by row, and the folder scan
is a lease one worker holds at a time. The bot runs the same two steps from its JobQueue when
it runs alone.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from newsbrief.bot.feeds.fetch import new_client
from newsbrief.bot.feeds.poll import PollReport, fetch_limits, poll_due_feeds
from newsbrief.bot.ingest.pipeline import IngestReport
from newsbrief.bot.services import Services
from newsbrief.bot.store.leases import release_lease, take_lease
from newsbrief.bot.store.retention import Pruned, prune

log = logging.getLogger(__name__)
FOLDER_LEASE = "folder-scan"
FEED_TICK_SECONDS = 60.0
PRUNE_HOURS = 6.0


def worker_name() -> str:
    """Name this process for leases and logs: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


async def scan_folder(services: Services, holder: str) -> IngestReport | None:
    """Ingest the article folder if no other process is scanning it; None when one is."""
    ttl = timedelta(minutes=max(services.settings.poll_minutes, 1.0) * 2)
    with services.database.transaction() as session:
        if take_lease(session, FOLDER_LEASE, holder, now=datetime.now(UTC), ttl=ttl) is None:
            return None
    try:
        return await asyncio.to_thread(services.ingestor.ingest_folder, services.articles_dir)
    finally:
        with services.database.transaction() as session:
            release_lease(session, FOLDER_LEASE, holder)


@dataclass
class Worker:
    """Runs feed polls and folder scans on their intervals until stopped."""

    services: Services
    holder: str = field(default_factory=worker_name)

    async def poll_feeds(self, client: httpx.AsyncClient) -> PollReport:
        """Poll the feeds that are due now and not claimed by another worker."""
        report = await poll_due_feeds(self.services, client, datetime.now(UTC))
        if report.feeds:
            log.info("feeds: %s", report.summary())
        return report

    async def scan(self) -> IngestReport | None:
        """Scan the article folder unless another worker is at it."""
        report = await scan_folder(self.services, self.holder)
        if report is not None:
            log.info("articles: %s", report.summary())
        return report

    async def prune(self) -> Pruned:
        """Delete what the retention settings let go of; idempotent across workers."""

        def run() -> Pruned:
            with self.services.database.transaction() as session:
                return prune(session, self.services.retention, datetime.now(UTC))

        pruned = await asyncio.to_thread(run)
        if pruned:
            log.info("pruned: %s", pruned)
        return pruned

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set; a slow step never overlaps itself."""
        async with new_client(fetch_limits(self.services.settings)) as client:
            scheduler = AsyncIOScheduler(timezone=UTC)
            now = datetime.now(UTC)
            scheduler.add_job(
                self.poll_feeds,
                "interval",
                args=[client],
                next_run_time=now,
                seconds=FEED_TICK_SECONDS,
                max_instances=1,
                coalesce=True,
            )
            scheduler.add_job(
                self.scan,
                "interval",
                next_run_time=now,
                coalesce=True,
                minutes=self.services.settings.poll_minutes,
                max_instances=1,
            )
            scheduler.add_job(
                self.prune,
                "interval",
                next_run_time=now + timedelta(minutes=1),
                coalesce=True,
                hours=PRUNE_HOURS,
                max_instances=1,
            )
            scheduler.start()
            try:
                await stop.wait()
            finally:
                scheduler.shutdown(wait=False)

    async def once(self) -> tuple[PollReport, IngestReport | None]:
        """Do one feed poll and one folder scan, then return."""
        async with new_client(fetch_limits(self.services.settings)) as client:
            return await self.poll_feeds(client), await self.scan()
