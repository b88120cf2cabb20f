"""Shared fixtures: the loopback Bot API stand-in (no test ever talks to the real Telegram)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from botapi import BotApiStandIn


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta periods, so `RetryAfter` does not warn (warnings are errors)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
def botapi() -> Iterator[BotApiStandIn]:
    """Run a Bot API stand-in on 127.0.0.1 with Telegram's default limits for one test."""
    with BotApiStandIn() as standin:
        yield standin
    assert not standin.server_errors, standin.server_errors[0]


@pytest.fixture(scope="session", autouse=True)
def _drop_test_schemas() -> Iterator[None]:
    """Leave the database server as it was: drop the schemas the run created."""
    yield
    from factories import drop_created_schemas

    drop_created_schemas()
