"""Digest history end to end: the daily horizon, and pruning what no brief can carry again."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from botapi import BotApiStandIn

from e2e.helpers import ADMIN, USER, Chat, FakeClock, make_app, run_daily, running
from newsbrief.bot.store import subscriptions as subs
from newsbrief.bot.store.retention import Pruned
from newsbrief.bot.worker import jobs
from newsbrief.handlers.app import build_application
from newsbrief.handlers.jobs import prune_store
from newsbrief.handlers.runtime import Runtime, runtime_of

# The sample story was last published on 19 December 2024: 101 days before this morning.
MORNING = datetime(2025, 3, 30, 8, 0, 30, tzinfo=UTC)


def history(runtime: Runtime) -> tuple[set[int], int]:
    """(stories the user has had, daily digests on record) as the store holds them."""
    with runtime.services.database.transaction() as session:
        subscriber = subs.find(session, USER)
        assert subscriber is not None
        sent = subs.sent_story_ids(session, [subscriber.id]).get(subscriber.id, set())
        return sent, len(subs.deliveries(session, subscriber.id))


async def test_a_daily_brief_leaves_out_stories_older_than_its_horizon(
    unlimited: BotApiStandIn, tmp_path: Path, clock: FakeClock
) -> None:
    async with running(make_app(unlimited, tmp_path, clock, daily_digest_days=7)) as app:
        chat = Chat(unlimited)
        await chat.say("/subscribe syria")
        clock.now = MORNING
        report = await run_daily(runtime_of(app))
        assert (report.claimed, report.empty, report.sent) == (1, 1, 0)
        [digest] = await chat.say("/syria")  # asking still shows the latest, however old
        assert digest.visible_text.startswith("Syria\n")


async def test_pruning_forgets_only_what_no_brief_can_carry_again(
    unlimited: BotApiStandIn, tmp_path: Path, clock: FakeClock
) -> None:
    settings = {"daily_digest_days": 120, "digest_history_days": 30}
    async with running(make_app(unlimited, tmp_path, clock, **settings)) as app:
        runtime = runtime_of(app)
        await Chat(unlimited).say("/subscribe syria")
        clock.now = MORNING
        assert (await run_daily(runtime)).sent == 1
        sent, deliveries = history(runtime)
        assert len(sent) == 1 and deliveries == 1
        assert not await prune_store(runtime)  # the story is within the horizon
        clock.now = datetime(2025, 5, 1, 8, 0, 30, tzinfo=UTC)  # 133 days on; 32 since the brief
        assert await prune_store(runtime) == Pruned(sent_stories=1, deliveries=1)
        assert history(runtime) == (set(), 0)
        report = await run_daily(runtime)  # forgotten, yet not sent again: past the horizon
        assert (report.claimed, report.empty, report.sent) == (1, 1, 0)


async def test_the_job_queue_prunes_every_six_hours(
    unlimited: BotApiStandIn, tmp_path: Path, clock: FakeClock
) -> None:
    settings = {"daily_digest_days": 120, "digest_history_days": 30}
    async with running(make_app(unlimited, tmp_path, clock, daily=True, **settings)) as app:
        assert app.job_queue is not None
        [job] = app.job_queue.get_jobs_by_name("prune-store")
        assert job.job.trigger.interval.total_seconds() == 6 * 3600
        runtime = runtime_of(app)
        await Chat(unlimited).say("/subscribe syria")
        clock.now = MORNING
        assert (await run_daily(runtime)).sent == 1
        clock.now = datetime(2025, 5, 1, 8, 0, 30, tzinfo=UTC)
        await job.run(app)
        assert history(runtime) == (set(), 0)


async def test_a_bot_running_alone_schedules_the_workers_job_table(
    unlimited: BotApiStandIn, tmp_path: Path, clock: FakeClock
) -> None:
    app = make_app(unlimited, tmp_path, clock, daily=True)
    settings = runtime_of(app).settings.model_copy(update={"bot_ingests": True})
    alone = build_application(settings, runtime_of(app).services, clock=clock)
    try:
        for built, names in ((app, {"prune-store"}), (alone, {j.name for j in jobs(settings)})):
            assert built.job_queue is not None
            scheduled = {
                job.name: job.job.trigger.interval
                for job in built.job_queue.jobs()
                if job.name in {j.name for j in jobs(settings)}
            }
            assert scheduled == {j.name: j.interval for j in jobs(settings) if j.name in names}
    finally:
        runtime_of(app).services.close()


async def test_feeds_tells_of_a_scan_that_found_nothing_new(
    unlimited: BotApiStandIn, tmp_path: Path, clock: FakeClock
) -> None:
    app = make_app(unlimited, tmp_path, clock)  # the samples are in the store already
    settings = runtime_of(app).settings.model_copy(update={"bot_ingests": True})
    alone = build_application(settings, runtime_of(app).services, clock=clock, daily=False)
    async with running(alone):
        assert alone.job_queue is not None
        [scan] = alone.job_queue.get_jobs_by_name("scan-articles")
        scan.schedule_removal()
        await scan.run(alone)
        feeds = await Chat(unlimited, ADMIN).ask("/feeds")
    assert "none since the bot started" not in feeds
    assert "articles: 2 files (2 unchanged, 0 failed)" in feeds
