"""Run the real application and fill its store in bulk: shared by the e2e and scale tests and bench.

Import it as ``harness`` (pytest puts ``tests/`` on ``sys.path``; the benchmarks add it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from newsbrief.bot.services import Services
from newsbrief.bot.store.schema import Subscriber, Subscription
from newsbrief.handlers.app import UPDATES
from newsbrief.handlers.runtime import BotApp


@asynccontextmanager
async def running(app: BotApp) -> AsyncIterator[BotApp]:
    """Run the app as `run_polling` does (post_init, polling, post_shutdown), in this loop."""
    async with app:
        assert app.post_init is not None and app.updater is not None
        await app.post_init(app)
        await app.start()
        await app.updater.start_polling(timeout=timedelta(seconds=1), allowed_updates=UPDATES)
        try:
            yield app
        finally:
            if app.updater.running:
                await app.updater.stop()
            await app.stop()
    assert app.post_shutdown is not None
    await app.post_shutdown(app)


def seed_due_subscribers(
    services: Services,
    slot: datetime,
    chat_ids: Sequence[int],
    topics: Callable[[int], Iterable[str]],
) -> list[int]:
    """Store one UTC subscriber per chat, due at `slot`, the n-th following `topics(n)`.

    Straight through the ORM, so that 10,000 take a second instead of 10,000 /start commands.
    """
    with services.database.transaction() as session:
        subscribers = [
            Subscriber(
                chat_id=chat_id,
                timezone="UTC",
                digest_time=f"{slot:%H:%M}",
                paused=False,
                active=True,
                next_due_at=slot,
                created_at=slot - timedelta(days=1),
                updated_at=slot - timedelta(days=1),
            )
            for chat_id in chat_ids
        ]
        session.add_all(subscribers)
        session.flush()
        for n, subscriber in enumerate(subscribers):
            session.add_all(
                Subscription(subscriber_id=subscriber.id, topic=topic) for topic in topics(n)
            )
    return list(chat_ids)
