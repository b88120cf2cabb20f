"""Two bot instances on one store and one Bot API: 200 briefs due at once, each sent once,
with the bot's rate limit shared between them."""

from __future__ import annotations

import asyncio
from bisect import bisect_right
from datetime import UTC, datetime, timedelta
from pathlib import Path

from botapi import BotApiStandIn, RateLimits
from e2e.helpers import FakeClock, make_app, run_daily
from waiting import until

from newsbrief.bot.delivery.pacing import DeliverySettings
from newsbrief.handlers.runtime import runtime_of
from scale.fleet import seed_due_subscribers, tally

SLOT = datetime(2025, 3, 30, 8, 0, tzinfo=UTC)
SUBSCRIBERS = 200
PACE = DeliverySettings(messages_per_second=80, chat_messages_per_second=20, max_attempts=3)
"""The bot's limit, 80 messages a second, under the stand-in's 90 (Telegram's, scaled): two
instances that did not share it would send 160."""


async def test_two_instances_send_each_of_200_due_briefs_exactly_once(
    botapi: BotApiStandIn, tmp_path: Path
) -> None:
    botapi.set_limits(RateLimits().scaled(3))
    clock = FakeClock(SLOT + timedelta(seconds=20))
    first = make_app(botapi, tmp_path, clock, delivery=PACE)
    second = make_app(botapi, tmp_path, clock, delivery=PACE)
    chats = seed_due_subscribers(runtime_of(first).services, SUBSCRIBERS, SLOT)
    try:
        async with first, second:
            reports = await asyncio.gather(
                run_daily(runtime_of(first)), run_daily(runtime_of(second))
            )
            clock.now += timedelta(minutes=10)  # past every lease: nothing is left to recover
            again = await asyncio.gather(
                run_daily(runtime_of(first)), run_daily(runtime_of(second))
            )
    finally:
        runtime_of(first).services.close()
        runtime_of(second).services.close()
    result = tally(botapi.messages, chats)
    assert (result.lost, result.chats_with_two, result.duplicates) == (0, 0, 0)
    assert sum(r.claimed for r in reports) == SUBSCRIBERS
    # How the two split the work depends on timing (one may claim everything first); the
    # SIGKILL test in test_kill.py checks that a share stranded by a dead instance is recovered.
    assert sum(r.sent for r in reports) == SUBSCRIBERS
    assert [r.claimed + r.recovered for r in again] == [0, 0]
    assert botapi.errors(429) == []


async def test_an_instance_joining_a_broadcast_takes_half_the_bot_rate(
    botapi: BotApiStandIn, tmp_path: Path
) -> None:
    botapi.set_limits(RateLimits.unlimited())  # count what they send, instead of refusing it
    clock = FakeClock(SLOT + timedelta(seconds=20))
    first = make_app(botapi, tmp_path, clock, delivery=PACE)
    second = make_app(botapi, tmp_path, clock, delivery=PACE)
    chats = seed_due_subscribers(runtime_of(first).services, 900, SLOT)  # 11 s at 80 a second
    try:
        async with first, second:
            one = asyncio.create_task(run_daily(runtime_of(first)))
            # the first is sending alone at the full rate
            await until(lambda: len(botapi.messages) >= 40, "40 messages from the first")
            reports = await asyncio.gather(one, run_daily(runtime_of(second)))
    finally:
        runtime_of(first).services.close()
        runtime_of(second).services.close()
    assert tally(botapi.messages, chats).lost == 0
    assert all(r.sent > 0 for r in reports)
    assert busiest_second(botapi) <= PACE.messages_per_second + 2  # a token each may be banked


def busiest_second(botapi: BotApiStandIn) -> int:
    """The most messages the stand-in accepted within any one second."""
    times = sorted(c.time for c in botapi.calls if c.method == "sendMessage" and c.status == 200)
    return max((bisect_right(times, t + 1.0) - i for i, t in enumerate(times)), default=0)
