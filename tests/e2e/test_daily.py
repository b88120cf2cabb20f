"""Daily briefs end to end: DST, exactly once across restarts, grace, Telegram's refusals."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from botapi import BotApiStandIn
from factories import BBC
from waiting import until

from e2e.helpers import FAST, USER, Chat, FakeClock, daily_of, make_app, run_daily, running
from newsbrief.bot.delivery.pacing import DeliverySettings
from newsbrief.bot.store import subscriptions as subs
from newsbrief.bot.store.statuses import DigestStatus
from newsbrief.handlers.daily import JOB_NAME
from newsbrief.handlers.runtime import BotApp, Runtime, runtime_of

SUPERGROUP = -1001234567890


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def stored(runtime: Runtime, chat_id: int = USER) -> tuple[bool, list[date], str | None]:
    """(active, claimed local dates, last status) of a chat's subscriber."""
    with runtime.services.database.transaction() as session:
        subscriber = subs.find(session, chat_id)
        assert subscriber is not None
        rows = subs.deliveries(session, subscriber.id)
        return subscriber.active, [r.local_date for r in rows], rows[-1].status if rows else None


async def subscribe_in_berlin(chat: Chat, at: str = "08:00") -> None:
    await chat.say("/subscribe syria")
    await chat.say("/timezone Europe/Berlin")
    await chat.say(f"/settime {at}")


async def test_the_brief_comes_at_local_time_across_spring_forward(
    chat: Chat, runtime: Runtime, clock: FakeClock, unlimited: BotApiStandIn
) -> None:
    await subscribe_in_berlin(chat)
    clock.now = utc(2025, 3, 30, 5, 59, 30)  # 07:59:30 CEST, the first day of summer time
    assert (await run_daily(runtime)).claimed == 0
    clock.now = utc(2025, 3, 30, 6, 0, 30)
    report = await run_daily(runtime)
    assert (report.claimed, report.sent, report.messages) == (1, 1, 1)
    brief = unlimited.messages_for(USER)[-1]
    assert brief.visible_text.startswith("Your daily brief – Sunday 30 March\n\nSyria\n")
    assert brief.link_preview_disabled
    assert stored(runtime) == (True, [date(2025, 3, 30)], DigestStatus.SENT)


async def test_the_brief_comes_at_local_time_across_fall_back(
    chat: Chat, runtime: Runtime, clock: FakeClock
) -> None:
    await subscribe_in_berlin(chat)
    clock.now = utc(2025, 10, 26, 6, 0, 30)  # 07:00:30 CET: winter time began at 03:00 CEST
    report = await run_daily(runtime)
    assert (report.claimed, report.too_late) == (0, 1)  # yesterday's slot, long gone
    clock.now = utc(2025, 10, 26, 7, 0, 30)
    assert (await run_daily(runtime)).sent == 1
    assert stored(runtime)[1] == [date(2025, 10, 26)]


async def test_a_repeated_wall_time_sends_once_and_a_skipped_one_after_the_gap(
    chat: Chat, runtime: Runtime, clock: FakeClock
) -> None:
    await subscribe_in_berlin(chat, at="02:30")
    clock.now = utc(2025, 3, 30, 1, 30, 30)  # 03:30 CEST: 02:30 did not exist that night
    assert (await run_daily(runtime)).claimed == 1
    clock.now = utc(2025, 10, 26, 0, 30, 30)  # 02:30 CEST, the first 02:30
    await run_daily(runtime)
    clock.now = utc(2025, 10, 26, 1, 30, 30)  # 02:30 CET, the second 02:30
    assert (await run_daily(runtime)).claimed == 0
    assert stored(runtime)[1] == [date(2025, 3, 30), date(2025, 10, 26)]


async def test_one_brief_a_day_across_a_restart(
    unlimited: BotApiStandIn, tmp_path: Path, clock: FakeClock
) -> None:
    async with running(make_app(unlimited, tmp_path, clock)) as first:
        await Chat(unlimited).say("/subscribe syria")
        clock.now = utc(2025, 3, 30, 8, 0, 20)
        assert (await run_daily(runtime_of(first))).sent == 1
    sent = len(unlimited.messages_for(USER))
    async with running(make_app(unlimited, tmp_path, clock)) as second:
        clock.now = utc(2025, 3, 30, 8, 1, 20)
        assert (await run_daily(runtime_of(second))).claimed == 0
        clock.now = utc(2025, 3, 30, 13, 0)
        assert (await run_daily(runtime_of(second))).claimed == 0
        assert stored(runtime_of(second))[1] == [date(2025, 3, 30)]
    assert len(unlimited.messages_for(USER)) == sent


