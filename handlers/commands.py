"""Reading commands: help, a digest per topic, all my topics now, and the catch-alls."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from newsbrief.bot.delivery.buttons import PagedKind
from newsbrief.bot.stories.topics import Topic, TopicCatalog
from newsbrief.handlers import texts
from newsbrief.handlers.abuse import MAX_ARGUMENT_CHARS
from newsbrief.handlers.pages import chat_topics, send_paged
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
    await reply(update, texts.HELP.format(topic_commands=lines, bot=esc(context.bot.username)))


def topic_command(topic: Topic) -> Callback:
    """Make the command that sends the latest digest of one configured topic."""

    async def latest(update: Update, context: Context) -> None:
        await send_paged(update, context, [topic], PagedKind.TOPIC, topic.command)

    latest.__doc__ = f"Send the latest {topic.title} digest."
    return latest


async def digest_command(update: Update, context: Context) -> None:
    """Send the latest digest of every topic and word set the chat follows."""
    topics = await chat_topics(runtime_of(context), chat_id_of(update))
    if not topics:
        await reply(update, texts.NO_TOPICS_YET)
        return
    await send_paged(update, context, topics, PagedKind.MINE)


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


async def unknown_button(update: Update, context: Context) -> None:
    """Answer a button no handler knows (forged, or from an older version): it is stale."""
    if update.callback_query is not None:
        await update.callback_query.answer(texts.BUTTON_STALE)


def fallbacks() -> list[BaseHandler[Update, Context, None]]:
    """Handlers for whatever no other took: unknown commands, free text, unknown buttons."""
    return [
        CallbackQueryHandler(unknown_button),
        MessageHandler(filters.COMMAND, unknown_command),
        MessageHandler(filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE, free_text),
    ]
