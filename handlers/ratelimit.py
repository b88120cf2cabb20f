"""One limiter for every call the bot makes, plugged into python-telegram-bot as its rate limiter.

Replies, edits, callback answers and daily digests all go through `TelegramRateLimiter`: a
message waits its turn at the bot's `Pacer` (overall, per chat, per group), and a 429 from
Telegram holds every call for its ``retry_after`` and is then retried, up to
`DeliverySettings.max_attempts`, instead of being dropped. Updates run concurrently across chats
and in order within one (`ChatOrderedProcessor`), so one chat's paced replies never hold up
another's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter, BaseUpdateProcessor

from newsbrief.bot.delivery.pacing import DeliverySettings, Pacer
from newsbrief.bot.delivery.sending import Fence
from newsbrief.handlers.delivery import Withdrawn, retry_after_seconds

log = logging.getLogger(__name__)

Answer = bool | dict[str, Any] | list[dict[str, Any]]
UNPACED = frozenset({"sendChatAction"})
"""Calls named send... that put no message in the chat."""
MAX_CONCURRENT_UPDATES = 256


def is_message(endpoint: str) -> bool:
    """Tell whether a call puts a message in a chat (Telegram's flood limits count those)."""
    if endpoint in UNPACED:
        return False
    return endpoint.startswith(("send", "edit", "copyMessage", "forwardMessage"))


def chat_of(data: dict[str, Any]) -> int | None:
    """The numeric chat a call goes to, if it names one."""
    try:
        return int(data["chat_id"])
    except (KeyError, TypeError, ValueError):
        return None


class TelegramRateLimiter(BaseRateLimiter[Fence]):
    """Pace messages at the bot's limits and wait out flood control for every call.

    A call may carry a fence (`rate_limit_args`): it is asked once the call's turn has come,
    right before the call, and a no raises `Withdrawn` instead of sending.
    """

    def __init__(
        self,
        pacer: Pacer,
        settings: DeliverySettings | None = None,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.pacer = pacer
        self.settings = settings or pacer.settings
        self._sleep = sleep

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Answer]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Fence | None,
    ) -> Answer:
        """Make the call in its turn; on 429 hold every call for `retry_after`, then retry."""
        message = is_message(endpoint)
        chat_id = chat_of(data)
        attempt = 0
        while True:
            attempt += 1
            if message:
                await self.pacer.wait_turn(chat_id)
            else:
                await self.pacer.wait_hold()
            if rate_limit_args is not None and not await rate_limit_args():
                raise Withdrawn(endpoint)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                wait = retry_after_seconds(error)
                settings = self.settings
                if attempt >= settings.max_attempts or wait > settings.max_retry_after_seconds:
                    raise
                log.warning(
                    "Flood control on %s for chat %s: waiting %.1f s", endpoint, chat_id, wait
                )
                self.pacer.hold(wait)
                await self._sleep(wait)


@dataclass(slots=True)
class _ChatTurn:
    """One chat's updates take turns; forgotten when none is waiting."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: int = 0


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Handle updates concurrently across chats, one at a time within a chat, in order."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._chats: dict[int, _ChatTurn] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's earlier updates, then handle this one."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        turn = self._chats.setdefault(chat.id, _ChatTurn())
        turn.waiting += 1
        try:
            async with turn.lock:
                await coroutine
        finally:
            turn.waiting -= 1
            if not turn.waiting:
                del self._chats[chat.id]

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""
