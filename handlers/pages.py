"""Digests asked for in a chat, one message at a time: a longer one ends with a "More" button
that pages on by editing that message in place, instead of sending a wall of messages.

A page button carries what it shows (a topic's digest, or the chat's own, and the page), so
any instance can answer it; the digest is built again from the store when it is pressed.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from newsbrief.bot.delivery.buttons import PageButton, PagedKind
from newsbrief.bot.delivery.interests import build_digests, topics_for
from newsbrief.bot.store import subscriptions as subs
from newsbrief.bot.store.subscriptions import Interests
from newsbrief.bot.stories.topics import Topic
from newsbrief.handlers import texts
from newsbrief.handlers.chat_digests import render_digests
from newsbrief.handlers.replies import chat_id_of, edit_text, reply
from newsbrief.handlers.runtime import Context, Runtime, runtime_of


def page_keyboard(
    kind: PagedKind, topic: str, page: int, pages: int
) -> InlineKeyboardMarkup | None:
    """Back and More buttons for page `page` (from 0) of `pages`; none for a single page."""
    if pages <= 1:
        return None
    row = []
    if page > 0:
        back = PageButton(kind, page - 1, topic).data()
        row.append(InlineKeyboardButton(texts.PAGE_BACK, callback_data=back))
    if page + 1 < pages:
        more = PageButton(kind, page + 1, topic).data()
        label = texts.PAGE_MORE.format(page=page + 2, pages=pages)
        row.append(InlineKeyboardButton(label, callback_data=more))
    return InlineKeyboardMarkup([row])


async def digest_pages(runtime: Runtime, topics: list[Topic]) -> list[str]:
    """Build and render the latest digests of these topics as message-sized pages."""
    now = runtime.clock()
    options = runtime.services.digest_options
    rendered = await runtime.read(
        lambda s: render_digests(
            build_digests(s, topics, now=now, options=options), skip_empty=False
        )
    )
    return rendered.messages


async def chat_topics(runtime: Runtime, chat_id: int) -> list[Topic]:
    """The topics and followed words of a chat (none when nothing is stored about it)."""

    def read(session: Session) -> Interests:
        subscriber = subs.find(session, chat_id)
        if subscriber is None:
            return Interests()
        return subs.interests(session, [subscriber.id])[subscriber.id]

    return topics_for(runtime.services.topics, await runtime.read(read))


async def send_paged(
    update: Update, context: Context, topics: list[Topic], kind: PagedKind, topic: str = ""
) -> None:
    """Send the first page of the latest digests, with a More button when there are more."""
    pages = await digest_pages(runtime_of(context), topics)
    await reply(update, pages[0], page_keyboard(kind, topic, 0, len(pages)))


async def page_button(update: Update, context: Context) -> None:
    """Show the page the pressed button asks for, in the same message."""
    query = update.callback_query
    if query is None:
        return
    runtime = runtime_of(context)
    button = PageButton.parse(query.data)
    if button is None or update.effective_chat is None or query.message is None:
        await query.answer(texts.BUTTON_STALE)
        return
    if button.kind is PagedKind.TOPIC:
        found = runtime.services.topics.get(button.topic)
        topics = [found] if found is not None else []
    else:
        topics = await chat_topics(runtime, chat_id_of(update))
    if not topics:
        await query.answer(texts.BUTTON_STALE)
        return
    pages = await digest_pages(runtime, topics)
    page = min(button.page, len(pages) - 1)
    await query.answer()
    await edit_text(query, pages[page], page_keyboard(button.kind, button.topic, page, len(pages)))


def handlers() -> list[BaseHandler[Update, Context, None]]:
    """The page buttons."""
    return [CallbackQueryHandler(page_button, pattern=r"^p:")]
