"""Two `newsbrief run` processes share a broadcast; one is killed (SIGKILL) in the middle.

The survivor takes over the dead one's claims once their lease lapses and sends what was not
recorded as sent: no subscriber misses the brief, and a message is sent twice only if Telegram
accepted it in the milliseconds before its record would have landed (counted and reported).
The lease is five minutes; the test lets that pass for the dead process by moving its leases'
end into the past rather than sleeping.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from botapi import BotApiStandIn, RateLimits
from factories import SAMPLES_AGE_DAYS, make_services, sample_folder, store_url
from sqlalchemy import func, select, update
from waiting import wait_until

from newsbrief.bot.services import Services
from newsbrief.bot.store.schema import DigestDelivery, Subscriber
from scale.fleet import HEADER, seed_due_subscribers, tally

SUBSCRIBERS = 200
KILL_AFTER = 40
"""Daily briefs the stand-in has accepted when one instance is killed."""


@contextmanager
def bot_process(botapi: BotApiStandIn, tmp_path: Path, n: int) -> Iterator[subprocess.Popen[bytes]]:
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
    }
    env.pop("NEWSBRIEF_CONFIG", None)
    command = [sys.executable, "-m", "newsbrief.handlers", "-v", "run", "--webhook-url"]
    command += [
        f"https://bot.example/hook{n}",
        "--listen",
        "127.0.0.1",
        "--port",
        "0",
    ]  # never called
    with (tmp_path / f"bot{n}.log").open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
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


def finished(services: Services) -> bool:
    """Tell whether every subscriber's brief is claimed and finished."""
    with services.database.transaction(readonly=True) as session:
        rows = session.scalar(select(func.count()).select_from(DigestDelivery))
        open_ = session.scalar(select(func.count()).where(DigestDelivery.lease_until.is_not(None)))
    return rows == SUBSCRIBERS and open_ == 0


def test_a_killed_instance_loses_no_brief_and_the_survivor_sends_the_rest(
    botapi: BotApiStandIn, tmp_path: Path
) -> None:
    botapi.set_limits(RateLimits().scaled(2))  # 60 a second overall: 30 for each of two
    services = make_services(tmp_path, articles_dir=sample_folder(tmp_path))
    try:
        services.ingestor.ingest_folder(services.articles_dir)
        now = datetime.now(UTC)
        chats = seed_due_subscribers(services, SUBSCRIBERS, now.replace(second=0, microsecond=0))
        with bot_process(botapi, tmp_path, 1) as first, bot_process(botapi, tmp_path, 2) as second:
            by_pid = {first.pid: first, second.pid: second}

            def briefs() -> int:
                return sum(1 for m in botapi.messages if m.visible_text.startswith(HEADER))

            wait_until(lambda: briefs() >= KILL_AFTER, f"{KILL_AFTER} briefs")
            held = holders(services)
            victim = max(by_pid, key=lambda pid: held.get(_holder_of(held, pid), 0))
            by_pid[victim].send_signal(signal.SIGKILL)
            by_pid[victim].wait()
            holder = _holder_of(holders(services), victim)
            window = _accepted_unrecorded(services, botapi, holder)
            stranded = _expire(services, holder)
            survivor = by_pid[next(pid for pid in by_pid if pid != victim)]
            wait_until(lambda: finished(services), "every brief to be finished")
            assert survivor.poll() is None, "the survivor died"
        result = tally(botapi.messages, chats)
        with services.database.transaction(readonly=True) as session:
            rows = session.scalars(select(DigestDelivery)).all()
        statuses = {row.status for row in rows}
        print(
            f"\nkilled after {KILL_AFTER} briefs; claims stranded: {stranded}; accepted by "
            f"Telegram but unrecorded at the kill: {window}; lost: {result.lost}; "
            f"duplicate messages: {result.duplicates}"
        )
        assert stranded > 0, "the killed instance held no claim: nothing was recovered"
        assert result.lost == 0 and statuses == {"sent"}
        assert sum(1 for row in rows if row.attempts > 1) == stranded
        # Every duplicate is a message accepted but not yet recorded when the process died. How
        # many that is depends on how fast the store answers (0-1 idle, 4 seen on a loaded
        # machine), so its size is printed above, not asserted.
        assert result.duplicates == window, "a duplicate outside the window"
        assert botapi.errors(429) == []
    finally:
        services.close()


def _holder_of(held: dict[str, int], pid: int) -> str:
    return next((h for h in held if f":{pid}:" in h), f"?:{pid}:?")


def _accepted_unrecorded(services: Services, botapi: BotApiStandIn, holder: str) -> int:
    """Messages Telegram accepted for the dead holder's claims beyond what it recorded."""
    with services.database.transaction(readonly=True) as session:
        rows = session.execute(
            select(Subscriber.chat_id, DigestDelivery.messages)
            .join(Subscriber, Subscriber.id == DigestDelivery.subscriber_id)
            .where(DigestDelivery.holder == holder, DigestDelivery.lease_until.is_not(None))
        ).all()
    return sum(len(botapi.messages_for(chat)) - recorded for chat, recorded in rows)


def _expire(services: Services, holder: str) -> int:
    """Let the dead holder's leases lapse, as five minutes would; count them."""
    past = datetime.now(UTC) - timedelta(seconds=1)
    with services.database.transaction() as session:
        result = session.execute(
            update(DigestDelivery)
            .where(DigestDelivery.holder == holder, DigestDelivery.lease_until.is_not(None))
            .values(lease_until=past)
        )
        return int(getattr(result, "rowcount", 0))
