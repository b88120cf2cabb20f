"""Delivery under Telegram's limits, against the Bot API stand-in over real HTTP.

Tests of retries run on a fake clock (the stand-in's own limits switched off), so waiting out a
``retry_after`` costs no real time; the broadcast test runs on the real clock with every limit
scaled five times faster on both sides.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from botapi import ApiError, BotApiStandIn, RateLimits
from fake_time import FakeClock
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from newsbrief.bot.delivery.pacing import DeliverySettings, Pacer
from newsbrief.bot.delivery.sending import DeliveryStatus, MessageFailure
from newsbrief.handlers.delivery import Deliverer, DeliveryJob
from newsbrief.handlers.ratelimit import TelegramRateLimiter

SUPERGROUP = -1001234567890


@asynccontextmanager
async def delivering(
    botapi: BotApiStandIn,
    settings: DeliverySettings,
    clock: FakeClock | None = None,
    request: HTTPXRequest | None = None,
) -> AsyncIterator[Deliverer]:
    """A deliverer on a real PTB bot whose calls go through the bot's rate limiter, as in the app.

    With a fake clock, every wait (pacing, flood control, backoff) moves it instead of real time.
    """
    pacer = Pacer(settings, clock=clock, sleep=clock.sleep) if clock else Pacer(settings)
    sleep = clock.sleep if clock else asyncio.sleep
    bot = ExtBot(
        botapi.token,
        base_url=botapi.base_url,
        request=request or HTTPXRequest(connection_pool_size=64),
        rate_limiter=TelegramRateLimiter(pacer, sleep=sleep),
    )
    async with bot:
        yield Deliverer(bot, pacer, sleep=sleep)


@pytest.fixture
def clock() -> FakeClock:
    """A fresh fake clock."""
    return FakeClock()


@pytest.fixture
async def deliverer(botapi: BotApiStandIn, clock: FakeClock) -> AsyncIterator[Deliverer]:
    """A deliverer on the fake clock; the stand-in does not enforce limits in real time."""
    botapi.set_limits(RateLimits.unlimited())
    settings = DeliverySettings(max_attempts=3, backoff_initial_seconds=1.0)
    async with delivering(botapi, settings, clock) as deliverer:
        yield deliverer


def send_calls(botapi: BotApiStandIn) -> list[int]:
    """Statuses of every sendMessage the stand-in answered."""
    return [call.status for call in botapi.calls if call.method == "sendMessage"]


async def test_instances_sharing_a_bot_each_pace_at_their_share(
    deliverer: Deliverer, clock: FakeClock
) -> None:
    deliverer.share(3)
    assert deliverer.overall_rate == pytest.approx(10.0)
    for chat in range(1, 32):  # one chat each: only the overall limit paces them
        await deliverer.send(chat, ["hello"])
    assert clock.now == pytest.approx(3.0)
    deliverer.share(1)  # the others are gone: the whole limit again
    for chat in range(32, 62):
        await deliverer.send(chat, ["hello"])
    assert clock.now == pytest.approx(4.0)


async def test_multi_part_message_is_paced_one_per_second_per_chat(
    deliverer: Deliverer, botapi: BotApiStandIn, clock: FakeClock
) -> None:
    result = await deliverer.send(5, ["<b>one</b>", "two", "three"])

    assert result.status is DeliveryStatus.DELIVERED
    assert result.sent_message_ids == (1, 2, 3)
    assert clock.now == pytest.approx(2.0)
    [first, *_] = sent = botapi.messages_for(5)
    assert [m.visible_text for m in sent] == ["one", "two", "three"]
    assert first.parse_mode == "HTML"
    assert all(m.link_preview_disabled for m in sent)


async def test_group_chat_keeps_to_twenty_a_minute(
    deliverer: Deliverer, botapi: BotApiStandIn, clock: FakeClock
) -> None:
    result = await deliverer.send(-42, [f"part {n}" for n in range(21)])

    assert result.status is DeliveryStatus.DELIVERED
    assert clock.now == pytest.approx(60.0)


async def test_retry_after_is_waited_out_then_sent_once(
    deliverer: Deliverer, botapi: BotApiStandIn, clock: FakeClock
) -> None:
    botapi.inject_retry_after(1)

    result = await deliverer.send(5, ["first", "second"])

    assert result.status is DeliveryStatus.DELIVERED
    assert 1.0 in clock.sleeps
    assert send_calls(botapi) == [429, 200, 200]
    assert [m.text for m in botapi.messages_for(5)] == ["first", "second"]


async def test_retry_after_is_bounded(
    deliverer: Deliverer, botapi: BotApiStandIn, clock: FakeClock
) -> None:
    botapi.inject_retry_after(1, times=10)

    result = await deliverer.send(5, ["never", "sent"])

    assert result.status is DeliveryStatus.FAILED
    assert send_calls(botapi) == [429, 429, 429]
    assert botapi.messages_for(5) == []


async def test_very_long_retry_after_gives_up_at_once(
    deliverer: Deliverer, botapi: BotApiStandIn, clock: FakeClock
) -> None:
    botapi.inject_retry_after(3600)

    result = await deliverer.send(5, ["later"])

    assert result.status is DeliveryStatus.FAILED
    assert send_calls(botapi) == [429]
    assert 3600.0 not in clock.sleeps


@pytest.mark.parametrize(
    ("switch", "reason"),
    [
        (BotApiStandIn.block_chat, "Forbidden: bot was blocked by the user"),
        (BotApiStandIn.deactivate_chat, "Forbidden: user is deactivated"),
        (BotApiStandIn.kick_from_chat, "Forbidden: bot was kicked from the group chat"),
    ],
)
async def test_forbidden_says_deactivate_without_retrying(
    deliverer: Deliverer, botapi: BotApiStandIn, switch: object, reason: str
) -> None:
    getattr(botapi, switch.__name__)(5)  # type: ignore[attr-defined]

    result = await deliverer.send(5, ["a", "b"])

    assert result.status is DeliveryStatus.DEACTIVATE
    assert result.deactivate
    assert result.reason == reason
    assert send_calls(botapi) == [403]


async def test_chat_not_found_says_deactivate(deliverer: Deliverer, botapi: BotApiStandIn) -> None:
    botapi.inject_error(ApiError(400, "Bad Request: chat not found"))

    result = await deliverer.send(5, ["a"])

    assert result.deactivate


async def test_migrated_group_gets_the_messages_and_the_new_id(
    deliverer: Deliverer, botapi: BotApiStandIn
) -> None:
    botapi.migrate_chat(-5, SUPERGROUP)

    result = await deliverer.send(-5, ["one", "two"])

    assert result.status is DeliveryStatus.DELIVERED
    assert result.migrated_to == SUPERGROUP
    assert result.current_chat_id == SUPERGROUP
    assert [m.text for m in botapi.messages_for(SUPERGROUP)] == ["one", "two"]
    assert send_calls(botapi) == [400, 200, 200]


async def test_refused_message_is_logged_and_the_rest_sent(
    deliverer: Deliverer, botapi: BotApiStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="newsbrief.handlers.delivery"):
        result = await deliverer.send(5, ["ok", "<b>broken", "x" * 5000, "also ok"])

    assert result.status is DeliveryStatus.PARTIAL
    assert [f.index for f in result.failures] == [1, 2]
    assert result.failures[1] == MessageFailure(2, "Message is too long")
    assert [m.text for m in botapi.messages_for(5)] == ["ok", "also ok"]
    assert "refused message 2 of 4 for chat 5" in caplog.text


async def test_network_errors_are_retried_with_backoff(
    deliverer: Deliverer, botapi: BotApiStandIn, clock: FakeClock
) -> None:
    botapi.inject_error(ApiError(502, "Bad Gateway"), times=2)

    result = await deliverer.send(5, ["through"])

    assert result.status is DeliveryStatus.DELIVERED
    assert clock.sleeps == [1.0, 2.0]
    assert send_calls(botapi) == [502, 502, 200]


async def test_network_errors_are_bounded(deliverer: Deliverer, botapi: BotApiStandIn) -> None:
    botapi.inject_error(ApiError(502, "Bad Gateway"), times=10)

    result = await deliverer.send(5, ["lost", "too"])

    assert result.status is DeliveryStatus.FAILED
    assert send_calls(botapi) == [502, 502, 502]


async def test_unreachable_server_fails_the_chat(botapi: BotApiStandIn, clock: FakeClock) -> None:
    request = HTTPXRequest(connect_timeout=0.5)
    async with delivering(botapi, DeliverySettings(max_attempts=2), clock, request) as deliverer:
        botapi.stop()
        result = await deliverer.send(5, ["nobody there"])

    assert result.status is DeliveryStatus.FAILED
    assert clock.sleeps == [1.0]


async def test_broadcast_fifty_chats_within_scaled_limits(botapi: BotApiStandIn) -> None:
    # Telegram's limits five times faster: 150 msg/s overall, a chat every 0.2 s, 20 per 12 s
    # in a group. The deliverer keeps a margin below them for network jitter on a busy machine.
    botapi.set_limits(RateLimits().scaled(5))
    settings = DeliverySettings(
        messages_per_second=100,
        chat_messages_per_second=2.5,
        group_messages=20,
        group_window_seconds=12.0,
    )
    chats = [1000 + n for n in range(40)] + [-2000 - n for n in range(10)]
    botapi.block_chat(1003)
    botapi.migrate_chat(-2001, SUPERGROUP)
    jobs = [DeliveryJob(chat, [f"<b>{chat}</b> part 1", f"{chat} part 2"]) for chat in chats]

    async with delivering(botapi, settings) as deliverer:
        botapi.inject_retry_after(1)  # flood control on the very first send
        results = await deliverer.broadcast(jobs)

    assert [r.chat_id for r in results] == chats
    statuses = Counter(r.status for r in results)
    assert statuses == {DeliveryStatus.DELIVERED: 49, DeliveryStatus.DEACTIVATE: 1}
    assert results[chats.index(-2001)].migrated_to == SUPERGROUP
    assert len(botapi.errors(429)) == 1, f"only the injected flood error: {botapi.errors(429)}"
    sent = [(m.chat_id, m.visible_text) for m in botapi.messages]
    assert len(sent) == 98
    assert len(set(sent)) == 98, "no duplicates"
    for chat in chats:
        if chat in (1003, -2001):
            continue
        first, second = botapi.messages_for(chat)
        assert first.visible_text.endswith("part 1")
        assert second.time - first.time >= 0.18  # the stand-in's per-chat window