async def test_a_claim_stranded_by_a_crash_is_sent_once_when_its_lease_lapses(
    unlimited: BotApiStandIn, tmp_path: Path, clock: FakeClock
) -> None:
    async with running(make_app(unlimited, tmp_path, clock)) as first:
        await Chat(unlimited).say("/subscribe syria")
        clock.now = utc(2025, 3, 30, 8, 0, 20)
        daily = daily_of(runtime_of(first))
        batch = await daily.claim(clock.now)
        assert (batch.seen, len(batch.claims)) == (1, 1)  # ...and the process dies before sending
    async with running(make_app(unlimited, tmp_path, clock)) as second:
        clock.now = utc(2025, 3, 30, 8, 4, 20)  # the first instance might still be sending
        assert (await run_daily(runtime_of(second))).claimed == 0
        assert stored(runtime_of(second))[1:] == ([date(2025, 3, 30)], DigestStatus.CLAIMED)
        clock.now = utc(2025, 3, 30, 8, 5, 30)  # its lease has lapsed: it is gone
        report = await run_daily(runtime_of(second))
        assert (report.claimed, report.recovered, report.sent) == (0, 1, 1)
        assert stored(runtime_of(second))[1:] == ([date(2025, 3, 30)], DigestStatus.SENT)
        clock.now = utc(2025, 3, 30, 8, 15)
        assert (await run_daily(runtime_of(second))).recovered == 0
    [_, brief] = unlimited.messages_for(USER)  # the /subscribe answer and one brief
    assert brief.visible_text.startswith("Your daily brief")


async def test_a_digest_recorded_as_sent_before_a_crash_is_not_sent_again(
    unlimited: BotApiStandIn, tmp_path: Path, clock: FakeClock
) -> None:
    async with running(make_app(unlimited, tmp_path, clock)) as first:
        await Chat(unlimited).say("/subscribe syria")
        clock.now = utc(2025, 3, 30, 8, 0, 20)
        daily = daily_of(runtime_of(first))
        [claimed] = (await daily.claim(clock.now)).claims
        [rendered] = await daily.render_claims([claimed], clock.now)
        await runtime_of(first).deliverer.send(USER, rendered.messages)
        done = {claimed.delivery_id: len(rendered.messages)}
        await runtime_of(first).store(lambda s: subs.record_progress(s, done, clock.now))
        # ...and the process dies after recording the messages, before finishing the digest
    async with running(make_app(unlimited, tmp_path, clock)) as second:
        clock.now = utc(2025, 3, 30, 8, 5, 30)
        report = await run_daily(runtime_of(second))
        assert (report.recovered, report.sent, report.messages) == (1, 1, 0)
        with runtime_of(second).services.database.transaction() as session:
            [row] = subs.deliveries(session, claimed.subscriber_id)
            assert (row.status, row.messages, row.attempts) == (DigestStatus.SENT, 1, 2)
            assert row.lease_until is None and row.sent_at is not None
            assert subs.sent_story_ids(session, [claimed.subscriber_id])  # the next brief skips
    assert [m.text for m in unlimited.messages_for(USER)[1:]] == rendered.messages


async def test_a_claim_lapsed_beyond_the_grace_window_is_not_sent(
    unlimited: BotApiStandIn, tmp_path: Path, clock: FakeClock
) -> None:
    async with running(make_app(unlimited, tmp_path, clock)) as first:
        await Chat(unlimited).say("/subscribe syria")
        clock.now = utc(2025, 3, 30, 8, 0, 20)
        daily = daily_of(runtime_of(first))
        await daily.claim(clock.now)
    async with running(make_app(unlimited, tmp_path, clock)) as second:
        clock.now = utc(2025, 3, 30, 20, 0)  # every instance was down all day
        report = await run_daily(runtime_of(second))
        assert (report.recovered, report.too_late, report.sent) == (0, 1, 0)
        assert stored(runtime_of(second))[1:] == ([date(2025, 3, 30)], DigestStatus.LAPSED)
    assert len(unlimited.messages_for(USER)) == 1  # the /subscribe answer only


