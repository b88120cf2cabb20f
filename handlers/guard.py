"""The first handler every update meets: per-user rate limits."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from newsbrief.handlers import texts
from newsbrief.handlers.abuse import Verdict
from newsbrief.handlers.replies import reply
from newsbrief.handlers.runtime import Context, runtime_of


async def rate_limit(update: Update, context: Context) -> None:
    """Stop a user's update when they send too fast, saying so once."""
    user = update.effective_user
    if user is None:
        return
    verdict = runtime_of(context).limiter.check(user.id)
    if verdict is Verdict.ALLOW:
        return
    if verdict is Verdict.WARN:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.SLOW_DOWN)
        else:
            await reply(update, texts.SLOW_DOWN)
    elif update.callback_query is not None:
        await update.callback_query.answer()
    raise ApplicationHandlerStop
