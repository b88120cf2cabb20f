"""Webhook mode: every call must carry the secret token, or it never reaches a handler."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
from botapi import BotApiStandIn

from e2e.helpers import USER, FakeClock, make_app
from newsbrief.handlers.app import UPDATES, api_url, webhook_options
from newsbrief.handlers.runtime import runtime_of


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_api_url_leaves_room_for_the_token() -> None:
    assert api_url("https://api.telegram.org") == "https://api.telegram.org/bot"
    assert api_url("http://127.0.0.1:8081/") == "http://127.0.0.1:8081/bot"
    assert api_url("http://h", "file") == "http://h/file/bot"
    assert api_url("http://h/bot{token}/x") == "http://h/bot{token}/x"


async def test_webhook_calls_without_the_secret_are_refused(
    unlimited: BotApiStandIn, tmp_path: Path, clock: FakeClock
) -> None:
    port = free_port()
    app = make_app(
        unlimited,
        tmp_path,
        clock,
        webhook_url="https://bot.example/hook",
        webhook_port=port,
        webhook_secret="s3cret-token",
    )
    options = webhook_options(runtime_of(app).settings)
    assert options["url_path"] == "hook" and options["secret_token"] == "s3cret-token"
    update = unlimited.send_user_message(USER, "/help")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(allowed_updates=UPDATES, **options)  # type: ignore[arg-type]
        try:
            url = f"http://127.0.0.1:{port}/hook"
            async with httpx.AsyncClient() as client:
                refused = await client.post(url, json=update)
                forged = await client.post(
                    url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}
                )
                accepted = await client.post(
                    url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
                )
            assert (refused.status_code, forged.status_code, accepted.status_code) == (
                403,
                403,
                200,
            )
            [answer] = await unlimited.wait_for_messages(USER, 1)
            assert answer.visible_text.startswith("Topics\n/topics")
        finally:
            await app.updater.stop()
            await app.stop()
    runtime_of(app).services.close()  # post_shutdown runs only under run_polling/run_webhook


def test_a_webhook_without_a_configured_secret_gets_a_random_one(
    unlimited: BotApiStandIn, tmp_path: Path, clock: FakeClock
) -> None:
    app = make_app(unlimited, tmp_path, clock, webhook_url="https://bot.example/tg/hook")
    settings = runtime_of(app).settings
    first, second = webhook_options(settings), webhook_options(settings)
    assert first["url_path"] == "tg/hook"
    assert len(str(first["secret_token"])) >= 32 and first["secret_token"] != second["secret_token"]
    runtime_of(app).services.close()
