"""Daily briefs on Telegram: the JobQueue checks every few seconds; the core does the rest.

The claim, lease, take-over and record rules live in `newsbrief.bot.delivery` (see
docs/delivery.md); here the briefs are rendered as Telegram HTML and the check is scheduled.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from telegram.ext import JobQueue

from newsbrief.bot.delivery.rendered import Rendered
from newsbrief.bot.model import Digest
from newsbrief.handlers import texts
from newsbrief.handlers.chat_digests import render_digests
from newsbrief.handlers.runtime import Context, runtime_of

JOB_NAME = "daily-briefs"
INTERVAL = timedelta(seconds=10)
"""How often to look for due briefs and lapsed claims; a look that finds nothing is one read."""
FIRST_CHECK = timedelta(seconds=1)


def render_daily(digests: Sequence[Digest], day: date) -> Rendered:
    """Render a subscriber's daily brief under its dated header, topics without news left out."""
    header = texts.DAILY_HEADER.format(date=f"{day:%A} {day.day} {day:%B}")
    return render_digests(digests, skip_empty=True, header=header)


async def daily_job(context: Context) -> None:
    """Start a run of the daily briefs in the background unless one is under way."""
    daily = runtime_of(context).daily
    if daily is not None and not daily.running:
        context.application.create_task(daily.run(), name=JOB_NAME)


def schedule(job_queue: JobQueue[Context]) -> None:
    """Check for due briefs and lapsed claims every few seconds, from a second after start."""
    job_queue.run_repeating(daily_job, interval=INTERVAL, first=FIRST_CHECK, name=JOB_NAME)
