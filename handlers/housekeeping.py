"""Housekeeping: every six hours, prune what the retention settings let go of."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram.ext import JobQueue

from newsbrief.bot.store.retention import Pruned, prune
from newsbrief.handlers.runtime import Context, Runtime, runtime_of

log = logging.getLogger(__name__)

JOB_NAME = "prune-store"
INTERVAL = timedelta(hours=6)
FIRST_RUN = timedelta(minutes=1)


async def prune_store(runtime: Runtime) -> Pruned:
    """Prune as of the runtime's clock."""
    retention, now = runtime.services.retention, runtime.clock()
    pruned = await runtime.store(lambda session: prune(session, retention, now))
    if pruned:
        log.info("Pruned %s", pruned)
    return pruned


async def prune_job(context: Context) -> None:
    """Prune on the JobQueue's schedule."""
    await prune_store(runtime_of(context))


def schedule_housekeeping(job_queue: JobQueue[Context]) -> None:
    """Prune a minute after start, then every six hours; deletes are idempotent across instances."""
    job_queue.run_repeating(
        prune_job,
        interval=INTERVAL,
        first=FIRST_RUN,
        name=JOB_NAME,
        job_kwargs={"max_instances": 1, "coalesce": True},
    )