async def test_a_slot_missed_while_down_is_sent_within_the_grace_window(
    unlimited: BotApiStandIn, tmp_path: Path, clock: FakeClock
) -> None:
    async with running(make_app(unlimited, tmp_path, clock)):
        await Chat(unlimited).say("/subscribe syria")
        await Chat(unlimited, USER + 1).say("/subscribe syria")
    clock.now = utc(2025, 3, 30, 13, 59)  # back up 5 h 59 min after the 08:00 slot
    async with running(make_app(unlimited, tmp_path, clock)) as app:
        report = await run_daily(runtime_of(app))
        assert (report.sent, report.too_late) == (2, 0)
    clock.now = utc(2025, 3, 31, 14, 1)  # next day: down through the slot and 6 h beyond
    async with running(make_app(unlimited, tmp_path, clock)) as app:
        report = await run_daily(runtime_of(app))
        assert (report.claimed, report.too_late) == (0, 2)
        assert stored(runtime_of(app))[1] == [date(2025, 3, 30)]


async def test_a_brief_carries_only_stories_not_sent_before(
    chat: Chat, runtime: Runtime, clock: FakeClock, unlimited: BotApiStandIn
) -> None:
    await chat.say("/subscribe syria")
    clock.now = utc(2025, 3, 30, 8, 0, 30)
    assert (await run_daily(runtime)).sent == 1
    sent = len(unlimited.messages_for(USER))
    clock.now = utc(2025, 3, 31, 8, 0, 30)
    report = await run_daily(runtime)
    assert (report.claimed, report.empty, report.sent) == (1, 1, 0)
    assert len(unlimited.messages_for(USER)) == sent
    [digest] = await chat.say("/syria")  # asking still shows the latest
    assert digest.visible_text.startswith("Syria\n")


async def test_paused_subscribers_get_no_brief(
    chat: Chat, runtime: Runtime, clock: FakeClock
) -> None:
    await chat.say("/subscribe syria")
    await chat.say("/pause")
    clock.now = utc(2025, 3, 30, 8, 0, 30)
    assert (await run_daily(runtime)).claimed == 0
    await chat.say("/resume")
    clock.now = utc(2025, 3, 31, 8, 0, 30)
    assert (await run_daily(runtime)).sent == 1


async def test_a_blocked_chat_is_deactivated_and_skipped_after(
    chat: Chat, runtime: Runtime, clock: FakeClock, unlimited: BotApiStandIn
) -> None:
    await chat.say("/subscribe syria")
    unlimited.block_chat(USER)
    clock.now = utc(2025, 3, 30, 8, 0, 30)
    assert (await run_daily(runtime)).unreachable == 1
    assert stored(runtime)[0] is False
    clock.now = utc(2025, 3, 31, 8, 0, 30)
    assert (await run_daily(runtime)).claimed == 0


async def test_flood_control_is_waited_out_and_the_brief_arrives(
    chat: Chat, runtime: Runtime, clock: FakeClock, unlimited: BotApiStandIn
) -> None:
    await chat.say("/subscribe syria")
    unlimited.inject_retry_after(1)
    clock.now = utc(2025, 3, 30, 8, 0, 30)
    assert (await run_daily(runtime)).sent == 1
    statuses = [c.status for c in unlimited.calls if c.method == "sendMessage"]
    assert statuses[-2:] == [429, 200]


async def test_a_migrated_group_gets_its_brief_and_keeps_its_new_id(
    app: BotApp, runtime: Runtime, clock: FakeClock, unlimited: BotApiStandIn
) -> None:
    unlimited.set_administrators(-42, [USER])
    await Chat(unlimited, USER, chat_id=-42).say("/subscribe syria")
    unlimited.migrate_chat(-42, SUPERGROUP)
    clock.now = utc(2025, 3, 30, 8, 0, 30)
    report = await run_daily(runtime)
    assert (report.sent, report.migrated) == (1, 1)
    assert unlimited.messages_for(SUPERGROUP)[0].visible_text.startswith("Your daily brief")
    assert stored(runtime, SUPERGROUP)[1:] == ([date(2025, 3, 30)], DigestStatus.SENT)


async def test_one_render_per_distinct_brief(
    app: BotApp, runtime: Runtime, clock: FakeClock, unlimited: BotApiStandIn
) -> None:
    for user in range(10, 16):
        await Chat(unlimited, user).say("/subscribe syria" if user < 14 else "/subscribe kursk")
    clock.now = utc(2025, 3, 30, 8, 0, 30)
    report = await run_daily(runtime)
    assert (report.sent, report.renders, len(report.topic_sets)) == (6, 2, 2)


async def test_the_job_queue_looks_for_briefs_every_ten_seconds(
    unlimited: BotApiStandIn, tmp_path: Path, clock: FakeClock
) -> None:
    async with running(make_app(unlimited, tmp_path, clock, daily=True)) as app:
        assert app.job_queue is not None
        [job] = app.job_queue.get_jobs_by_name(JOB_NAME)
        assert job.job.trigger.interval.total_seconds() == 10
        await Chat(unlimited).say("/subscribe syria")
        clock.now = utc(2025, 3, 30, 8, 0, 30)
        await job.run(app)
        [brief] = (await unlimited.wait_for_messages(USER, 2))[1:]
        assert brief.visible_text.startswith("Your daily brief")
        daily = daily_of(runtime_of(app))
        await until(lambda: not daily.running, "the daily run to end")


