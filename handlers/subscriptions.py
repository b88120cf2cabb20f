"""Subscription commands and buttons: choose topics and words, when, where, pause, forget."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from newsbrief.bot.delivery.buttons import ForgetButton, TopicButton, legacy_toggle_topic
from newsbrief.bot.delivery.schedule import format_time, parse_time
from newsbrief.bot.delivery.zones import match_timezone, utc_offset, zone_label
from newsbrief.bot.errors import UnknownTopic
from newsbrief.bot.store import repository
from newsbrief.bot.store import subscriptions as subs
from newsbrief.bot.store.schema import Subscriber
from newsbrief.bot.stories.topics import (
    MIN_FOLLOWED_CHARS,
    TopicCatalog,
    keyword_topic,
    too_short,
)
from newsbrief.handlers import texts
from newsbrief.handlers.groups import may_change, refuse
from newsbrief.handlers.registry import Command
from newsbrief.handlers.replies import argument, chat_id_of, edit_markup, edit_text, esc, reply
from newsbrief.handlers.runtime import Context, Runtime, runtime_of

MAX_FOLLOWS = 10
KEYBOARD_COLUMNS = 2


def topic_keyboard(catalog: TopicCatalog, chosen: Collection[str]) -> InlineKeyboardMarkup:
    """A button per topic saying what pressing it does: ticked ones unsubscribe, others add."""
    buttons = [
        InlineKeyboardButton(
            (texts.TOGGLE_ON if t.command in chosen else texts.TOGGLE_OFF).format(title=t.title),
            callback_data=TopicButton(t.command, subscribe=t.command not in chosen).data(),
        )
        for t in catalog
    ]
    rows = [buttons[i : i + KEYBOARD_COLUMNS] for i in range(0, len(buttons), KEYBOARD_COLUMNS)]
    return InlineKeyboardMarkup(rows)


@dataclass(frozen=True, slots=True)
class Schedule:
    """A subscriber's schedule as shown to them."""

    time: str
    zone: str
    paused: bool
    topics: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    @classmethod
    def of(cls, session: Session, subscriber: Subscriber) -> Schedule:
        chosen = subs.interests(session, [subscriber.id])[subscriber.id]
        return cls(
            subscriber.digest_time,
            subscriber.timezone,
            subscriber.paused,
            chosen.topics,
            chosen.words,
        )

    def zone_label(self, now: datetime) -> str:
        """The zone with its current UTC offset, escaped for HTML."""
        return esc(zone_label(self.zone, now))


def quiet_since(runtime: Runtime) -> datetime:
    """Where the daily brief's horizon starts: a topic with nothing since is quiet."""
    return runtime.clock() - timedelta(days=runtime.settings.telegram.daily_digest_days)


def quiet_note(runtime: Runtime, title: str) -> str:
    """Tell a new subscriber that a topic has had no news within the daily brief's horizon."""
    days = runtime.settings.telegram.daily_digest_days
    return texts.QUIET_TOPIC.format(title=esc(title), days=days)


def _chosen(session: Session, subscriber: Subscriber) -> tuple[str, ...]:
    return subs.interests(session, [subscriber.id])[subscriber.id].topics


async def start(update: Update, context: Context) -> None:
    """Welcome the chat with topic buttons; a deep link (/start syria) subscribes at once."""
    runtime = runtime_of(context)
    catalog = runtime.services.topics
    topic = catalog.find(context.args[0]) if context.args else None
    if topic is not None and not await may_change(update, context):
        await refuse(update)
        return
    since = quiet_since(runtime)

    def work(session: Session, subscriber: Subscriber) -> tuple[Schedule, bool]:
        if topic is None:
            return Schedule.of(session, subscriber), False
        subs.subscribe(session, subscriber, topic.command)
        quiet = not repository.topic_has_news(session, topic.command, since)
        return Schedule.of(session, subscriber), quiet

    schedule, quiet = await runtime.for_chat(chat_id_of(update), work)
    if topic is not None:
        text = texts.WELCOME_SUBSCRIBED.format(topic=esc(topic.title))
        text += quiet_note(runtime, topic.title) if quiet else ""
    else:
        text = texts.WELCOME.format(time=schedule.time, zone=schedule.zone_label(runtime.clock()))
    await reply(update, text, topic_keyboard(catalog, schedule.topics))


