"""Per-user command rate limits and argument caps, so one user cannot drown the bot."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

MAX_ARGUMENT_CHARS = 200
"""The longest command argument or free text the bot reads."""


class Verdict(Enum):
    """What to do with one command from a user."""

    ALLOW = "allow"
    WARN = "warn"
    """Over the limit for the first time in a while: refuse, and say so once."""
    DROP = "drop"
    """Still over the limit: refuse silently."""


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class CommandLimiter:
    """A token bucket per user: `burst` commands at once, then `rate` a second."""

    def __init__(
        self,
        rate: float = 1.0,
        burst: int = 8,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_users: int = 100_000,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("the command rate must be positive and the burst at least 1")
        self.rate = rate
        self.burst = float(burst)
        self._clock = clock
        self._max_users = max_users
        self._buckets: dict[int, _Bucket] = {}

    def check(self, user_id: int) -> Verdict:
        """Take one token for `user_id`, or say how to refuse."""
        now = self._clock()
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) >= self._max_users:
                self._prune(now)
            bucket = self._buckets[user_id] = _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return Verdict.ALLOW
        if bucket.warned:
            return Verdict.DROP
        bucket.warned = True
        return Verdict.WARN

    def _prune(self, now: float) -> None:
        """Forget users whose buckets are full again (they would start full anyway)."""
        self._buckets = {
            user: b
            for user, b in self._buckets.items()
            if b.tokens + (now - b.updated) * self.rate < self.burst
        }
