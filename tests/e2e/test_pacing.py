"""The deliverer's overall pace survives late timers: `timer_slack_seconds`, as the bot sets it."""

from __future__ import annotations

import asyncio

import pytest

from newsbrief.bot.delivery.pacing import DeliverySettings, TokenBucket
from newsbrief.handlers.app import TIMER_SLACK_SECONDS


class LateClock:
    """A clock whose sleeps always end a millisecond late, like an event loop's timers."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0) + 0.001
        await asyncio.sleep(0)


async def paced(rate: float, slack: float, tokens: int) -> float:
    clock = LateClock()
    bucket = TokenBucket(rate, slack=slack, clock=clock, sleep=clock.sleep)
    for _ in range(tokens):
        await bucket.acquire()
    return clock.now


async def test_late_timers_cost_rate_without_slack_and_nothing_with_it() -> None:
    assert await paced(100.0, 0.0, 101) == pytest.approx(1.1, abs=0.002)
    assert await paced(100.0, TIMER_SLACK_SECONDS, 101) == pytest.approx(1.001, abs=0.002)


async def test_slack_never_lets_more_than_one_extra_token_through() -> None:
    clock = LateClock()
    bucket = TokenBucket(30.0, slack=TIMER_SLACK_SECONDS, clock=clock, sleep=clock.sleep)
    clock.now = 100.0  # a long idle: the bucket is as full as it gets
    granted = []
    while clock.now <= 101.0:
        await bucket.acquire()
        granted.append(clock.now)
    assert sum(1 for t in granted if t <= 101.0) <= 31  # a full bucket alone allows 1 + 30


def test_negative_slack_is_refused() -> None:
    with pytest.raises(ValueError, match="timer_slack_seconds"):
        DeliverySettings(timer_slack_seconds=-1)