async def topics_command(update: Update, context: Context) -> None:
    """List the topics as toggle buttons."""
    runtime = runtime_of(context)
    chat_id = chat_id_of(update)

    def read(session: Session) -> tuple[str, ...]:
        subscriber = subs.find(session, chat_id)
        return () if subscriber is None else _chosen(session, subscriber)

    chosen = await runtime.read(read)
    await reply(update, texts.TOPICS, topic_keyboard(runtime.services.topics, chosen))


async def topic_button(update: Update, context: Context) -> None:
    """Do what the pressed topic button says for the chat it is in, and show the keyboard anew."""
    query = update.callback_query
    if query is None:
        return
    runtime = runtime_of(context)
    catalog = runtime.services.topics
    button = TopicButton.parse(query.data)
    topic = catalog.get(button.topic) if button else None
    legacy = catalog.get(legacy_toggle_topic(query.data) or "") if button is None else None
    if (topic is None and legacy is None) or update.effective_chat is None or query.message is None:
        await query.answer(texts.BUTTON_STALE)
        return
    if not await may_change(update, context):
        await refuse(update)
        return

    def work(session: Session, subscriber: Subscriber) -> tuple[bool, tuple[str, ...]]:
        changed = False
        if button is not None and topic is not None:
            if button.subscribe:
                changed = subs.subscribe(session, subscriber, topic.command)
            else:
                changed = subs.unsubscribe(session, subscriber, topic.command)
        return changed, _chosen(session, subscriber)

    changed, chosen = await runtime.for_chat(update.effective_chat.id, work)
    if button is None or topic is None:
        await query.answer(texts.BUTTONS_REFRESHED)
    elif button.subscribe:
        answer = texts.TOGGLED_ON if changed else texts.ALREADY_ON
        await query.answer(answer.format(title=topic.title))
    else:
        answer = texts.TOGGLED_OFF if changed else texts.ALREADY_OFF
        await query.answer(answer.format(title=topic.title))
    await edit_markup(query, topic_keyboard(catalog, chosen))


async def subscribe_command(update: Update, context: Context) -> None:
    """Add a topic to the daily brief."""
    await _change_topic(update, context, add=True)


async def unsubscribe_command(update: Update, context: Context) -> None:
    """Take a topic out of the daily brief."""
    await _change_topic(update, context, add=False)


async def _change_topic(update: Update, context: Context, *, add: bool) -> None:
    runtime = runtime_of(context)
    catalog = runtime.services.topics
    name = await argument(update, context)
    if name is None:
        return
    example = next(iter(catalog)).command
    if not name:
        usage = texts.SUBSCRIBE_USAGE if add else texts.UNSUBSCRIBE_USAGE
        await reply(update, usage.format(example=example))
        return
    topic = catalog.find(name)
    if topic is None:
        await reply(update, texts.UNKNOWN_TOPIC.format(name=esc(name)))
        return

    since = quiet_since(runtime)

    def work(session: Session, subscriber: Subscriber) -> tuple[bool, Schedule, bool]:
        if not add:
            changed = subs.unsubscribe(session, subscriber, topic.command)
            return changed, Schedule.of(session, subscriber), False
        changed = subs.subscribe(session, subscriber, topic.command)
        quiet = not repository.topic_has_news(session, topic.command, since)
        return changed, Schedule.of(session, subscriber), quiet

    changed, schedule, quiet = await runtime.for_chat(chat_id_of(update), work)
    if add:
        text = texts.SUBSCRIBED if changed else texts.ALREADY_SUBSCRIBED
        text += quiet_note(runtime, topic.title) if quiet else ""
    else:
        text = texts.UNSUBSCRIBED if changed else texts.NOT_SUBSCRIBED
    text = text.format(
        title=esc(topic.title), time=schedule.time, zone=schedule.zone_label(runtime.clock())
    )
    await reply(update, text + (quiet_note(runtime, topic.title) if quiet else ""))


async def mytopics_command(update: Update, context: Context) -> None:
    """Show the chat's topics, words and schedule."""
    runtime = runtime_of(context)
    schedule = await runtime.for_chat(chat_id_of(update), Schedule.of)
    catalog = runtime.services.topics
    titles = [esc(t.title) for t in (catalog.get(n) for n in schedule.topics) if t is not None]
    shown = texts.MY_TOPICS.format(
        time=schedule.time,
        zone=schedule.zone_label(runtime.clock()),
        paused=texts.MY_TOPICS_PAUSED if schedule.paused else "",
        topics=", ".join(titles) or texts.NOTHING_CHOSEN,
        words=", ".join(esc(w) for w in schedule.words) or texts.NOTHING_CHOSEN,
    )
    await reply(update, shown + ("" if titles or schedule.words else texts.MY_TOPICS_EMPTY))


