"""Sending under Telegram's flood limits, with Telegram's errors turned into decisions.

Limits (Telegram's bot FAQ): about 30 messages a second overall, one a second in a chat,
20 a minute in a group. `Deliverer` paces every message with a per-chat token bucket, a
per-group sliding window and an overall token bucket (the chat is charged only when the overall
bucket lets the message go, so queueing never squeezes a chat's messages together), then:

- ``RetryAfter``: waits ``retry_after`` (pausing every chat, since flood control is per bot) and
  retries, up to `DeliverySettings.max_attempts`;
- ``Forbidden`` (blocked, deactivated, kicked) or "chat not found": stops and says to deactivate
  the chat, without retrying;
- ``ChatMigrated``: resends to the supergroup and reports its id;
- ``BadRequest`` for one message: logs it and goes on with the rest;
- network errors and timeouts: retried with exponential backoff, bounded. A timed-out send may
  have reached Telegram, so a retry can rarely duplicate a message.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from telegram import Bot, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

_CHAT_GONE = ("chat not found", "user not found", "peer_id_invalid", "chat_write_forbidden")
_PRUNE_AT = 4096
ROUNDING_SECONDS = 1e-9
"""A wait this short is float rounding (a rate change leaves 1e-17 s): waiting it could spin."""


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    """Pacing and retry policy; the defaults are Telegram's published limits."""

    messages_per_second: float = 30.0
    chat_messages_per_second: float = 1.0
    group_messages: int = 20
    group_window_seconds: float = 60.0
    max_attempts: int = 5
    backoff_initial_seconds: float = 1.0
    backoff_max_seconds: float = 30.0
    max_retry_after_seconds: float = 600.0
    concurrency: int = 32
    timer_slack_seconds: float = 0.0
    """How late a due send may start and still count as on time (see `TokenBucket.slack`)."""

    def __post_init__(self) -> None:
        for name in (
            "messages_per_second",
            "chat_messages_per_second",
            "group_window_seconds",
            "backoff_initial_seconds",
            "backoff_max_seconds",
            "max_retry_after_seconds",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"DeliverySettings.{name} must be positive")
        if self.timer_slack_seconds < 0:
            raise ValueError("DeliverySettings.timer_slack_seconds must not be negative")
        for name in ("group_messages", "max_attempts", "concurrency"):
            if getattr(self, name) < 1:
                raise ValueError(f"DeliverySettings.{name} must be at least 1")

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after the `attempt`-th network failure (1-based)."""
        return float(
            min(self.backoff_max_seconds, self.backoff_initial_seconds * 2 ** (attempt - 1))
        )


class DeliveryStatus(StrEnum):
    """How sending to one chat ended."""

    DELIVERED = "delivered"
    """Every message was sent."""
    PARTIAL = "partial"
    """Telegram refused some messages (logged); the others were sent."""
    DEACTIVATE = "deactivate"
    """The chat cannot be reached any more (blocked, deactivated, kicked): stop sending to it."""
    FAILED = "failed"
    """Gave up for now (flood control or network); worth trying again later."""


@dataclass(frozen=True, slots=True)
class MessageFailure:
    """A message that was not sent: its index in the list and Telegram's reason."""

    index: int
    error: str


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """What happened to one chat's messages."""

    chat_id: int
    status: DeliveryStatus
    sent_message_ids: tuple[int, ...] = ()
    failures: tuple[MessageFailure, ...] = ()
    migrated_to: int | None = None
    reason: str | None = None

    @property
    def deactivate(self) -> bool:
        """Tell whether the caller should stop sending to this chat."""
        return self.status is DeliveryStatus.DEACTIVATE

    @property
    def current_chat_id(self) -> int:
        """The chat id to use from now on (the supergroup's after a migration)."""
        return self.migrated_to if self.migrated_to is not None else self.chat_id


@dataclass(frozen=True, slots=True)
class DeliveryJob:
    """Messages for one chat, sent in order."""

    chat_id: int
    messages: Sequence[str]


