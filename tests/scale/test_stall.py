"""Two `newsbrief run` processes share a broadcast; one is paused (SIGSTOP) past its lease.

The other takes its claims over and sends them; when the paused one resumes, its fence on each
claim is stale, so it sends nothing more that is no longer its own. The only repeats are the
messages Telegram had accepted and the paused one had not yet recorded when it stopped, as
after a crash, and the few already past their fence check and on their way when it stopped
(a request cannot be recalled; before fencing it sent 158 of the claims taken over).
The lease is five minutes; the test lets it pass for the paused process by moving its leases'
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
    pause_outside_transactions,
)

SUBSCRIBERS = 200
STOP_AFTER = 40
RUN_REPORT = "Daily briefs: DailyReport"
IN_FLIGHT_AT_MOST = 10
"""Messages past their fence when the pause came: 0-2 seen, on a machine loaded up to 7."""


def test_an_instance_paused_past_its_lease_sends_nothing_taken_over_when_it_resumes(
    botapi: BotApiStandIn, tmp_path: Path
) -> None:
    botapi.set_limits(RateLimits().scaled(2))
    services = make_services(tmp_path, articles_dir=sample_folder(tmp_path))
    try:
        services.ingestor.ingest_folder(services.articles_dir)
        now = datetime.now(UTC)
        chats = seed_due_subscribers(services, SUBSCRIBERS, now.replace(second=0, microsecond=0))
        with bot_process(botapi, tmp_path, 1) as first, bot_process(botapi, tmp_path, 2) as second:
            by_pid = {first.pid: (first, 1), second.pid: (second, 2)}

            def briefs() -> int:
                return sum(1 for m in botapi.messages if m.visible_text.startswith(HEADER))

            wait_until(lambda: briefs() >= STOP_AFTER, f"{STOP_AFTER} briefs")
            held = holders(services)
            victim = max(by_pid, key=lambda pid: held.get(holder_of(held, pid), 0))
            paused, n = by_pid[victim]
            pause_outside_transactions(paused, services)
            holder = holder_of(holders(services), victim)
            window = accepted_unrecorded(services, botapi, holder)
            stranded = expire(services, holder)
            wait_until(lambda: finished(services, SUBSCRIBERS), "every brief to be finished")
            sent_before = len(botapi.messages)
            log = tmp_path / f"bot{n}.log"
            reports = log.read_text(errors="replace").count(RUN_REPORT)
            paused.send_signal(signal.SIGCONT)
            wait_until(
                lambda: log.read_text(errors="replace").count(RUN_REPORT) > reports,
                "the resumed instance to end its run",
            )
            sent_after = len(botapi.messages) - sent_before
            assert all(p.poll() is None for p, _ in by_pid.values()), "an instance died"
        result = tally(botapi.messages, chats)
        with services.database.transaction(readonly=True) as session:
            rows = session.scalars(select(DigestDelivery)).all()
        print(
            f"\npaused after {STOP_AFTER} briefs; claims taken over: {stranded}; accepted but "
            f"unrecorded at the pause: {window}; sent after resuming: {sent_after}; "
            f"duplicate messages: {result.duplicates}"
        )
        assert stranded > 0, "the paused instance held no claim: nothing was taken over"
        assert sent_after <= IN_FLIGHT_AT_MOST, "the resumed instance sent what it had lost"
        assert result.lost == 0 and {row.status for row in rows} == {"sent"}
        assert result.duplicates == window + sent_after, "a duplicate beyond those in flight"
    finally:
        services.close()