async def settime_command(update: Update, context: Context) -> None:
    """Set the local time of the daily brief."""
    runtime = runtime_of(context)
    text = await argument(update, context)
    if text is None:
        return
    if not text:
        await reply(update, texts.SETTIME_USAGE)
        return
    try:
        at = format_time(parse_time(text))
    except ValueError:
        await reply(update, texts.BAD_TIME.format(text=esc(text[:16])))
        return
    now = runtime.clock()

    def work(session: Session, subscriber: Subscriber) -> str:
        subs.set_schedule(session, subscriber, now, digest_time=at)
        return subscriber.timezone

    zone = await runtime.for_chat(chat_id_of(update), work)
    await reply(update, texts.TIME_SET.format(time=at, zone=esc(zone_label(zone, now))))


async def timezone_command(update: Update, context: Context) -> None:
    """Set the chat's time zone, suggesting names for a near miss."""
    runtime = runtime_of(context)
    text = await argument(update, context)
    if text is None:
        return
    chat_id = chat_id_of(update)
    if not text:
        schedule = await runtime.for_chat(chat_id, Schedule.of)
        shown = schedule.zone_label(runtime.clock())
        await reply(update, texts.TIMEZONE_USAGE.format(zone=shown))
        return
    now = runtime.clock()
    found = match_timezone(text, now)
    zone = found.zone
    if zone is None:
        shown = esc(text[:64])
        if found.suggestions:
            options = ", ".join(
                texts.SUGGESTION.format(zone=esc(z), offset=utc_offset(z, now))
                for z in found.suggestions
            )
            await reply(update, texts.TIMEZONE_SUGGEST.format(text=shown, suggestions=options))
        else:
            await reply(update, texts.TIMEZONE_UNKNOWN.format(text=shown))
        return

    def work(session: Session, subscriber: Subscriber) -> str:
        subs.set_schedule(session, subscriber, now, timezone=zone)
        return subscriber.digest_time

    at = await runtime.for_chat(chat_id, work)
    await reply(update, texts.TIMEZONE_SET.format(zone=esc(zone_label(zone, now)), time=at))


async def follow_command(update: Update, context: Context) -> None:
    """Follow words of the chat's own choosing."""
    runtime = runtime_of(context)
    text = await argument(update, context)
    if text is None:
        return
    try:
        topic = keyword_topic(text)
    except UnknownTopic:
        await reply(update, texts.FOLLOW_USAGE)
        return
    short = too_short(topic)
    if short:
        phrases = esc(", ".join(short))
        await reply(
            update, texts.FOLLOW_TOO_SHORT.format(phrases=phrases, chars=MIN_FOLLOWED_CHARS)
        )
        return
    words = topic.title

    def work(session: Session, subscriber: Subscriber) -> tuple[str, str]:
        already = subs.followed_as(session, subscriber, words)
        if already is not None:
            return texts.ALREADY_FOLLOWING, already
        if len(subs.interests(session, [subscriber.id])[subscriber.id].words) >= MAX_FOLLOWS:
            return texts.TOO_MANY_FOLLOWS, words
        subs.follow(session, subscriber, words)
        return texts.FOLLOWING, words

    answer, shown = await runtime.for_chat(chat_id_of(update), work)
    await reply(update, answer.format(words=esc(shown), count=MAX_FOLLOWS))


async def unfollow_command(update: Update, context: Context) -> None:
    """Stop following some words, or every word when none are given."""
    runtime = runtime_of(context)
    text = await argument(update, context)
    if text is None:
        return
    words: str | None = None
    if text:
        try:
            words = keyword_topic(text).title
        except UnknownTopic:
            words = text

    def work(session: Session, subscriber: Subscriber) -> tuple[int, str | None]:
        if words is None:
            return subs.unfollow(session, subscriber), None
        followed = subs.followed_as(session, subscriber, words)
        if followed is None:
            return 0, words
        return subs.unfollow(session, subscriber, followed), followed

    dropped, shown = await runtime.for_chat(chat_id_of(update), work)
    if words is None:
        answer = texts.UNFOLLOWED_ALL if dropped else texts.NOTHING_FOLLOWED
    else:
        answer = texts.UNFOLLOWED if dropped else texts.NOT_FOLLOWING
    await reply(update, answer.format(words=esc(shown)))


