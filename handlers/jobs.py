"""The core's job table (`newsbrief.bot.worker.jobs`) on the bot's JobQueue, and ingest on demand.

A bot running alone polls feeds and scans the article folder itself; with separate `newsbrief
worker` processes (`bot_ingests = false`) it only keeps house. Admins hear of disabled feeds.
"""

from __future__ import annotations

import logging

from telegram.ext import JobQueue

from newsbrief.bot.feeds.poll import PollReport
from newsbrief.bot.ingest.pipeline import IngestReport
from newsbrief.bot.store.feeds import pop_feed_alerts
from newsbrief.bot.store.retention import Pruned
from newsbrief.bot.worker import Job, JobKind, jobs
from newsbrief.config.settings import Settings
from newsbrief.handlers import texts
from newsbrief.handlers.replies import esc
from newsbrief.handlers.runtime import Context, Runtime, runtime_of

log = logging.getLogger(__name__)
ONCE_AT_A_TIME = {"max_instances": 1, "coalesce": True}


async def ingest_now(runtime: Runtime) -> str:
    """Poll the due feeds and scan the article folder once; say what happened."""
    feeds = await runtime.worker.poll_feeds()
    folder = await runtime.worker.scan()
    scanned = texts.FOLDER_BUSY if folder is None else folder.summary()
    summary = f"feeds: {feeds.summary()}\narticles: {scanned}"
    runtime.last_ingest = f"{runtime.clock():%Y-%m-%d %H:%M} UTC\n{summary}"
    await tell_admins_of_disabled_feeds(runtime)
    return summary


async def prune_store(runtime: Runtime) -> Pruned:
    """Prune as of the runtime's clock."""
    return await runtime.worker.prune()


async def tell_admins_of_disabled_feeds(runtime: Runtime) -> None:
    """Tell every admin, once, about each feed that was disabled and why."""
    alerts = await runtime.store(pop_feed_alerts)
    if not alerts or not runtime.admin_ids:
        return
    lines = [texts.FEED_DISABLED.format(url=esc(a.url), reason=esc(a.reason)) for a in alerts]
    for admin_id in sorted(runtime.admin_ids):
        await runtime.deliverer.send(admin_id, ["\n\n".join(lines)])


async def run_job(context: Context) -> None:
    """Run one job of the table; remember what ingest did, for /feeds."""
    runtime = runtime_of(context)
    job = context.job.data if context.job else None
    if not isinstance(job, Job):
        raise TypeError("a scheduled job without its table entry")
    report = await job.run(runtime.worker)
    when = f"{runtime.clock():%Y-%m-%d %H:%M} UTC"
    if isinstance(report, PollReport):
        if report.feeds:
            runtime.last_ingest = f"{when}\nfeeds: {report.summary()}"
        await tell_admins_of_disabled_feeds(runtime)
    elif isinstance(report, IngestReport):  # a scan that found nothing new was still a scan
        runtime.last_ingest = f"{when}\narticles: {report.summary()}"


def schedule_jobs(
    job_queue: JobQueue[Context], settings: Settings, *, ingest: bool, housekeeping: bool
) -> None:
    """Schedule the table's jobs of the kinds this bot runs; a slow one never overlaps itself."""
    wanted = {JobKind.INGEST: ingest, JobKind.HOUSEKEEPING: housekeeping}
    for job in jobs(settings):
        if wanted[job.kind]:
            job_queue.run_repeating(
                run_job,
                interval=job.interval,
                first=job.first,
                name=job.name,
                data=job,
                job_kwargs=ONCE_AT_A_TIME,
            )
