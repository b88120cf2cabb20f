"""Admin commands: feeds and the last ingest, ingest now, figures. Others never see them."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.orm import Session
from telegram import Update

from bot.services import Services
from bot.store import repository
from bot.store import subscriptions as subs
from handlers import texts
from handlers.registry import Command
from handlers.replies import esc, reply
from handlers.runtime import Context, runtime_of


async def feeds_command(update: Update, context: Context) -> None:
    """List the configured feeds, the article folder and the last ingest."""
    runtime = runtime_of(context)
    feeds = "\n".join(esc(url) for url in runtime.settings.feeds) or texts.NO_FEEDS
    await reply(
        update,
        texts.FEEDS.format(
            feeds=feeds,
            folder=esc(runtime.services.articles_dir),
            last=esc(runtime.last_ingest or texts.NEVER_INGESTED),
        ),
    )


def ingest_now(services: Services) -> str:
    """Read the article folder once and say what changed."""
    return services.ingestor.ingest_folder(services.articles_dir).summary()


async def refresh_command(update: Update, context: Context) -> None:
    """Ingest now on a worker thread, so the bot keeps answering meanwhile."""
    runtime = runtime_of(context)
    if runtime.refresh_lock.locked():
        await reply(update, texts.REFRESH_BUSY)
        return
    async with runtime.refresh_lock:
        await reply(update, texts.REFRESHING)
        summary = await asyncio.to_thread(ingest_now, runtime.services)
        runtime.last_ingest = f"{runtime.clock():%Y-%m-%d %H:%M} UTC: {summary}"
    await reply(update, texts.REFRESHED.format(report=esc(summary)))


async def stats_command(update: Update, context: Context) -> None:
    """Count subscribers, deliveries and articles."""
    runtime = runtime_of(context)
    since = runtime.clock() - timedelta(hours=24)

    def read(session: Session) -> tuple[subs.Counts, int]:
        return subs.counts(session, since), repository.count_articles(session)

    counts, articles = await runtime.store(read)
    recent = ", ".join(f"{n} {status}" for status, n in sorted(counts.digests_since.items()))
    await reply(
        update,
        texts.STATS.format(
            subscribers=counts.subscribers,
            active=counts.active,
            paused=counts.paused,
            subscriptions=counts.subscriptions,
            followed=counts.followed,
            digests_sent=counts.digests_sent,
            recent=recent or "0",
            articles=articles,
        ),
    )


COMMANDS = (
    Command("feeds", feeds_command, texts.COMMAND_DESCRIPTIONS["feeds"], admin=True),
    Command("refresh", refresh_command, texts.COMMAND_DESCRIPTIONS["refresh"], admin=True),
    Command("stats", stats_command, texts.COMMAND_DESCRIPTIONS["stats"], admin=True),
)