class TokenBucket:
    """At most `rate` tokens a second on average, in bursts of at most `capacity`.

    `slack` (seconds) keeps a token that came due while its taker was still waking up: event
    loop timers fire up to a millisecond late, and at a hundred tokens a second a bucket that
    drops that time loses a tenth of its rate. Any window still holds at most
    `rate * window + capacity + slack * rate` tokens.
    """

    def __init__(
        self,
        rate: float,
        capacity: float = 1.0,
        *,
        slack: float = 0.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.rate = rate
        self.capacity = capacity
        self.slack = slack
        self._clock = clock
        self._sleep = sleep
        self._tokens = capacity
        self._updated = clock()
        self._hold_until = float("-inf")
        self._lock = asyncio.Lock()

    def _refill(self) -> float:
        now = self._clock()
        ceiling = self.capacity + self.slack * self.rate
        self._tokens = min(ceiling, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        return now

    def delay(self) -> float:
        """Seconds until a token is available (0 if one is, or all but a rounding error of one)."""
        now = self._refill()
        wait = max(self._hold_until - now, (1 - self._tokens) / self.rate, 0.0)
        return wait if wait > ROUNDING_SECONDS else 0.0

    def take(self) -> None:
        """Take a token now; call when `delay()` is 0."""
        self._refill()
        self._tokens -= 1

    async def acquire(self) -> None:
        """Wait for a token (first come, first served) and take it."""
        async with self._lock:
            while (wait := self.delay()) > 0:
                await self._sleep(wait)
            self.take()

    def set_rate(self, rate: float) -> None:
        """Change the rate from now on; tokens earned so far keep their value."""
        self._refill()
        self.rate = rate

    def hold(self, seconds: float) -> None:
        """Give out no token for the next `seconds` (Telegram asked us to wait)."""
        self._hold_until = max(self._hold_until, self._clock() + seconds)

    def idle(self) -> bool:
        """Tell whether forgetting this bucket would change nothing."""
        return (
            not self._lock.locked()
            and self.delay() == 0
            and self._tokens >= self.capacity + self.slack * self.rate
        )


class SlidingWindow:
    """At most `limit` events in any `period` seconds (Telegram's per-group rule)."""

    def __init__(
        self,
        limit: int,
        period: float,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.limit = limit
        self.period = period
        self._clock = clock
        self._sleep = sleep
        self._times: deque[float] = deque()
        self._lock = asyncio.Lock()

    def delay(self) -> float:
        """Seconds until one more event fits the window (0 if it does now)."""
        now = self._clock()
        while self._times and self._times[0] <= now - self.period:
            self._times.popleft()
        if len(self._times) < self.limit:
            return 0.0
        return self._times[0] + self.period - now

    def record(self) -> None:
        """Count an event now; call when `delay()` is 0."""
        self._times.append(self._clock())

    async def acquire(self) -> None:
        """Wait until one more event fits the window, and count it."""
        async with self._lock:
            while (wait := self.delay()) > 0:
                await self._sleep(wait)
            self.record()

    def idle(self) -> bool:
        """Tell whether forgetting this window would change nothing."""
        return not self._lock.locked() and self.delay() == 0 and not self._times


@dataclass(slots=True)
class _ChatLimits:
    """One chat's pacing; its lock makes the chat's sends take turns."""

    bucket: TokenBucket
    window: SlidingWindow | None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def delay(self) -> float:
        return max(self.bucket.delay(), self.window.delay() if self.window else 0.0)

    def take(self) -> None:
        self.bucket.take()
        if self.window:
            self.window.record()

    def idle(self) -> bool:
        return (
            not self.lock.locked()
            and self.bucket.idle()
            and (self.window is None or self.window.idle())
        )


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
    """Send HTML messages (link previews off) to chats within Telegram's limits."""

    def __init__(
        self,
        bot: Bot,
        settings: DeliverySettings | None = None,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.bot = bot
        self.settings = settings or DeliverySettings()
        self._clock = clock
        self._sleep = sleep
        self._overall = TokenBucket(
            self.settings.messages_per_second,
            slack=self.settings.timer_slack_seconds,
            clock=clock,
            sleep=sleep,
        )
        self._chats: dict[int, _ChatLimits] = {}

    @property
    def overall_rate(self) -> float:
        """Messages a second this deliverer sends at most, all chats together."""
        return self._overall.rate

    def share(self, instances: int) -> None:
        """Pace at an equal share of the overall limit: several instances send for one bot."""
        self._overall.set_rate(self.settings.messages_per_second / max(instances, 1))

    async def send(self, chat_id: int, messages: Sequence[str]) -> DeliveryResult:
        """Send `messages` to `chat_id` in order; say what happened instead of raising."""
        progress = _Progress(chat_id, chat_id)
        index = 0
        while index < len(messages):
            try:
                message = await self._post(progress.target, messages[index])
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

    async def _post(self, chat_id: int, text: str) -> Message:
        """Send one message, waiting out flood control and retrying network errors (bounded)."""
        settings = self.settings
        attempt = 0
        while True:
            attempt += 1
            await self._wait_turn(chat_id)
            try:
                return await self.bot.send_message(
                    chat_id=chat_id,
                    text=text,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
            except RetryAfter as exc:
                wait = retry_after_seconds(exc)
                if attempt >= settings.max_attempts or wait > settings.max_retry_after_seconds:
                    raise
                log.warning("Flood control for chat %s: waiting %.1f s", chat_id, wait)
                self._overall.hold(wait)
                await self._sleep(wait)
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

    async def _wait_turn(self, chat_id: int) -> None:
        """Wait until the chat, its group limit and the overall limit all allow one message.

        The chat's limits are charged only once the overall limit lets the message go, so a
        wait in the overall queue never squeezes two messages of a chat closer together.
        """
        limits = self._chat_limits(chat_id)
        async with limits.lock:
            while (wait := limits.delay()) > 0:
                await self._sleep(wait)
            await self._overall.acquire()
            limits.take()

    def _chat_limits(self, chat_id: int) -> _ChatLimits:
        limits = self._chats.get(chat_id)
        if limits is None:
            if len(self._chats) >= _PRUNE_AT:
                self._chats = {k: v for k, v in self._chats.items() if not v.idle()}
            settings = self.settings
            window = None
            if chat_id < 0:
                window = SlidingWindow(
                    settings.group_messages,
                    settings.group_window_seconds,
                    clock=self._clock,
                    sleep=self._sleep,
                )
            bucket = TokenBucket(
                settings.chat_messages_per_second, clock=self._clock, sleep=self._sleep
            )
            limits = self._chats[chat_id] = _ChatLimits(bucket, window)
        return limits
