"""Webhook mode: each call must carry the secret, front ends agree on it, bad bodies get 400."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import httpx
from botapi import BotApiStandIn

from e2e.helpers import USER, FakeClock, make_app
from newsbrief.handlers.app import UPDATES, api_url
from newsbrief.handlers.runtime import BotApp, runtime_of
from newsbrief.handlers.webhook import SECRET_HEADER, WebhookServer, webhook_options


def test_the_api_url_leaves_room_for_the_token() -> None:
    assert api_url("https://api.telegram.org") == "https://api.telegram.org/bot"
    assert api_url("http://127.0.0.1:8081/") == "http://127.0.0.1:8081/bot"
    assert api_url("http://h", "file") == "http://h/file/bot"
    assert api_url("http://h/bot{token}/x") == "http://h/bot{token}/x"


def test_the_api_url_may_end_in_bot_as_python_telegram_bot_writes_it() -> None:
    assert api_url("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/bot"
    assert api_url("http://127.0.0.1:8081/bot/", "file") == "http://127.0.0.1:8081/file/bot"
    assert api_url("http://h/file/bot", "file") == "http://h/file/bot"


@asynccontextmanager
async def front_end(app: BotApp) -> AsyncIterator[str]:
    """Run the app by webhook on a free port; yield the URL Telegram's calls go to."""
    options = replace(webhook_options(runtime_of(app).settings), listen="127.0.0.1", port=0)
    async with app:
        await app.start()
        server = WebhookServer(app, options)
        await server.start(UPDATES)
        try:
            yield f"http://127.0.0.1:{server.port}{options.path}"
        finally:
            await server.stop()
            await app.stop()


async def test_webhook_calls_without_the_secret_are_refused_and_bad_bodies_get_400(
    unlimited: BotApiStandIn, tmp_path: Path, clock: FakeClock
) -> None:
    app = make_app(
        unlimited,
        tmp_path,
        clock,
        webhook_url="https://bot.example/hook",
        webhook_secret="s3cret-token",
    )
    assert webhook_options(runtime_of(app).settings).path == "/hook"
    update = unlimited.send_user_message(USER, "/help")
    right = {SECRET_HEADER: "s3cret-token"}
    try:
        async with front_end(app) as url, httpx.AsyncClient() as client:
            assert unlimited.webhook["secret_token"] == "s3cret-token"
            refused = await client.post(url, json=update)
            forged = await client.post(url, json=update, headers={SECRET_HEADER: "guess"})
            bodies = [b"{not json", b"[1, 2]", b'{"no": "update"}', b"\xff\xfe"]
            malformed = [
                (await client.post(url, content=b, headers=right)).status_code for b in bodies
            ]
            accepted = await client.post(url, json=update, headers=right)
            assert (refused.status_code, forged.status_code) == (403, 403)
            assert malformed == [400, 400, 400, 400]
            assert accepted.status_code == 200
            [answer] = await unlimited.wait_for_messages(USER, 1)
            assert answer.visible_text.startswith("Topics\n/topics")
    finally:
        runtime_of(app).services.close()  # post_shutdown runs only when the bot is served


async def test_front_ends_without_a_configured_secret_accept_what_telegram_sends_each(
    unlimited: BotApiStandIn, tmp_path: Path, clock: FakeClock
) -> None:
    hook = {"webhook_url": "https://bot.example/tg/hook"}
    first = make_app(unlimited, tmp_path, clock, **hook)
    second = make_app(unlimited, tmp_path, clock, **hook)
    try:
        async with front_end(first) as one, front_end(second) as two:
            registered = {SECRET_HEADER: unlimited.webhook["secret_token"]}  # the last one set
            assert unlimited.token not in registered[SECRET_HEADER]
            async with httpx.AsyncClient() as client:
                for n, url in enumerate((one, two)):
                    update = unlimited.send_user_message(USER + n, "/help")
                    answer = await client.post(url, json=update, headers=registered)
                    assert answer.status_code == 200
                    await unlimited.wait_for_messages(USER + n, 1)
    finally:
        runtime_of(first).services.close()
        runtime_of(second).services.close()
