"""In groups, only administrators change the chat's daily brief; others get a short refusal."""

from __future__ import annotations

import functools

from telegram import Update
from telegram.constants import ChatType

from newsbrief.bot.delivery.permissions import may_change_subscription
from newsbrief.handlers import texts
from newsbrief.handlers.replies import reply
from newsbrief.handlers.runtime import Callback, Context


async def may_change(update: Update, context: Context) -> bool:
    """Tell whether the sender may change this chat's subscription (asks Telegram in groups)."""
    chat = update.effective_chat
    if chat is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    sender = update.message.sender_chat if update.message is not None else None
    anonymous = sender is not None and sender.id == chat.id
    status: str | None = None
    user = update.effective_user
    if user is not None and not anonymous:
        status = (await context.bot.get_chat_member(chat.id, user.id)).status
    return may_change_subscription(chat.type, status, anonymous_admin=anonymous)


async def refuse(update: Update) -> None:
    """Say, briefly, that only the group's administrators may do that."""
    if update.callback_query is not None:
        await update.callback_query.answer(texts.GROUP_ADMINS_ONLY)
    else:
        await reply(update, texts.GROUP_ADMINS_ONLY)


def admins_only_in_groups(callback: Callback) -> Callback:
    """Wrap a handler that changes the chat's subscription: in groups, administrators only."""

    @functools.wraps(callback)
    async def guarded(update: Update, context: Context) -> None:
        if await may_change(update, context):
            await callback(update, context)
        else:
            await refuse(update)

    return guarded
