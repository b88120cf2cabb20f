"""End-to-end fixtures: the real application over PTB's HTTP stack against the stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from botapi import BotApiStandIn, RateLimits

from e2e.helpers import Chat, FakeClock, make_app, running
from newsbrief.handlers.runtime import BotApp, Runtime, runtime_of


@pytest.fixture
def clock() -> FakeClock:
    """A fake wall clock starting on Saturday 29 March 2025, noon UTC."""
    return FakeClock()


@pytest.fixture
def unlimited(botapi: BotApiStandIn) -> BotApiStandIn:
    """The stand-in without flood limits, for tests that talk a lot in one chat."""
    botapi.set_limits(RateLimits.unlimited())
    return botapi


@pytest.fixture
async def app(unlimited: BotApiStandIn, tmp_path: Path, clock: FakeClock) -> AsyncIterator[BotApp]:
    """The bot, running and polling the stand-in."""
    async with running(make_app(unlimited, tmp_path, clock)) as started:
        yield started


@pytest.fixture
def runtime(app: BotApp) -> Runtime:
    """The running bot's runtime."""
    return runtime_of(app)


@pytest.fixture
def chat(app: BotApp, unlimited: BotApiStandIn) -> Chat:
    """A private chat with the running bot."""
    return Chat(unlimited)
