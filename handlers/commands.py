"""Reading commands: help, a digest per topic, all my topics now, and the catch-alls."""

from __future__ import annotations

from sqlalchemy.orm import Session
from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from newsbrief.bot.delivery.interests import build_digests, topics_for
from newsbrief.bot.store import subscriptions as subs
from newsbrief.bot.store.subscriptions import Interests
from newsbrief.bot.stories.topics import Topic, TopicCatalog
from newsbrief.handlers import texts
from newsbrief.handlers.abuse import MAX_ARGUMENT_CHARS
from newsbrief.handlers.chat_digests import render_digests
from newsbrief.handlers.registry import Command
from newsbrief.handlers.replies import chat_id_of, esc, reply
from newsbrief.handlers.runtime import Callback, Context, runtime_of

FREE_TEXT_ECHO = 40


async def help_command(update: Update, context: Context) -> None:
    """List what the bot can do, topics included."""
    catalog = runtime_of(context).services.topics
    lines = "\n".join(
        texts.TOPIC_LINE.format(command=t.command, title=esc(t.title)) for t in catalog
    )
    await reply(update, texts.HELP.format(topic_commands=lines))


async def send_digests(update: Update, context: Context, topics: list[Topic]) -> None:
    """Build, render and send the latest digests for these topics to the update's chat."""
    runtime = runtime_of(context)
    now = runtime.clock()
    options = runtime.services.digest_options
    rendered = await runtime.store(
        lambda s: render_digests(
            build_digests(s, topics, now=now, options=options), skip_empty=False
        )
    )
    await runtime.send(chat_id_of(update), rendered.messages)


def topic_command(topic: Topic) -> Callback:
    """Make the command that sends the latest digest of one configured topic."""

    async def latest(update: Update, context: Context) -> None:
        await send_digests(update, context, [topic])

    latest.__doc__ = f"Send the latest {topic.title} digest."
    return latest


async def digest_command(update: Update, context: Context) -> None:
    """Send the latest digest of every topic and word set the chat follows."""
    runtime = runtime_of(context)
    chat_id = chat_id_of(update)

    def read(session: Session) -> Interests:
        subscriber = subs.find(session, chat_id)
        if subscriber is None:
            return Interests()
        return subs.interests(session, [subscriber.id])[subscriber.id]

    interests = await runtime.store(read)
    if not interests:
        await reply(update, texts.NO_TOPICS_YET)
        return
    await send_digests(update, context, topics_for(runtime.services.topics, interests))


async def unknown_command(update: Update, context: Context) -> None:
    """Point to /help; admin commands from non-admins land here too, with no hint."""
    await reply(update, texts.UNKNOWN_COMMAND)


async def free_text(update: Update, context: Context) -> None:
    """Explain that the bot answers commands, suggesting /follow for the words typed."""
    message = update.effective_message
    words = " ".join(((message.text if message else None) or "").split())
    if len(words) > MAX_ARGUMENT_CHARS:
        await reply(update, texts.TOO_LONG.format(limit=MAX_ARGUMENT_CHARS))
        return
    shown = words[:FREE_TEXT_ECHO].rstrip(" ,") or "solar power"
    await reply(update, texts.FREE_TEXT.format(words=esc(shown)))


COMMANDS = (
    Command("help", help_command, texts.COMMAND_DESCRIPTIONS["help"]),
    Command("digest", digest_command, texts.COMMAND_DESCRIPTIONS["digest"]),
)


def topic_commands(catalog: TopicCatalog) -> list[Command]:
    """One command per configured topic, from the topic configuration."""
    return [
        Command(t.command, topic_command(t), texts.TOPIC_DESCRIPTION.format(title=t.title)[:256])
        for t in catalog
    ]


def fallbacks() -> list[BaseHandler[Update, Context, None]]:
    """Handlers for whatever no command took: unknown commands, then free text."""
    return [
        MessageHandler(filters.COMMAND, unknown_command),
        MessageHandler(filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE, free_text),
    ]
