"""Telegram's side of sending: the `Sender` the core's daily digests go through.

Pacing and flood control are the bot's rate limiter's (`handlers/ratelimit.py`), which every
call goes through; `Deliverer` shares its `Pacer` and turns Telegram's answers into decisions:

- ``Forbidden`` (blocked, deactivated, kicked) or "chat not found": stops and says to deactivate
  the chat, without retrying;
- ``ChatMigrated``: resends to the supergroup and reports its id;
- ``BadRequest`` for one message: logs it and goes on with the rest;
- ``RetryAfter`` the limiter gave up on: gives up on the chat for now;
- network errors and timeouts: retried with exponential backoff, bounded. A timed-out send may
  have reached Telegram, so a retry can rarely duplicate a message.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram import LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import ExtBot
from telegram.warnings import PTBDeprecationWarning

from newsbrief.bot.delivery.pacing import Pacer, Sleep
from newsbrief.bot.delivery.sending import DeliveryResult, DeliveryStatus, Fence, MessageFailure

log = logging.getLogger(__name__)

_CHAT_GONE = ("chat not found", "user not found", "peer_id_invalid", "chat_write_forbidden")


class Withdrawn(Exception):
    """A message's fence said it is no longer ours to send (the bot's rate limiter raises it)."""


@dataclass(frozen=True, slots=True)
class DeliveryJob:
    """Messages for one chat, sent in order."""

    chat_id: int
    messages: Sequence[str]


def retry_after_seconds(error: RetryAfter) -> float:
    """Read `retry_after` in seconds whether PTB gives an int or a timedelta (PTB_TIMEDELTA)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _chat_gone(error: BadRequest) -> bool:
    text = error.message.lower()
    return any(marker in text for marker in _CHAT_GONE)


@dataclass(slots=True)
class _Progress:
    chat_id: int
    target: int
    sent: list[int] = field(default_factory=list)
    failures: list[MessageFailure] = field(default_factory=list)
    migrated_to: int | None = None

    def result(self, status: DeliveryStatus, reason: str | None = None) -> DeliveryResult:
        return DeliveryResult(
            self.chat_id,
            status,
            tuple(self.sent),
            tuple(self.failures),
            self.migrated_to,
            reason,
        )


class Deliverer:
    """Send HTML messages (link previews off) to chats; `bot` paces its calls with `pacer`."""

    def __init__(self, bot: ExtBot[Any], pacer: Pacer, *, sleep: Sleep = asyncio.sleep) -> None:
        self.bot = bot
        self.pacer = pacer
        self.settings = pacer.settings
        self._sleep = sleep

    @property
    def overall_rate(self) -> float:
        """Messages a second this deliverer sends at most, all chats together."""
        return self.pacer.overall_rate

    @property
    def concurrency(self) -> int:
        """Chats worth sending to at once."""
        return self.settings.concurrency

    def share(self, instances: int) -> None:
        """Pace at an equal share of the overall limit: several instances send for one bot."""
        self.pacer.share(instances)

    async def send(
        self, chat_id: int, messages: Sequence[str], *, fence: Fence | None = None
    ) -> DeliveryResult:
        """Send `messages` to `chat_id` in order; say what happened instead of raising.

        The `fence` goes to the bot's rate limiter, which asks it once the message's turn has
        come, right before the call.
        """
        progress = _Progress(chat_id, chat_id)
        index = 0
        while index < len(messages):
            try:
                message = await self._post(progress.target, messages[index], fence)
            except Withdrawn:
                return progress.result(DeliveryStatus.WITHDRAWN, "no longer ours to send")
            except ChatMigrated as exc:
                if progress.migrated_to is not None:
                    return progress.result(DeliveryStatus.FAILED, f"migrated twice: {exc}")
                log.info("Chat %s moved to supergroup %s", chat_id, exc.new_chat_id)
                progress.target = progress.migrated_to = exc.new_chat_id
                continue
            except Forbidden as exc:
                log.info("Chat %s is unreachable: %s", progress.target, exc.message)
                return progress.result(DeliveryStatus.DEACTIVATE, exc.message)
            except BadRequest as exc:
                if _chat_gone(exc):
                    log.info("Chat %s is unreachable: %s", progress.target, exc.message)
                    return progress.result(DeliveryStatus.DEACTIVATE, exc.message)
                log.warning(
                    "Telegram refused message %d of %d for chat %s: %s",
                    index + 1,
                    len(messages),
                    progress.target,
                    exc.message,
                )
                progress.failures.append(MessageFailure(index, exc.message))
                index += 1
                continue
            except TelegramError as exc:
                log.warning("Gave up sending to chat %s: %s", progress.target, exc)
                return progress.result(DeliveryStatus.FAILED, str(exc))
            progress.sent.append(message.message_id)
            index += 1
        if not progress.failures:
            return progress.result(DeliveryStatus.DELIVERED)
        if progress.sent:
            return progress.result(DeliveryStatus.PARTIAL)
        return progress.result(DeliveryStatus.FAILED, "every message was refused")

    async def broadcast(self, jobs: Iterable[DeliveryJob]) -> list[DeliveryResult]:
        """Send many chats their messages concurrently; one chat's failure never stops others."""
        gate = asyncio.Semaphore(self.settings.concurrency)

        async def run(job: DeliveryJob) -> DeliveryResult:
            async with gate:
                try:
                    return await self.send(job.chat_id, job.messages)
                except Exception as exc:
                    log.exception("Delivery to chat %s crashed", job.chat_id)
                    return DeliveryResult(job.chat_id, DeliveryStatus.FAILED, reason=repr(exc))

        return list(await asyncio.gather(*(run(job) for job in jobs)))

    async def _send_message(self, chat_id: int, text: str, fence: Fence | None) -> Message:
        """Send HTML with link previews off; a fence needs the bot's rate limiter to ask it."""
        html, preview = ParseMode.HTML, LinkPreviewOptions(is_disabled=True)
        if fence is None:
            return await self.bot.send_message(
                chat_id, text, parse_mode=html, link_preview_options=preview
            )
        return await self.bot.send_message(
            chat_id, text, parse_mode=html, link_preview_options=preview, rate_limit_args=fence
        )

    async def _post(self, chat_id: int, text: str, fence: Fence | None = None) -> Message:
        """Send one message, retrying network errors (bounded); the bot's limiter paces it."""
        settings = self.settings
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._send_message(chat_id, text, fence)
            except BadRequest:
                raise
            except NetworkError as exc:
                if attempt >= settings.max_attempts:
                    raise
                wait = settings.backoff(attempt)
                log.warning(
                    "Network error for chat %s (%s): retrying in %.1f s", chat_id, exc, wait
                )
                await self._sleep(wait)
