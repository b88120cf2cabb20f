"""A monotonic clock for pacing tests: time moves only when someone sleeps on it."""

from __future__ import annotations

import asyncio


class FakeClock:
    """A monotonic clock that only moves when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Record the wait, move time forward and let other tasks run."""
        self.sleeps.append(round(seconds, 6))
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)
