"""Small helpers every handler uses to read its input and answer."""

from __future__ import annotations

import html

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from newsbrief.handlers import texts
from newsbrief.handlers.abuse import MAX_ARGUMENT_CHARS
from newsbrief.handlers.runtime import Context


def esc(value: object) -> str:
    """Escape a value for Telegram HTML."""
    return html.escape(str(value), quote=False)


def chat_id_of(update: Update) -> int:
    """The chat the update came from."""
    if update.effective_chat is None:
        raise ValueError("the update has no chat")
    return update.effective_chat.id


async def reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Answer in the chat the update came from (HTML, no link previews: the defaults)."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(text, reply_markup=markup, do_quote=False)


async def argument(update: Update, context: Context) -> str | None:
    """The command's words as one string; None (after saying so) when they are too long."""
    text = " ".join(context.args or [])
    if len(text) > MAX_ARGUMENT_CHARS:
        await reply(update, texts.TOO_LONG.format(limit=MAX_ARGUMENT_CHARS))
        return None
    return text


def unchanged(error: BadRequest) -> bool:
    """Tell whether Telegram refused an edit only because it would change nothing."""
    return "message is not modified" in error.message.lower()


async def edit_markup(query: CallbackQuery, markup: InlineKeyboardMarkup) -> None:
    """Show new buttons under the pressed message; the same buttons again are no error."""
    try:
        await query.edit_message_reply_markup(markup)
    except BadRequest as error:
        if not unchanged(error):
            raise


async def edit_text(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replace the pressed message's text and buttons; the same again is no error."""
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:
        if not unchanged(error):
            raise
