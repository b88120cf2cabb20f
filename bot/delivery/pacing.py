"""Pacing under a messenger's flood limits: token buckets, sliding windows, one `Pacer` per bot.

Telegram's limits (its bot FAQ): about 30 messages a second overall, one a second in a chat,
20 a minute in a group. `Pacer` applies all three to each outgoing call: the chat waits its
turn first and is charged only when the overall limit lets the call go, so queueing never
squeezes a chat's messages together.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

PRUNE_AT = 4096
"""Forget idle chats' pacing once this many are remembered."""
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
        """Give out no token for the next `seconds` (the messenger asked us to wait)."""
        self._hold_until = max(self._hold_until, self._clock() + seconds)

    def held_for(self) -> float:
        """Seconds the messenger's last request to wait still has to run."""
        return max(self._hold_until - self._clock(), 0.0)

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


class Pacer:
    """One bot's flood limits: overall, per chat, per group (negative chat ids)."""

    def __init__(
        self,
        settings: DeliverySettings | None = None,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
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
        """Messages a second sent at most, all chats together."""
        return self._overall.rate

    def share(self, instances: int) -> None:
        """Pace at an equal share of the overall limit: several instances send for one bot."""
        self._overall.set_rate(self.settings.messages_per_second / max(instances, 1))

    def hold(self, seconds: float) -> None:
        """Let nothing go for `seconds`: flood control is per bot, so every chat waits."""
        self._overall.hold(seconds)

    async def wait_hold(self) -> None:
        """Wait out a hold: a call that sends no message still respects flood control."""
        while (wait := self._overall.held_for()) > 0:
            await self._sleep(wait)

    async def wait_turn(self, chat_id: int | None) -> None:
        """Wait until the chat (if any), its group limit and the overall limit allow one call.

        The chat's limits are charged only once the overall limit lets the call go, so a
        wait in the overall queue never squeezes two messages of a chat closer together.
        """
        if chat_id is None:
            await self._overall.acquire()
            return
        limits = self._chat_limits(chat_id)
        async with limits.lock:
            while (wait := limits.delay()) > 0:
                await self._sleep(wait)
            await self._overall.acquire()
            limits.take()

    def _chat_limits(self, chat_id: int) -> _ChatLimits:
        limits = self._chats.get(chat_id)
        if limits is None:
            if len(self._chats) >= PRUNE_AT:
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
