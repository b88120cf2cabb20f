"""Two worker processes' worth of pollers on one store: every due feed is fetched once a cycle."""

import asyncio
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from factories import make_services
from feedserver import FeedServer, Reply

from newsbrief.bot.feeds.fetch import new_client
from newsbrief.bot.feeds.poll import fetch_limits, poll_due_feeds
from newsbrief.bot.services import Services
from newsbrief.bot.store import feeds as store
from newsbrief.bot.store.statuses import FeedOrigin

NOW = datetime(2025, 2, 1, 12, 0, tzinfo=UTC)
FEEDS = 100


def _rss(n: int) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed</title>'
        f"<item><title>Item {n}</title><link>https://example.org/{n}</link>"
        f"<description>Short news item number {n}.</description></item></channel></rss>"
    ).encode()


def _poll(services: Services, results: list[int]) -> None:
    async def once() -> int:
        async with new_client(fetch_limits(services.settings)) as client:
            report = await poll_due_feeds(services, client, NOW)
        return report.feeds

    results.append(asyncio.run(once()))


def test_two_workers_fetch_every_due_feed_exactly_once(tmp_path: Path) -> None:
    options = {
        "allow_private_addresses": True,
        "full_text": False,
        "feed_concurrency": 8,
        "feed_claim_batch": 10,
    }
    first = make_services(tmp_path, **options)
    second = make_services(tmp_path, **options)
    try:
        with FeedServer() as server:
            urls = [server.add(f"/feed/{n}", Reply(body=_rss(n))) for n in range(FEEDS)]
            with first.database.transaction() as session:
                for url in urls:
                    store.add_feed(session, store.FeedSpec(url), origin=FeedOrigin.CLI, now=NOW)
            claimed: list[int] = []
            workers = [
                threading.Thread(target=_poll, args=(services, claimed))
                for services in (first, second)
            ]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join(timeout=120)
            fetched = Counter(seen.path for seen in server.seen)
        assert sum(claimed) == FEEDS
        assert all(claimed), "one worker took every feed: the other had nothing to do"
        assert sorted(fetched) == sorted(f"/feed/{n}" for n in range(FEEDS))
        assert set(fetched.values()) == {1}, "a feed was fetched twice in one cycle"
        with first.database.transaction() as session:
            assert store.claim_due_feeds(session, NOW, lease=timedelta(minutes=5)) == []
    finally:
        first.close()
        second.close()
