import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from factories import make_services, sample_folder
from feedserver import FeedServer, Reply
from sqlalchemy import select
from waiting import until

from newsbrief.bot.cli import main
from newsbrief.bot.services import Services
from newsbrief.bot.store import feeds as store
from newsbrief.bot.store.leases import take_lease
from newsbrief.bot.store.repository import count_articles
from newsbrief.bot.store.schema import ArticleRecord
from newsbrief.bot.store.statuses import FeedOrigin
from newsbrief.bot.worker import FOLDER_LEASE, Worker, jobs, scan_folder

RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Loop</title><item>'
    b"<title>Putin meets Assad in Moscow</title><link>https://loop.example/1</link>"
    b"<description>Putin met Assad in Moscow on Monday. They talked about Syria. "
    b"Both men said the talks went well.</description></item></channel></rss>"
)


async def test_a_worker_polls_feeds_and_scans_the_folder_until_stopped(tmp_path: Path) -> None:
    services = make_services(
        tmp_path,
        articles_dir=sample_folder(tmp_path),
        allow_private_addresses=True,
        full_text=False,
    )
    try:
        with FeedServer() as server:
            url = server.add("/rss", Reply(body=RSS))
            with services.database.transaction() as session:
                store.add_feed(
                    session,
                    store.FeedSpec(url),
                    origin=FeedOrigin.CLI,
                    now=datetime.now(UTC),
                )
            stop = asyncio.Event()
            running = asyncio.create_task(Worker(services).run(stop))
            await until(
                lambda: bool(server.seen) and _articles(services) == 3, "the worker's first pass"
            )
            stop.set()
            await asyncio.wait_for(running, timeout=60)
        assert [s.path for s in server.seen] == ["/rss"]
        assert _articles(services) == 3
    finally:
        services.close()


def _articles(services: Services) -> int:
    with services.database.transaction() as session:
        return count_articles(session)


async def test_only_one_worker_scans_the_folder_at_a_time(tmp_path: Path) -> None:
    services = make_services(tmp_path, articles_dir=sample_folder(tmp_path))
    try:
        with services.database.transaction() as session:
            take_lease(
                session, FOLDER_LEASE, "other:1", now=datetime.now(UTC), ttl=timedelta(minutes=5)
            )
        assert await scan_folder(services, "me:2") is None
        assert _articles(services) == 0
    finally:
        services.close()


async def test_a_worker_prunes_articles_past_their_retention(tmp_path: Path) -> None:
    services = make_services(tmp_path, article_retention_days=30)
    try:
        services.ingestor.ingest_folder(sample_folder(tmp_path))
        assert not await Worker(services).prune()
        with services.database.transaction() as session:
            for article in session.scalars(select(ArticleRecord)):
                article.ingested_at -= timedelta(days=31)
        pruned = await Worker(services).prune()
        assert (pruned.articles, pruned.stories, _articles(services)) == (2, 1, 0)
    finally:
        services.close()


def test_worker_once_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("NEWSBRIEF_ARTICLES_DIR", str(sample_folder(tmp_path)))
    assert main(["worker", "--once"]) == 0
    out = capsys.readouterr().out
    assert "0 feeds" in out and "articles: 2 new" in out


def test_the_worker_schedules_the_job_table(tmp_path: Path) -> None:
    services = make_services(tmp_path, poll_minutes=7)
    try:
        scheduled = {
            job.id: job.trigger.interval for job in Worker(services).scheduler().get_jobs()
        }
        assert scheduled == {job.name: job.interval for job in jobs(services.settings)}
        assert scheduled == {
            "poll-feeds": timedelta(minutes=1),
            "scan-articles": timedelta(minutes=7),
            "prune-store": timedelta(hours=6),
        }
    finally:
        services.close()