CATEGORIES = ("sport", "business", "tech")


def write_bbc_scrapes(folder: Path, category: str, count: int, published: datetime) -> None:
    """Write BBC articles of a category as JSON scrapes, a minute apart up to `published`."""
    for n, path in enumerate(sorted((BBC / category).glob("*.txt"))[:count]):
        title, _, body = path.read_text(encoding="utf-8", errors="replace").partition("\n")
        scrape = {
            "title": title.strip(),
            "text": body.strip(),
            "url": f"https://www.bbc.co.uk/{category}/{path.stem}",
            "published": (published - timedelta(minutes=n)).isoformat(),
            "source": "BBC News",
        }
        (folder / f"{category}-{path.stem}.json").write_text(json.dumps(scrape), "utf-8")


async def test_a_brief_of_several_messages_resumes_as_it_was_rendered(
    unlimited: BotApiStandIn, tmp_path: Path, clock: FakeClock
) -> None:
    paced = DeliverySettings(messages_per_second=1000, chat_messages_per_second=1)
    folder = tmp_path / "articles"
    async with running(make_app(unlimited, tmp_path, clock, delivery=paced)) as first:
        runtime = runtime_of(first)
        for category in CATEGORIES:
            write_bbc_scrapes(folder, category, 15, utc(2025, 3, 30, 6))
        runtime.services.ingestor.ingest_folder(folder)
        for category in CATEGORIES:
            await Chat(unlimited).say(f"/subscribe {category}")
        clock.now = utc(2025, 3, 30, 8, 0, 20)
        daily = daily_of(runtime)
        run = asyncio.create_task(daily.run())
        await unlimited.wait_for_messages(USER, 4)  # three /subscribe answers, the brief's first

        def kept() -> tuple[int, dict[str, Any] | None]:
            """(messages recorded, rendering kept) of the brief under way."""
            with runtime.services.database.transaction(readonly=True) as session:
                subscriber = subs.find(session, USER)
                assert subscriber is not None
                [row] = subs.deliveries(session, subscriber.id)
                return row.messages, row.rendering

        await until(lambda: kept()[0] >= 1, "the first message to be recorded")
        daily.give_up(daily.held)  # it stops within a second, as if it had died
        await run
        done, rendering = kept()
        assert rendering is not None and 1 <= done < len(rendering.messages)
    for category in CATEGORIES:  # news arrives while no instance is up
        write_bbc_scrapes(folder, category, 40, utc(2025, 3, 30, 8, 2))
    async with running(make_app(unlimited, tmp_path, clock)) as second:
        runtime_of(second).services.ingestor.ingest_folder(folder)
        clock.now = utc(2025, 3, 30, 8, 5, 30)  # the first instance's lease has lapsed
        report = await run_daily(runtime_of(second))
        assert (report.recovered, report.sent) == (1, 1)
        assert report.messages == len(rendering.messages) - done
        with runtime_of(second).services.database.transaction() as session:
            subscriber = subs.find(session, USER)
            assert subscriber is not None
            [row] = subs.deliveries(session, subscriber.id)
            assert (row.status, row.rendering) == (DigestStatus.SENT, None)
            sent = subs.sent_story_ids(session, [subscriber.id])[subscriber.id]
            assert sent == set(rendering.story_ids)
    assert [m.text for m in unlimited.messages_for(USER)[3:]] == rendering.messages


async def test_instances_share_the_bot_rate_and_one_stopping_hands_its_share_back(
    unlimited: BotApiStandIn, tmp_path: Path, clock: FakeClock
) -> None:
    first = make_app(unlimited, tmp_path, clock)
    try:
        async with first:
            one = daily_of(runtime_of(first))
            async with running(make_app(unlimited, tmp_path, clock)) as second:
                two = daily_of(runtime_of(second))
                shares = [await one.share_rate(), await two.share_rate(), await one.share_rate()]
                assert shares == [1, 2, 2]
                assert runtime_of(first).deliverer.overall_rate == FAST.messages_per_second / 2
            assert await one.share_rate() == 1  # the second handed its share back as it stopped
            assert runtime_of(first).deliverer.overall_rate == FAST.messages_per_second
    finally:
        runtime_of(first).services.close()
