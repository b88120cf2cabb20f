"""One polling instance per bot token and store: a second `newsbrief run` refuses to start.

Telegram hands each update to one getUpdates caller and answers a second one with 409
Conflict; two pollers on one store would also both send daily digests' follow-ups. Webhook
front ends do not need this: any number can answer updates.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta

from telegram.ext import JobQueue

from newsbrief.bot.errors import SettingsError
from newsbrief.bot.services import Services
from newsbrief.bot.store.leases import current_holder, died_here, release_lease, take_lease
from newsbrief.handlers.runtime import Context, runtime_of

log = logging.getLogger(__name__)
LEASE_TTL = timedelta(minutes=2)
RENEW_SECONDS = 30.0
JOB_NAME = "renew-polling-lease"


def lease_name(token: str) -> str:
    """Name the lease after the token without storing the token."""
    return "telegram-polling:" + hashlib.sha256(token.encode()).hexdigest()[:16]


def take_polling_lease(services: Services, token: str, holder: str) -> None:
    """Hold the polling lease, or refuse to start with a message saying who holds it.

    A holder on this host whose process has ended (a crash, then a restart) is not waited for.
    """
    now = datetime.now(UTC)
    name = lease_name(token)
    with services.database.transaction() as session:
        if take_lease(session, name, holder, now=now, ttl=LEASE_TTL) is not None:
            return
        held = current_holder(session, name, now=now)
        if held is not None and died_here(held.holder):
            log.info("Taking over the polling lease of %s, which has ended", held.holder)
            release_lease(session, name, held.holder)
            if take_lease(session, name, holder, now=now, ttl=LEASE_TTL) is not None:
                return
    who = f"{held.holder}, until {held.expires_at:%H:%M:%S} UTC" if held else "another process"
    raise SettingsError(
        f"another newsbrief instance is already polling Telegram with this bot token on this "
        f"store ({who}). Stop it first, or run several instances in webhook mode."
    )


def release_polling_lease(services: Services, token: str, holder: str) -> None:
    """Let the next instance start at once instead of after the lease runs out."""
    with services.database.transaction() as session:
        release_lease(session, lease_name(token), holder)


async def _renew(context: Context) -> None:
    runtime = runtime_of(context)
    token, holder = context.job.data  # type: ignore[union-attr,misc]
    await runtime.store(
        lambda session: take_lease(
            session, lease_name(token), holder, now=datetime.now(UTC), ttl=LEASE_TTL
        )
    )


def keep_polling_lease(job_queue: JobQueue[Context], token: str, holder: str) -> None:
    """Renew the lease while the bot runs."""
    job_queue.run_repeating(
        _renew, interval=RENEW_SECONDS, first=RENEW_SECONDS, name=JOB_NAME, data=(token, holder)
    )
