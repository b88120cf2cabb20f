"""Housekeeping: every few hours, prune the digest records no digest will read again."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram.ext import JobQueue

from bot.store.history import Pruned, prune_history
from handlers.runtime import Context, Runtime, runtime_of

log = logging.getLogger(__name__)

JOB_NAME = "prune-history"
INTERVAL = timedelta(hours=6)
FIRST_RUN = timedelta(minutes=1)
MARGIN = timedelta(days=1)
"""Kept past the daily digests' horizon: a digest resumed after a crash renders as of its first
claim, so its horizon starts a little earlier than today's."""


async def prune(runtime: Runtime) -> Pruned:
    """Forget what the daily digests can no longer use, as of the runtime's clock."""
    telegram = runtime.settings.telegram
    now = runtime.clock()
    stories_before = now - timedelta(days=telegram.daily_digest_days) - MARGIN
    deliveries_before = now - timedelta(days=telegram.digest_history_days)
    pruned = await runtime.store(
        lambda session: prune_history(
            session, stories_before=stories_before, deliveries_before=deliveries_before
        )
    )
    if pruned.sent_stories or pruned.deliveries:
        log.info(
            "Pruned %d sent-story records and %d finished digest records",
            pruned.sent_stories,
            pruned.deliveries,
        )
    return pruned


async def prune_job(context: Context) -> None:
    """Prune on the JobQueue's schedule."""
    await prune(runtime_of(context))


def schedule_housekeeping(job_queue: JobQueue[Context]) -> None:
    """Prune a minute after start, then every six hours; deletes are idempotent across instances."""
    job_queue.run_repeating(
        prune_job,
        interval=INTERVAL,
        first=FIRST_RUN,
        name=JOB_NAME,
        job_kwargs={"max_instances": 1, "coalesce": True},
    )
