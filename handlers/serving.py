"""Run the bot until stopped: reach Telegram, then take updates by polling or by webhook.

Telegram unreachable at start (a network still coming up) is waited out with backoff, one log
line an attempt; a refused token or a wrong Bot API address stops the bot with one line naming
the setting to fix (exit status 2), the token never shown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, RetryAfter

from newsbrief.bot.errors import SettingsError
from newsbrief.config.settings import Settings
from newsbrief.handlers.delivery import retry_after_seconds
from newsbrief.handlers.runtime import BotApp
from newsbrief.handlers.webhook import WebhookServer, webhook_options

log = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 60.0
Wait = Callable[[float], Awaitable[bool]]
"""Wait up to so many seconds; True if told to stop meanwhile."""


def refusal(error: InvalidToken) -> SettingsError:
    """Say which setting to fix when Telegram refuses getMe (401: the token; 404: the address)."""
    answer = error.__cause__ if isinstance(error.__cause__, InvalidToken) else error
    if "not found" in answer.message.lower():
        return SettingsError(
            "telegram.api_base_url: the Bot API answered 404 Not Found to getMe: check "
            "TELEGRAM_API_BASE_URL (and that TELEGRAM_BOT_TOKEN is complete)"
        )
    return SettingsError(
        "telegram.token: Telegram rejected the bot token (401 Unauthorized): check "
        "TELEGRAM_BOT_TOKEN"
    )


async def connect(bot: Bot, wait: Wait) -> bool:
    """Reach Telegram (getMe), waiting out an unreachable network; False if stopped first."""
    attempt = 0
    while True:
        try:
            await bot.initialize()
            return True
        except InvalidToken as error:
            raise refusal(error) from None
        except (NetworkError, RetryAfter) as error:
            attempt += 1
            if isinstance(error, RetryAfter):
                delay = retry_after_seconds(error)
            else:
                delay = min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** (attempt - 1))
            log.warning(
                "Telegram is unreachable (attempt %d: %s); retrying in %.0f s",
                attempt,
                error,
                delay,
            )
            if await wait(delay):
                return False


async def serve(
    app: BotApp, settings: Settings, stop: asyncio.Event, updates: Sequence[str]
) -> None:
    """Reach Telegram, then answer updates until `stop` is set; shut down cleanly either way."""

    async def wait(seconds: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)
        return stop.is_set()

    try:
        if not await connect(app.bot, wait):
            return
        async with app:
            assert app.post_init is not None and app.updater is not None
            await app.post_init(app)
            if settings.telegram.webhook_url:
                server = WebhookServer(app, webhook_options(settings))
                await server.start(updates)
                log.info("Listening for webhook calls on %s:%s", server.options.listen, server.port)
            else:
                server = None
                await app.updater.start_polling(allowed_updates=list(updates))
                log.info("Polling Telegram for updates")
            await app.start()
            try:
                await stop.wait()
            finally:
                if server is not None:
                    await server.stop()
                if app.updater.running:
                    await app.updater.stop()
                await app.stop()
    finally:
        await app.bot.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


async def serve_until_signalled(app: BotApp, settings: Settings, updates: Sequence[str]) -> None:
    """Serve until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await serve(app, settings, stop, updates)
