"""Ingest from the bot's JobQueue when it runs alone: due feeds every minute, the article folder
on its interval, and a word to the admins when a feed is disabled.

With separate `newsbrief worker` processes, set `bot_ingests = false` and the bot only serves.
"""

from __future__ import annotations

import logging

import httpx
from telegram.ext import JobQueue

from newsbrief.bot.feeds.fetch import new_client
from newsbrief.bot.feeds.poll import fetch_limits
from newsbrief.bot.store.feeds import pop_feed_alerts
from newsbrief.bot.worker import FEED_TICK_SECONDS, Worker
from newsbrief.handlers import texts
from newsbrief.handlers.replies import esc
from newsbrief.handlers.runtime import Context, Runtime, runtime_of

log = logging.getLogger(__name__)
FEEDS_JOB = "poll-feeds"
FOLDER_JOB = "scan-articles"


def feed_client(runtime: Runtime) -> httpx.AsyncClient:
    """Give the one HTTP client all feed polls share, made on first use inside the loop."""
    if runtime.feed_client is None:
        runtime.feed_client = new_client(fetch_limits(runtime.settings))
    return runtime.feed_client


def worker_of(runtime: Runtime) -> Worker:
    """Give the bot's ingest worker, made on first use."""
    if runtime.worker is None:
        runtime.worker = Worker(runtime.services)
    return runtime.worker


async def ingest_now(runtime: Runtime) -> str:
    """Poll the due feeds and scan the article folder once; say what happened."""
    worker = worker_of(runtime)
    feeds = await worker.poll_feeds(feed_client(runtime))
    folder = await worker.scan()
    scanned = texts.FOLDER_BUSY if folder is None else folder.summary()
    summary = f"feeds: {feeds.summary()}\narticles: {scanned}"
    runtime.last_ingest = f"{runtime.clock():%Y-%m-%d %H:%M} UTC\n{summary}"
    await tell_admins_of_disabled_feeds(runtime)
    return summary


async def tell_admins_of_disabled_feeds(runtime: Runtime) -> None:
    """Tell every admin, once, about each feed that was disabled and why."""
    alerts = await runtime.store(pop_feed_alerts)
    if not alerts or not runtime.admin_ids:
        return
    lines = [texts.FEED_DISABLED.format(url=esc(a.url), reason=esc(a.reason)) for a in alerts]
    for admin_id in sorted(runtime.admin_ids):
        await runtime.deliverer.send(admin_id, ["\n\n".join(lines)])


async def _poll_feeds(context: Context) -> None:
    runtime = runtime_of(context)
    report = await worker_of(runtime).poll_feeds(feed_client(runtime))
    if report.feeds:
        runtime.last_ingest = f"{runtime.clock():%Y-%m-%d %H:%M} UTC\nfeeds: {report.summary()}"
    await tell_admins_of_disabled_feeds(runtime)


async def _scan_folder(context: Context) -> None:
    runtime = runtime_of(context)
    report = await worker_of(runtime).scan()
    if report is not None and (report.articles_added or report.articles_updated):
        runtime.last_ingest = f"{runtime.clock():%Y-%m-%d %H:%M} UTC\narticles: {report.summary()}"


def schedule_ingest(job_queue: JobQueue[Context], poll_minutes: float) -> None:
    """Poll feeds every minute and scan the folder every `poll_minutes`; never overlapping."""
    once_at_a_time = {"max_instances": 1, "coalesce": True}
    job_queue.run_repeating(
        _poll_feeds, interval=FEED_TICK_SECONDS, first=5, name=FEEDS_JOB, job_kwargs=once_at_a_time
    )
    job_queue.run_repeating(
        _scan_folder,
        interval=poll_minutes * 60,
        first=1,
        name=FOLDER_JOB,
        job_kwargs=once_at_a_time,
    )


async def close_feed_client(runtime: Runtime) -> None:
    """Close the shared HTTP client, if one was made."""
    if runtime.feed_client is not None:
        await runtime.feed_client.aclose()
        runtime.feed_client = None
