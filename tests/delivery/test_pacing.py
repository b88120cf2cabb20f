"""Token buckets and sliding windows on a fake clock: waiting costs no real time."""

from __future__ import annotations

import asyncio

import pytest
from fake_time import FakeClock

from newsbrief.bot.delivery.pacing import SlidingWindow, TokenBucket


@pytest.fixture
def clock() -> FakeClock:
    """A fresh fake clock."""
    return FakeClock()


async def test_token_bucket_paces_at_its_rate(clock: FakeClock) -> None:
    bucket = TokenBucket(2.0, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        await bucket.acquire()
    assert clock.now == pytest.approx(2.0)

    bucket.hold(10)
    await bucket.acquire()
    assert clock.now == pytest.approx(12.0)


async def test_token_bucket_serves_concurrent_waiters_in_order(clock: FakeClock) -> None:
    bucket = TokenBucket(1.0, clock=clock, sleep=clock.sleep)
    order: list[int] = []

    async def take(n: int) -> None:
        await bucket.acquire()
        order.append(n)

    await asyncio.gather(*(take(n) for n in range(4)))
    assert order == [0, 1, 2, 3]
    assert clock.now == pytest.approx(3.0)


async def test_sliding_window_allows_twenty_a_minute(clock: FakeClock) -> None:
    window = SlidingWindow(20, 60.0, clock=clock, sleep=clock.sleep)
    for _ in range(20):
        await window.acquire()
    assert clock.now == 0.0
    await window.acquire()
    assert clock.now == pytest.approx(60.0)
