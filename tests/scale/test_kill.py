"""Two `newsbrief run` processes share a broadcast; one is killed (SIGKILL) in the middle.

The survivor takes over the dead one's claims once their lease lapses and sends what was not
recorded as sent: no subscriber misses the brief, and a message is sent twice only if Telegram
accepted it in the milliseconds before its record would have landed (counted and reported).
The lease is five minutes; the test lets that pass for the dead process by moving its leases'
end into the past rather than sleeping.
"""

from __future__ import annotations

import signal
from datetime import UTC, datetime
from pathlib import Path

from botapi import BotApiStandIn, RateLimits
from factories import make_services, sample_folder
from sqlalchemy import select
from waiting import wait_until

from newsbrief.bot.store.schema import DigestDelivery
from scale.fleet import HEADER, seed_due_subscribers, tally
from scale.processes import (
    accepted_unrecorded,
    bot_process,
    expire,
    finished,
    holder_of,
    holders,
)

SUBSCRIBERS = 200
KILL_AFTER = 40
"""Daily briefs the stand-in has accepted when one instance is killed."""


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
            victim = max(by_pid, key=lambda pid: held.get(holder_of(held, pid), 0))
            by_pid[victim].send_signal(signal.SIGKILL)
            by_pid[victim].wait()
            holder = holder_of(holders(services), victim)
            window = accepted_unrecorded(services, botapi, holder)
            stranded = expire(services, holder)
            survivor = by_pid[next(pid for pid in by_pid if pid != victim)]
            wait_until(lambda: finished(services, SUBSCRIBERS), "every brief to be finished")
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
        # A flood answer (429) is retried, so it costs nothing here (lost is 0 above); whether
        # the stand-in saw one depends on how the machine's load bunches the sends. Sharing the
        # rate without any is test_two_instances.py's claim.
    finally:
        services.close()
