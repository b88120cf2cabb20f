"""Admin commands: feeds and the last ingest, ingest now, figures. Others never see them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session
from telegram import Update

from newsbrief.bot.store import feeds as feeds_store
from newsbrief.bot.store import repository
from newsbrief.bot.store import subscriptions as subs
from newsbrief.handlers import texts
from newsbrief.handlers.jobs import ingest_now
from newsbrief.handlers.registry import Command
from newsbrief.handlers.replies import esc, reply
from newsbrief.handlers.runtime import Context, runtime_of


def _feed_lines(session: Session) -> list[str]:
    lines = []
    for feed in feeds_store.list_feeds(session):
        state = "⛔" if feed.disabled_at else ("⚠️" if feed.consecutive_failures else "✅")
        line = texts.FEED_LINE.format(
            state=state,
            url=esc(feed.url),
            success=f"{feed.last_success_at:%Y-%m-%d %H:%M}" if feed.last_success_at else "never",
            failures=feed.consecutive_failures,
            next="never (disabled)" if feed.disabled_at else f"{feed.next_poll_at:%H:%M} UTC",
        )
        if feed.disabled_reason or feed.last_error:
            line += f"\n   {esc(feed.disabled_reason or feed.last_error or '')}"
        lines.append(line)
    return lines


async def feeds_command(update: Update, context: Context) -> None:
    """List each feed's health, the article folder and the last ingest."""
    runtime = runtime_of(context)
    feeds = "\n".join(await runtime.read(_feed_lines)) or texts.NO_FEEDS
    await reply(
        update,
        texts.FEEDS.format(
            feeds=feeds,
            folder=esc(runtime.services.articles_dir),
            last=esc(runtime.last_ingest or texts.NEVER_INGESTED),
        ),
    )


async def refresh_command(update: Update, context: Context) -> None:
    """Ingest now on a worker thread, so the bot keeps answering meanwhile."""
    runtime = runtime_of(context)
    if runtime.refresh_lock.locked():
        await reply(update, texts.REFRESH_BUSY)
        return
    async with runtime.refresh_lock:
        await reply(update, texts.REFRESHING)
        summary = await ingest_now(runtime)
    await reply(update, texts.REFRESHED.format(report=esc(summary)))


async def stats_command(update: Update, context: Context) -> None:
    """Count subscribers, deliveries and articles."""
    runtime = runtime_of(context)
    since = runtime.clock() - timedelta(hours=24)

    def read(session: Session) -> tuple[subs.Counts, int]:
        return subs.counts(session, since), repository.count_articles(session)

    counts, articles = await runtime.read(read)
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
