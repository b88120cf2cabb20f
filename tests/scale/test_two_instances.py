"""Two bot instances on one store and one Bot API: 200 briefs due at once, each sent once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from botapi import BotApiStandIn, RateLimits
from e2e.helpers import FakeClock, make_app

from handlers.daily import DailyDigests, DailyReport
from handlers.delivery import DeliverySettings
from handlers.runtime import runtime_of
from scale.fleet import seed_due_subscribers, tally

SLOT = datetime(2025, 3, 30, 8, 0, tzinfo=UTC)
SUBSCRIBERS = 200
PACE = DeliverySettings(messages_per_second=40, chat_messages_per_second=20, max_attempts=3)
"""Two instances at 40 messages a second stay under the stand-in's 90 (Telegram's, scaled)."""


async def _run(daily: object) -> DailyReport:
    assert isinstance(daily, DailyDigests)
    report = await daily.run()
    assert report is not None
    return report


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
                _run(runtime_of(first).daily), _run(runtime_of(second).daily)
            )
            clock.now += timedelta(minutes=10)  # past every lease: nothing is left to recover
            again = await asyncio.gather(
                _run(runtime_of(first).daily), _run(runtime_of(second).daily)
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
