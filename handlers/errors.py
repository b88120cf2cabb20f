"""The one error handler: log what broke and tell the user something went wrong."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError

from newsbrief.handlers import texts
from newsbrief.handlers.runtime import Context

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    """Log the exception with the update's ids; apologise in the chat when there is one."""
    error = context.error
    if isinstance(update, Update):
        chat = update.effective_chat.id if update.effective_chat else None
        log.error("Update %s in chat %s failed", update.update_id, chat, exc_info=error)
        if isinstance(error, Forbidden) or update.effective_message is None:
            return
        try:
            await update.effective_message.reply_text(texts.SORRY)
        except TelegramError:
            log.warning("Could not apologise in chat %s", chat)
    else:
        log.error("Background work failed", exc_info=error)
