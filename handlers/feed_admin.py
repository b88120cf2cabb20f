"""Admins add and remove feeds from the chat: `/addfeed URL [topic]`, `/removefeed URL`.

The same URL check as `newsbrief feeds add`, then a first fetch through the poller's address
guard (see `bot.feeds.admission`); others never see these commands.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from telegram import Update

from newsbrief.bot.errors import NewsbriefError
from newsbrief.bot.feeds.admission import admit_feed
from newsbrief.bot.feeds.fetch import Fetcher
from newsbrief.bot.feeds.poll import configured_feeds, fetch_limits
from newsbrief.bot.store import feeds as feeds_store
from newsbrief.bot.store.statuses import FeedOrigin
from newsbrief.bot.urls import canonical_url
from newsbrief.handlers import texts
from newsbrief.handlers.registry import Command
from newsbrief.handlers.replies import argument, esc, reply
from newsbrief.handlers.runtime import Context, runtime_of


async def addfeed_command(update: Update, context: Context) -> None:
    """Subscribe to a feed once its first fetch gives a usable feed."""
    runtime = runtime_of(context)
    text = await argument(update, context)
    if text is None:
        return
    url, _, topic_name = text.strip().partition(" ")
    if not url:
        await reply(update, texts.ADDFEED_USAGE)
        return
    topic = runtime.services.topics.find(topic_name) if topic_name.strip() else None
    if topic_name.strip() and topic is None:
        await reply(update, texts.UNKNOWN_TOPIC.format(name=esc(topic_name.strip())))
        return
    fetcher = Fetcher(runtime.worker.client(), fetch_limits(runtime.settings))
    now = runtime.clock()
    try:
        admitted = await admit_feed(url, fetcher, now)
    except NewsbriefError as error:
        await reply(update, texts.FEED_REFUSED.format(url=esc(url[:200]), reason=esc(error)))
        return
    spec = feeds_store.FeedSpec(admitted.url, topic.command if topic else None)

    def add(session: Session) -> str:
        return feeds_store.add_feed(session, spec, origin=FeedOrigin.TELEGRAM, now=now).url

    added = await runtime.store(add)
    await reply(
        update,
        texts.FEED_ADDED.format(
            url=esc(added),
            title=esc(admitted.title or added),
            entries=admitted.entries,
            topic=texts.FEED_TOPIC.format(title=esc(topic.title)) if topic else "",
        ),
    )


async def removefeed_command(update: Update, context: Context) -> None:
    """Unsubscribe from a feed (one in the settings comes back; say so)."""
    runtime = runtime_of(context)
    url = (await argument(update, context) or "").strip()
    if not url:
        await reply(update, texts.REMOVEFEED_USAGE)
        return
    removed = await runtime.store(lambda s: feeds_store.remove_feed(s, url))
    if not removed:
        await reply(update, texts.NO_SUCH_FEED.format(url=esc(url[:200])))
        return
    configured = {canonical_url(s.url) for s in configured_feeds(runtime.settings)}
    note = texts.FEED_IN_SETTINGS if canonical_url(url) in configured else ""
    await reply(update, texts.FEED_REMOVED.format(url=esc(url)) + note)


COMMANDS = (
    Command("addfeed", addfeed_command, texts.COMMAND_DESCRIPTIONS["addfeed"], admin=True),
    Command("removefeed", removefeed_command, texts.COMMAND_DESCRIPTIONS["removefeed"], admin=True),
)