async def pause_command(update: Update, context: Context) -> None:
    """Pause the daily brief."""
    runtime = runtime_of(context)
    now = runtime.clock()

    def work(session: Session, subscriber: Subscriber) -> bool:
        was_paused = subscriber.paused
        subs.set_schedule(session, subscriber, now, paused=True)
        return was_paused

    was_paused = await runtime.for_chat(chat_id_of(update), work)
    await reply(update, texts.ALREADY_PAUSED if was_paused else texts.PAUSED)


async def resume_command(update: Update, context: Context) -> None:
    """Restart the daily brief."""
    runtime = runtime_of(context)
    now = runtime.clock()

    def work(session: Session, subscriber: Subscriber) -> tuple[bool, Schedule]:
        was_paused = subscriber.paused
        subs.set_schedule(session, subscriber, now, paused=False)
        return was_paused, Schedule.of(session, subscriber)

    was_paused, schedule = await runtime.for_chat(chat_id_of(update), work)
    answer = texts.RESUMED if was_paused else texts.NOT_PAUSED
    await reply(update, answer.format(time=schedule.time, zone=schedule.zone_label(now)))


async def stop_command(update: Update, context: Context) -> None:
    """Ask before forgetting everything stored about the chat."""
    runtime = runtime_of(context)
    chat_id = chat_id_of(update)
    if await runtime.read(lambda session: subs.find(session, chat_id)) is None:
        await reply(update, texts.NOTHING_TO_STOP)
        return
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.STOP_YES, callback_data=ForgetButton(True).data()),
                InlineKeyboardButton(texts.STOP_NO, callback_data=ForgetButton(False).data()),
            ]
        ]
    )
    await reply(update, texts.STOP_CONFIRM, keyboard)


async def forget_button(update: Update, context: Context) -> None:
    """Forget the chat once confirmed (group administrators only), or keep it all."""
    query = update.callback_query
    if query is None:
        return
    button = ForgetButton.parse(query.data)
    if button is None or update.effective_chat is None or query.message is None:
        await query.answer(texts.BUTTON_STALE)
        return
    if not await may_change(update, context):
        await refuse(update)
        return
    await query.answer()
    if not button.confirm:
        await edit_text(query, texts.STOP_CANCELLED)
        return
    chat_id = update.effective_chat.id
    forgotten = await runtime_of(context).store(lambda session: subs.forget(session, chat_id))
    await edit_text(query, texts.STOPPED if forgotten else texts.NOTHING_TO_STOP)


async def chat_migrated(update: Update, context: Context) -> None:
    """Follow a group that became a supergroup."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    runtime = runtime_of(context)
    old, new, now = message.chat.id, message.migrate_to_chat_id, runtime.clock()
    await runtime.store(lambda session: subs.move_chat(session, old, new, now))


COMMANDS = (
    Command("start", start, texts.COMMAND_DESCRIPTIONS["start"]),
    Command("topics", topics_command, texts.COMMAND_DESCRIPTIONS["topics"]),
    Command("mytopics", mytopics_command, texts.COMMAND_DESCRIPTIONS["mytopics"]),
    *(
        Command(name, callback, texts.COMMAND_DESCRIPTIONS[name], changes_chat=True)
        for name, callback in (
            ("subscribe", subscribe_command),
            ("unsubscribe", unsubscribe_command),
            ("follow", follow_command),
            ("unfollow", unfollow_command),
            ("settime", settime_command),
            ("timezone", timezone_command),
            ("pause", pause_command),
            ("resume", resume_command),
            ("stop", stop_command),
        )
    ),
)


def other_handlers() -> list[BaseHandler[Update, Context, None]]:
    """The topic and confirmation buttons, and group migrations."""
    return [
        CallbackQueryHandler(topic_button, pattern=r"^[sut]:"),
        CallbackQueryHandler(forget_button, pattern=r"^f:"),
        MessageHandler(filters.StatusUpdate.MIGRATE, chat_migrated),
    ]
