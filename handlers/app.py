"""The composition root: settings and services in, a ready python-telegram-bot Application out.

Everything is wired here and nowhere else: the Bot API address, HTML defaults, the services in
`bot_data`, the handlers each module lists, the command menu, the daily-brief job and the
token-safe logging. Nothing happens at import time.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from telegram import BotCommandScopeChat, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationBuilder,
    Defaults,
    TypeHandler,
)
from telegram.request import BaseRequest

from newsbrief.bot.delivery.daily import DailyDigests
from newsbrief.bot.delivery.pacing import DeliverySettings, Pacer
from newsbrief.bot.errors import SettingsError
from newsbrief.bot.services import Services
from newsbrief.bot.store.leases import worker_name
from newsbrief.bot.worker import Worker
from newsbrief.config.settings import Settings
from newsbrief.handlers import admin, commands, feed_admin, inline, pages, quotes, subscriptions
from newsbrief.handlers.abuse import CommandLimiter
from newsbrief.handlers.daily import render_daily, schedule
from newsbrief.handlers.delivery import Deliverer
from newsbrief.handlers.errors import on_error
from newsbrief.handlers.guard import rate_limit
from newsbrief.handlers.jobs import schedule_jobs
from newsbrief.handlers.logs import protect_secret
from newsbrief.handlers.polling_lease import (
    keep_polling_lease,
    release_polling_lease,
    take_polling_lease,
)
from newsbrief.handlers.ratelimit import ChatOrderedProcessor, TelegramRateLimiter
from newsbrief.handlers.registry import Command, check_unique, command_handlers, menu
from newsbrief.handlers.runtime import RUNTIME, BotApp, Clock, Runtime, runtime_of, utc_now
from newsbrief.handlers.serving import serve_until_signalled
from newsbrief.handlers.webhook import webhook_options

log = logging.getLogger(__name__)

UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]

TIMER_SLACK_SECONDS = 0.005
"""Event-loop timers fire late by up to a millisecond or so; without slack that costs rate."""
GUARD_GROUP = -1
POLLING_LEASE = "polling_lease"


def api_url(base: str, kind: str = "bot") -> str:
    """PTB appends the token to its base URL: https://api.telegram.org -> .../bot<token>.

    The root is what Telegram documents; PTB's own form ends in /bot (or /file/bot), and a
    local Bot API server's users type that, so both are accepted.
    """
    base = base.rstrip("/")
    if "{token}" in base:
        return base
    base = base.removesuffix("/bot").removesuffix("/file")
    return f"{base}/{'file/' if kind == 'file' else ''}bot"


def all_commands(services: Services) -> list[Command]:
    """Every command: the bot's own, then the admins', then one per configured topic."""
    found = [
        *subscriptions.COMMANDS[:1],
        *commands.COMMANDS[:1],
        *subscriptions.COMMANDS[1:],
        *commands.COMMANDS[1:],
        *quotes.COMMANDS,
        *admin.COMMANDS,
        *feed_admin.COMMANDS,
        *commands.topic_commands(services.topics),
    ]
    try:
        check_unique(found)
    except ValueError as error:
        raise SettingsError(f"topics file: {error} (a topic may not reuse a bot command)") from None
    return found


def build_application(
    settings: Settings,
    services: Services,
    *,
    clock: Clock = utc_now,
    delivery: DeliverySettings | None = None,
    limiter: CommandLimiter | None = None,
    requests: tuple[BaseRequest, BaseRequest] | None = None,
    daily: bool = True,
) -> BotApp:
    """Wire the bot: the services go into `bot_data` and are closed when the bot shuts down."""
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    telegram = settings.telegram
    if telegram.token is None:
        raise SettingsError("telegram.token: set TELEGRAM_BOT_TOKEN to run the bot")
    token = telegram.token.get_secret_value()
    protect_secret(token)
    found = all_commands(services)
    pacing = delivery or DeliverySettings(
        messages_per_second=telegram.messages_per_second, timer_slack_seconds=TIMER_SLACK_SECONDS
    )
    pacer = Pacer(pacing)
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(api_url(telegram.api_base_url))
        .base_file_url(api_url(telegram.api_base_url, "file"))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                tzinfo=ZoneInfo(telegram.default_timezone),
            )
        )
        .rate_limiter(TelegramRateLimiter(pacer))
        .concurrent_updates(ChatOrderedProcessor())
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if requests is not None:
        builder = builder.request(requests[0]).get_updates_request(requests[1])
    app: BotApp = builder.build()
    runtime = Runtime(
        settings=settings,
        services=services,
        deliverer=Deliverer(app.bot, pacer),
        limiter=limiter or CommandLimiter(rate=pacing.chat_messages_per_second),
        worker=Worker(services, clock=clock),
        clock=clock,
    )
    runtime.daily = DailyDigests(
        services,
        runtime.deliverer,
        render_daily,
        clock=clock,
        lease=timedelta(seconds=telegram.delivery_lease_seconds),
    )
    app.bot_data[RUNTIME] = runtime
    app.add_handler(TypeHandler(Update, rate_limit), group=GUARD_GROUP)
    app.add_handlers(command_handlers(found, telegram.admin_ids))
    app.add_handlers(subscriptions.other_handlers())
    app.add_handlers(pages.handlers())
    app.add_handlers(inline.handlers())
    app.add_handlers(commands.fallbacks())
    app.add_error_handler(on_error)
    if daily or settings.bot_ingests:
        if app.job_queue is None:
            raise SettingsError("the job queue is missing: install python-telegram-bot[job-queue]")
        if daily:
            schedule(app.job_queue)
        schedule_jobs(app.job_queue, settings, ingest=settings.bot_ingests, housekeeping=daily)
    return app


async def _post_init(app: BotApp) -> None:
    """Publish the command menus: everyone's, and the admins' with their commands."""
    runtime = runtime_of(app)
    found = all_commands(runtime.services)
    await app.bot.set_my_commands(menu(found))
    for admin_id in sorted(runtime.admin_ids):
        try:
            await app.bot.set_my_commands(
                menu(found, admin=True), scope=BotCommandScopeChat(admin_id)
            )
        except TelegramError as error:
            log.warning("Could not set the admin menu for %s: %s", admin_id, error)


async def _post_shutdown(app: BotApp) -> None:
    """Release the HTTP client, this instance's share of the send rate, and the store."""
    runtime = runtime_of(app)
    await runtime.worker.close()
    if runtime.daily is not None and runtime.daily.announced:
        await runtime.daily.withdraw()
    if POLLING_LEASE in app.bot_data:
        release_polling_lease(runtime.services, *app.bot_data[POLLING_LEASE])
    runtime.services.close()


def run_bot(settings: Settings, services: Services, argv: Sequence[str] = ()) -> None:
    """Run the bot until interrupted: by webhook when one is configured, else by polling."""
    app = build_application(settings, services)
    if settings.telegram.webhook_url:
        protect_secret(webhook_options(settings).secret)
    else:
        token = settings.telegram.token.get_secret_value() if settings.telegram.token else ""
        holder = worker_name()
        take_polling_lease(services, token, holder)
        assert app.job_queue is not None
        keep_polling_lease(app.job_queue, token, holder)
        app.bot_data[POLLING_LEASE] = (token, holder)
    asyncio.run(serve_until_signalled(app, settings, UPDATES))
