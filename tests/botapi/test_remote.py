"""The stand-in in a process of its own, driven over its control routes."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from telegram import Bot
from telegram.error import RetryAfter

from botapi import RateLimits
from botapi.control import limits_from
from botapi.remote import RemoteStandIn


def test_limits_survive_their_json_form() -> None:
    for limits in (RateLimits(), RateLimits().scaled(2), RateLimits.unlimited()):
        assert limits_from(asdict(limits)) == limits


async def test_remote_stand_in_enforces_limits_and_counts_what_it_accepted() -> None:
    async with RemoteStandIn() as api, Bot(api.token, base_url=api.base_url) as bot:
        start = await api.stats()
        await bot.send_message(1, "one")
        await bot.send_message(2, "two")
        with pytest.raises(RetryAfter):
            await bot.send_message(1, "again")
        await api.set_limits(RateLimits.unlimited())
        await bot.send_message(1, "one")
        found = await api.stats(start)
        assert (found.sent, found.chats, found.duplicates) == (3, 2, 1)
        assert found.refusals(429) == 1 and found.server_errors == 0
        assert found.first is not None and found.last is not None and found.first <= found.last
        assert (await api.stats(found)).sent == 0


async def test_remote_stand_in_queues_updates_and_waits_for_replies() -> None:
    async with RemoteStandIn() as api, Bot(api.token, base_url=api.base_url) as bot:
        queued = await api.send_user_message(42, "/ping")
        [update] = await bot.get_updates()
        assert update.message is not None and update.message.text == "/ping"
        await bot.send_message(42, "pong")
        [reply] = await api.wait_for_messages(42, 1)
        assert reply.text == "pong" and reply.time >= queued
        with pytest.raises(TimeoutError):
            await api.wait_for_messages(42, 2, timeout=0.1)


async def test_remote_stand_in_queues_inline_queries_and_times_the_answer() -> None:
    async with RemoteStandIn() as api, Bot(api.token, base_url=api.base_url) as bot:
        query_id, queued = await api.send_inline_query(42, "syria")
        [update] = await bot.get_updates()
        assert update.inline_query is not None and update.inline_query.query == "syria"
        await bot.answer_inline_query(update.inline_query.id, [])
        answer, answered = await api.wait_for_inline_answer(query_id)
        assert answer["results"] == [] and answered >= queued
        other, _ = await api.send_inline_query(42, "kursk")
        with pytest.raises(TimeoutError):
            await api.wait_for_inline_answer(other, timeout=0.1)
