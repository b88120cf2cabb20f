"""What every handler needs, built once by the composition root and kept in `bot_data`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.orm import Session
from telegram import Update
from telegram.ext import Application, ContextTypes

from newsbrief.bot.delivery.daily import DailyDigests
from newsbrief.bot.delivery.schedule import format_time
from newsbrief.bot.delivery.sending import DeliveryResult
from newsbrief.bot.services import Services
from newsbrief.bot.store import subscriptions as subs
from newsbrief.bot.store.schema import Subscriber
from newsbrief.config.settings import Settings
from newsbrief.handlers.abuse import CommandLimiter
from newsbrief.handlers.delivery import Deliverer

if TYPE_CHECKING:  # the worker brings ingest: the handlers that only read never load it
    from newsbrief.bot.worker import Worker

T = TypeVar("T")
Context = ContextTypes.DEFAULT_TYPE
BotApp = Application[Any, Any, Any, Any, Any, Any]
Callback = Callable[[Update, Context], Coroutine[Any, Any, None]]
Clock = Callable[[], datetime]

RUNTIME = "runtime"


def utc_now() -> datetime:
    """Tell the time, in UTC."""
    return datetime.now(UTC)


@dataclass
class Runtime:
    """The services, the deliverer, the clock and the bot's small in-memory state."""

    settings: Settings
    services: Services
    deliverer: Deliverer
    limiter: CommandLimiter
    worker: Worker
    clock: Clock = utc_now
    last_ingest: str | None = None
    refresh_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    daily: DailyDigests | None = None

    @property
    def admin_ids(self) -> frozenset[int]:
        """The users who may run admin commands."""
        return self.settings.telegram.admin_ids

    async def store(self, work: Callable[[Session], T]) -> T:
        """Run `work` in one transaction on a worker thread, so the event loop never waits."""

        def run() -> T:
            with self.services.database.transaction() as session:
                return work(session)

        return await asyncio.to_thread(run)

    async def read(self, work: Callable[[Session], T]) -> T:
        """Run `work` in a read-only transaction on a worker thread (no write lock on SQLite)."""

        def run() -> T:
            with self.services.database.transaction(readonly=True) as session:
                return work(session)

        return await asyncio.to_thread(run)

    async def for_chat(self, chat_id: int, work: Callable[[Session, Subscriber], T]) -> T:
        """Run `work` on the chat's subscriber (created with the defaults when new)."""
        telegram = self.settings.telegram
        now = self.clock()

        def run(session: Session) -> T:
            subscriber = subs.ensure(
                session,
                chat_id,
                timezone=telegram.default_timezone,
                digest_time=format_time(telegram.default_digest_time),
                now=now,
            )
            return work(session, subscriber)

        return await self.store(run)

    async def send(self, chat_id: int, messages: list[str]) -> DeliveryResult:
        """Send messages paced by the deliverer, and remember what Telegram said of the chat."""
        result = await self.deliverer.send(chat_id, messages)
        await self.note_delivery(result)
        return result

    async def note_delivery(self, result: DeliveryResult) -> None:
        """Store a deactivation or a migration that a send revealed."""
        now = self.clock()
        if result.deactivate:
            await self.store(lambda s: subs.deactivate(s, result.chat_id, now))
        elif result.migrated_to is not None:
            new_id = result.migrated_to
            await self.store(lambda s: subs.move_chat(s, result.chat_id, new_id, now))


def runtime_of(holder: Context | BotApp) -> Runtime:
    """Find the runtime the composition root stored (from a callback context or the app)."""
    runtime = holder.bot_data[RUNTIME]
    if not isinstance(runtime, Runtime):
        raise TypeError("bot_data holds no runtime")
    return runtime
