"""Bot instances as real `newsbrief run` processes on one store, and what their claims show."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from botapi import BotApiStandIn
from factories import SAMPLES_AGE_DAYS, store_url
from sqlalchemy import func, select, text, update

from newsbrief.bot.services import Services
from newsbrief.bot.store.schema import DigestDelivery, Subscriber


@contextmanager
def bot_process(
    botapi: BotApiStandIn, tmp_path: Path, n: int, **settings: str
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `newsbrief run` by webhook (two pollers would fight over getUpdates)."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": botapi.token,
        "TELEGRAM_API_BASE_URL": botapi.base_url.removesuffix("/bot"),
        "NEWSBRIEF_DATABASE_URL": store_url(tmp_path),
        "NEWSBRIEF_DATA_DIR": str(tmp_path / "data"),
        "NEWSBRIEF_ARTICLES_DIR": str(tmp_path / "articles"),
        "NEWSBRIEF_BOT_INGESTS": "false",
        "NEWSBRIEF_TELEGRAM__MESSAGES_PER_SECOND": "60",  # the bot's limit, shared
        "NEWSBRIEF_TELEGRAM__DAILY_DIGEST_DAYS": str(SAMPLES_AGE_DAYS),
        "PTB_TIMEDELTA": "true",
        **settings,
    }
    env.pop("NEWSBRIEF_CONFIG", None)
    command = [sys.executable, "-m", "newsbrief.handlers", "-v", "run", "--webhook-url"]
    command += [f"https://bot.example/hook{n}", "--listen", "127.0.0.1", "--port", "0"]
    with (tmp_path / f"bot{n}.log").open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)  # a paused process would not see SIGTERM
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def holders(services: Services) -> dict[str, int]:
    """Unfinished claims per holder."""
    with services.database.transaction(readonly=True) as session:
        rows = session.execute(
            select(DigestDelivery.holder, func.count())
            .where(DigestDelivery.lease_until.is_not(None))
            .group_by(DigestDelivery.holder)
        )
        return {str(holder): int(n) for holder, n in rows}


def finished(services: Services, subscribers: int) -> bool:
    """Tell whether every subscriber's brief is claimed and finished."""
    with services.database.transaction(readonly=True) as session:
        rows = session.scalar(select(func.count()).select_from(DigestDelivery))
        open_ = session.scalar(select(func.count()).where(DigestDelivery.lease_until.is_not(None)))
    return rows == subscribers and open_ == 0


def holder_of(held: dict[str, int], pid: int) -> str:
    return next((h for h in held if f":{pid}:" in h), f"?:{pid}:?")


def accepted_unrecorded(services: Services, botapi: BotApiStandIn, holder: str) -> int:
    """Messages Telegram accepted for the dead holder's claims beyond what it recorded."""
    with services.database.transaction(readonly=True) as session:
        rows = session.execute(
            select(Subscriber.chat_id, DigestDelivery.messages)
            .join(Subscriber, Subscriber.id == DigestDelivery.subscriber_id)
            .where(DigestDelivery.holder == holder, DigestDelivery.lease_until.is_not(None))
        ).all()
    return sum(len(botapi.messages_for(chat)) - recorded for chat, recorded in rows)


def expire(services: Services, holder: str) -> int:
    """Let the dead holder's leases lapse, as five minutes would; count them."""
    past = datetime.now(UTC) - timedelta(seconds=1)
    with services.database.transaction() as session:
        result = session.execute(
            update(DigestDelivery)
            .where(DigestDelivery.holder == holder, DigestDelivery.lease_until.is_not(None))
            .values(lease_until=past)
        )
        return int(getattr(result, "rowcount", 0))


PAUSE_ATTEMPTS = 50
SETTLE_SECONDS = 0.3
"""Long enough for a transaction a running process has open to end: they last milliseconds."""


def pause_outside_transactions(process: subprocess.Popen[bytes], services: Services) -> None:
    """SIGSTOP `process` at a moment it holds no transaction open on the store.

    A process paused inside a transaction keeps its locks, so the store's other writers wait
    for it (SQLite's write lock, PostgreSQL's row locks) until it resumes; the test pauses it
    between transactions, where a stalled instance is most of the time.
    """
    for _ in range(PAUSE_ATTEMPTS):
        process.send_signal(signal.SIGSTOP)
        time.sleep(SETTLE_SECONDS)
        if not _locked(services):
            return
        process.send_signal(signal.SIGCONT)
        time.sleep(0.05)
    raise AssertionError("could not pause the process between two of its transactions")


def _locked(services: Services) -> bool:
    """Tell whether some connection has held a transaction on this store for a while."""
    engine = services.database.engine
    if engine.dialect.name == "sqlite":
        assert engine.url.database is not None
        probe = sqlite3.connect(engine.url.database, timeout=SETTLE_SECONDS, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()
    with services.database.transaction(readonly=True) as session:
        held = session.scalar(
            text(
                "SELECT count(*) FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid "
                "LEFT JOIN pg_class c ON c.oid = l.relation "
                "LEFT JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE a.state LIKE 'idle in transaction%' "
                "AND a.state_change < now() - interval '200 milliseconds' "
                "AND (n.nspname = current_schema() OR l.locktype = 'advisory')"
            )
        )
    return bool(held)
