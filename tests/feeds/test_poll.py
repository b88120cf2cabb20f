"""Poll passes against a loopback server: bad input, health, duplicates, full text, the CLI."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from factories import make_services as make_store_services
from feedserver import FeedServer, Reply, unaccepting_port
from paths import FIXTURES

from newsbrief.bot.cli import main
from newsbrief.bot.delivery.digest import build_digest
from newsbrief.bot.feeds.fetch import new_client
from newsbrief.bot.feeds.poll import fetch_limits, poll_due_feeds
from newsbrief.bot.services import Services
from newsbrief.bot.store import feeds as store
from newsbrief.bot.store import repository
from newsbrief.bot.store.schema import FeedRecord
from newsbrief.bot.store.statuses import FeedOrigin

NOW = datetime(2024, 6, 5, 12, 0, tzinfo=UTC)
FEEDS = FIXTURES / "feeds"
STORY = (
    "The council voted on Tuesday to rebuild the old bridge over the river. "
    "Work is due to start in the spring and to last two years, officials said. "
    "Residents have asked for a safer crossing since the floods of last winter. "
    "The mayor said the vote was a relief for the families on both banks."
)


def rss(*items: dict[str, str], title: str = "Loopback News", extra: str = "") -> bytes:
    """Write an RSS 2.0 feed of items given as element name -> text."""
    parts = []
    for item in items:
        fields = "".join(f"<{k}>{v}</{k}>" for k, v in item.items())
        parts.append(f"<item>{fields}</item>")
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://loop.example/</link>{extra}"
        + "".join(parts)
        + "</channel></rss>"
    ).encode()


def story_item(n: int, *, link: str | None = None, text: str = STORY) -> dict[str, str]:
    return {
        "title": f"Bridge story {n}",
        "link": link or f"https://loop.example/news/{n}",
        "guid": f"loop-{n}",
        "pubDate": "Wed, 05 Jun 2024 08:00:00 GMT",
        "description": f"{text} Item {n}.",
    }


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def make_services(tmp_path: Path, **overrides: Any) -> Services:
    values: dict[str, Any] = {
        "allow_private_addresses": True,
        "feed_timeout_seconds": 1.5,
        "feed_connect_timeout_seconds": 0.5,
        "feed_max_bytes": 200_000,
        "feed_max_failures": 3,
    }
    return make_store_services(tmp_path, **{**values, **overrides})


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    built = make_services(tmp_path)
    yield built
    built.close()


@pytest.fixture
async def client(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    async with new_client(fetch_limits(services.settings)) as shared:
        yield shared


def subscribe(services: Services, *urls: str, full_text: bool = True) -> None:
    with services.database.transaction() as session:
        for url in urls:
            store.add_feed(
                session, store.FeedSpec(url, full_text=full_text), origin=FeedOrigin.CLI, now=NOW
            )


def feed_row(services: Services, url: str) -> FeedRecord:
    with services.database.transaction() as session:
        record = store.find_feed(session, url)
        assert record is not None
        return record


def article_count(services: Services) -> int:
    with services.database.transaction() as session:
        return repository.count_articles(session)


BOMB = (FEEDS / "xml_bomb.xml").read_bytes()
BAD_INPUT: dict[str, tuple[Reply | None, str]] = {
    "404": (Reply(404, b"missing"), "HTTP 404"),
    "500": (Reply(500, b"oops"), "HTTP 500"),
    "drip": (Reply(body=rss(story_item(9)), drip=0.05), "no complete answer within 1.5 s"),
    "oversized": (Reply(body=rss(*(story_item(n) for n in range(800)))), "200000-byte limit"),
    "html page": (
        Reply(body=(FEEDS / "html_page.html").read_bytes(), headers={"Content-Type": "text/html"}),
        "not a feed: the server sent an HTML page",
    ),
    "xml bomb": (Reply(body=BOMB), "declares entities"),
    "garbage": (Reply(body=b"\x00\x01binary\xff" * 50), "not a feed"),
    "connect timeout": (None, "no connection within 0.5 s"),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
async def test_bad_input_is_recorded_and_the_other_feeds_are_unaffected(
    case: str, server: FeedServer, services: Services, client: httpx.AsyncClient
) -> None:
    reply, error = BAD_INPUT[case]
    good = server.add("/good", Reply(body=rss(story_item(1))))
    with unaccepting_port() as port:
        bad = server.add("/bad", reply) if reply else f"http://127.0.0.1:{port}/feed"
        subscribe(services, good, bad)
        report = await poll_due_feeds(services, client, NOW)
    assert (report.feeds, report.fetched, report.failed) == (2, 1, 1)
    assert any(error in e for e in report.errors), report.errors
    row = feed_row(services, bad)
    assert row.last_error is not None and error in row.last_error
    assert row.consecutive_failures == 1 and row.next_poll_at > NOW
    assert feed_row(services, good).last_success_at == NOW
    assert report.ingest is not None and report.ingest.articles_added == 1


async def test_a_redirect_loop_is_a_recorded_failure(
    server: FeedServer, services: Services, client: httpx.AsyncClient
) -> None:
    server.add("/loop-a", Reply(302, headers={"Location": "/loop-b"}))
    server.add("/loop-b", Reply(302, headers={"Location": "/loop-a"}))
    subscribe(services, server.url("/loop-a"))
    report = await poll_due_feeds(services, client, NOW)
    assert report.failed == 1 and "redirect loop" in report.errors[0]


@pytest.mark.parametrize(
    ("fixture", "problem", "articles"),
    [
        ("invalid.xml", "malformed feed", 2),
        ("latin1_declared_utf8.xml", "malformed feed", 1),
        ("no_links_no_dates.xml", "no text", 2),
    ],
)
async def test_damaged_feeds_are_used_as_far_as_they_go(
    fixture: str,
    problem: str,
    articles: int,
    server: FeedServer,
    services: Services,
    client: httpx.AsyncClient,
) -> None:
    url = server.add("/feed", Reply(body=(FEEDS / fixture).read_bytes()))
    subscribe(services, url)
    report = await poll_due_feeds(services, client, NOW)
    assert report.fetched == 1 and report.failed == 0
    assert any(problem in p for p in report.problems), report.problems
    assert report.articles == articles and article_count(services) == articles


async def test_latin1_declared_as_utf8_keeps_its_accents(
    server: FeedServer, services: Services, client: httpx.AsyncClient
) -> None:
    url = server.add("/feed", Reply(body=(FEEDS / "latin1_declared_utf8.xml").read_bytes()))
    subscribe(services, url)
    await poll_due_feeds(services, client, NOW)
    with services.database.transaction() as session:
        (article,) = repository.articles_by_key(session, ["https://latin.example/1"]).values()
        assert article.title == "Señor Muñoz à Zürich"
        assert article.outlet == "Café Crème"


async def test_gone_disables_at_once_and_admins_hear_of_it_once(
    server: FeedServer, services: Services, client: httpx.AsyncClient
) -> None:
    url = server.add("/gone", Reply(410, b"gone"))
    subscribe(services, url)
    report = await poll_due_feeds(services, client, NOW)
    assert report.disabled == [url]
    row = feed_row(services, url)
    assert row.disabled_reason is not None and "410" in row.disabled_reason
    with services.database.transaction() as session:
        (alert,) = store.pop_feed_alerts(session)
        assert alert.url == url and "410" in alert.reason
    with services.database.transaction() as session:
        assert store.pop_feed_alerts(session) == []
    later = await poll_due_feeds(services, client, NOW + timedelta(days=2))
    assert later.feeds == 0


async def test_failures_back_off_and_disable_after_the_limit(
    server: FeedServer, services: Services, client: httpx.AsyncClient
) -> None:
    url = server.add("/broken", Reply(500, b"no"))
    subscribe(services, url)
    now = NOW
    waits = []
    for _ in range(3):
        report = await poll_due_feeds(services, client, now, rand=lambda: 0.0)
        assert report.failed == 1
        row = feed_row(services, url)
        waits.append(row.next_poll_at - now)
        now = row.next_poll_at
    assert waits[0] < waits[1] < waits[2]
    row = feed_row(services, url)
    assert row.consecutive_failures == 3
    assert row.disabled_reason == "3 failures in a row; last: HTTP 500"


async def test_an_unchanged_feed_costs_a_304_and_no_ingest(
    server: FeedServer, services: Services, client: httpx.AsyncClient
) -> None:
    body = rss(story_item(1), story_item(2))

    def conditional(headers: dict[str, str]) -> Reply:
        if headers.get("if-none-match") == '"v1"':
            return Reply(304)
        return Reply(body=body, headers={"ETag": '"v1"', "Cache-Control": "max-age=3600"})

    url = server.add("/feed", conditional)
    subscribe(services, url)
    first = await poll_due_feeds(services, client, NOW, rand=lambda: 0.0)
    assert first.ingest is not None and first.ingest.articles_added == 2
    row = feed_row(services, url)
    assert row.etag == '"v1"' and row.next_poll_at == NOW + timedelta(hours=1)
    assert (await poll_due_feeds(services, client, NOW + timedelta(minutes=30))).feeds == 0
    second = await poll_due_feeds(services, client, NOW + timedelta(hours=2))
    assert (second.not_modified, second.new_entries, second.ingest) == (1, 0, None)


async def test_seen_items_are_not_briefed_again_but_edited_ones_are(
    server: FeedServer, services: Services, client: httpx.AsyncClient
) -> None:
    url = server.add("/feed", Reply(body=rss(story_item(1), story_item(2))))
    subscribe(services, url)
    assert (await poll_due_feeds(services, client, NOW)).new_entries == 2
    again = await poll_due_feeds(services, client, NOW + timedelta(hours=1))
    assert (again.entries, again.new_entries, again.ingest) == (2, 0, None)
    edited = story_item(2, text=STORY + " An update came later in the day.")
    server.add("/feed", Reply(body=rss(story_item(1), edited, story_item(3))))
    third = await poll_due_feeds(services, client, NOW + timedelta(hours=2))
    assert third.new_entries == 2
    assert third.ingest is not None
    assert (third.ingest.articles_added, third.ingest.articles_updated) == (1, 1)


async def test_one_item_in_several_feeds_is_one_article(
    server: FeedServer, services: Services, client: httpx.AsyncClient
) -> None:
    shared = story_item(1, link="https://loop.example/news/1?utm_source=feed-a")
    same_elsewhere = story_item(1, link="https://www.loop.example/news/1/?utm_medium=b")
    copy = {**story_item(2), "guid": "other-guid", "link": "https://wire.example/copy"}
    copy["description"] = story_item(2)["description"]
    a = server.add("/a", Reply(body=rss(shared, story_item(2), title="A")))
    b = server.add("/b", Reply(body=rss(same_elsewhere, copy, title="B")))
    subscribe(services, a, b)
    report = await poll_due_feeds(services, client, NOW)
    assert (report.new_entries, report.duplicates, report.articles) == (4, 2, 2)
    assert article_count(services) == 2
    again = await poll_due_feeds(services, client, NOW + timedelta(hours=1))
    assert again.new_entries == 0


async def test_teasers_get_the_linked_page_unless_the_feed_says_not_to(
    server: FeedServer, services: Services, client: httpx.AsyncClient
) -> None:
    page = (
        "<html><head><title>Bridge</title></head><body><nav>Home | World</nav><article>"
        "<h1>Bridge to be rebuilt</h1>"
        + "".join(f"<p>{sentence}.</p>" for sentence in STORY.split(". "))
        + "</article><footer>Copyright</footer></body></html>"
    )
    server.add("/story", Reply(body=page.encode(), headers={"Content-Type": "text/html"}))
    teaser = {
        "title": "Bridge to be rebuilt",
        "link": server.url("/story"),
        "description": "The council voted.",
    }
    full = server.add("/full", Reply(body=rss(teaser)))
    bare = server.add("/bare", Reply(body=rss({**teaser, "link": server.url("/story?b")})))
    subscribe(services, full)
    subscribe(services, bare, full_text=False)
    report = await poll_due_feeds(services, client, NOW)
    assert report.full_text_fetched == 1
    assert len(server.requests_to("/story")) == 1
    with services.database.transaction() as session:
        texts = {r.url: r.text for r in repository.articles_by_key(session, _keys(server)).values()}
    assert "Residents have asked for a safer crossing" in texts[server.url("/story")]
    assert "Copyright" not in texts[server.url("/story")]
    assert texts[server.url("/story?b")] == "The council voted."


def _keys(server: FeedServer) -> list[str]:
    from newsbrief.bot.urls import canonical_url

    return [canonical_url(server.url("/story")), canonical_url(server.url("/story?b"))]


async def test_a_permanent_redirect_updates_the_stored_url(
    server: FeedServer, services: Services, client: httpx.AsyncClient
) -> None:
    old = server.add("/old", Reply(301, headers={"Location": "/new"}))
    new = server.add("/new", Reply(body=rss(story_item(1))))
    subscribe(services, old)
    report = await poll_due_feeds(services, client, NOW)
    assert report.moved == [(old, new)]
    with services.database.transaction() as session:
        assert [r.url for r in store.list_feeds(session)] == [new]


async def test_a_pass_is_bounded_in_time_and_a_slow_feed_delays_no_other(
    server: FeedServer, tmp_path: Path
) -> None:
    slow_services = make_services(
        tmp_path, feed_pass_seconds=3.0, feed_timeout_seconds=120, feed_host_concurrency=8
    )
    try:
        slow = server.add("/slow", Reply(body=rss(story_item(9)), drip=0.2))
        fast = [server.add(f"/f{n}", Reply(body=rss(story_item(n)))) for n in range(5)]
        subscribe(slow_services, slow, *fast)
        async with new_client(fetch_limits(slow_services.settings)) as shared:
            report = await poll_due_feeds(slow_services, shared, NOW)
        # The slow feed drips for minutes: the pass ended it at its bound, the others arrived.
        assert (report.fetched, report.unfinished) == (5, 1)
        row = feed_row(slow_services, slow)
        assert row.consecutive_failures == 0 and row.next_poll_at == NOW
    finally:
        slow_services.close()


async def test_configured_feeds_are_seeded_with_their_topics(
    server: FeedServer, tmp_path: Path
) -> None:
    plain = server.add("/plain", Reply(body=rss(story_item(1))))
    topical = server.add("/topical", Reply(body=rss(story_item(2))))
    configured = make_services(
        tmp_path,
        feeds=[plain],
        feed=[{"url": topical, "topic": "syria", "full_text": False}],
    )
    try:
        async with new_client(fetch_limits(configured.settings)) as shared:
            report = await poll_due_feeds(configured, shared, NOW)
        assert report.fetched == 2
        with configured.database.transaction() as session:
            rows = {r.url: (r.topic, r.full_text, r.origin) for r in store.list_feeds(session)}
        assert rows == {plain: (None, True, "settings"), topical: ("syria", False, "settings")}
    finally:
        configured.close()


# --- the CLI's feeds commands -------------------------------------------------------------------


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("NEWSBRIEF_ALLOW_PRIVATE_ADDRESSES", "1")
    for name in ("NEWSBRIEF_CONFIG", "NEWSBRIEF_DATABASE_URL", "NEWSBRIEF_FEEDS"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("cli_env")
def test_feeds_add_list_export_import_remove(
    server: FeedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.add("/feed", Reply(body=rss(story_item(1))))
    assert main(["feeds", "add", url, "--topic", "syria"]) == 0
    assert main(["feeds", "poll"]) == 0
    capsys.readouterr()
    assert main(["feeds", "list", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["url"] == url and row["topic"] == "syria" and row["state"] == "ok"
    assert row["last_success"] and row["next_poll"] and row["consecutive_failures"] == 0
    exported = tmp_path / "feeds.opml"
    assert main(["feeds", "export", "-o", str(exported)]) == 0
    assert main(["feeds", "remove", url]) == 0
    assert main(["feeds", "remove", url]) == 1
    assert main(["feeds", "import", str(exported)]) == 0
    capsys.readouterr()
    assert main(["feeds", "list"]) == 0
    out = capsys.readouterr().out
    assert url in out and "topic: syria" in out


@pytest.mark.usefixtures("cli_env")
def test_feeds_list_shows_failures_and_the_disabled_reason(
    server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.add("/gone", Reply(410))
    assert main(["feeds", "add", url]) == 0
    assert main(["feeds", "poll"]) == 1
    capsys.readouterr()
    assert main(["feeds", "list"]) == 0
    out = capsys.readouterr().out
    assert "[disabled]" in out and "HTTP 410" in out and "gone" in out


@pytest.mark.usefixtures("cli_env")
def test_ingest_feed_goes_through_the_poller(
    server: FeedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.add("/feed", Reply(body=rss(story_item(1), story_item(2))))
    empty = tmp_path / "articles"
    empty.mkdir()
    assert main(["ingest", "--articles", str(empty), "--feed", url]) == 0
    out = capsys.readouterr().out
    assert "2 new or changed" in out and "articles: 2 new" in out
    assert main(["ingest", "--articles", str(empty), "--feed", url]) == 0
    assert "0 new or changed" in capsys.readouterr().out


async def test_a_feed_added_under_a_topic_puts_its_stories_in_that_topic(
    server: FeedServer, services: Services, client: httpx.AsyncClient
) -> None:
    tagged = server.add("/tagged", Reply(body=rss(story_item(1))))
    plain = server.add(
        "/plain", Reply(body=rss(story_item(2, text=STORY.replace("bridge", "road"))))
    )
    with services.database.transaction() as session:
        store.add_feed(
            session, store.FeedSpec(tagged, topic="ukpolitics"), origin=FeedOrigin.CLI, now=NOW
        )
        store.add_feed(session, store.FeedSpec(plain), origin=FeedOrigin.CLI, now=NOW)
    await poll_due_feeds(services, client, NOW)
    topic = services.topics.resolve("ukpolitics")
    with services.database.transaction() as session:
        digest = build_digest(session, topic, now=NOW)
    assert [s.sources[0].url for s in digest.stories] == ["https://loop.example/news/1"]


# --- one bad item never costs another -----------------------------------------------------------


def json_feed(*items: dict[str, Any], title: str = "Loopback JSON") -> bytes:
    return json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": title, "items": list(items)}
    ).encode()


def json_item(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"json-{n}",
        "url": f"https://loop.example/json/{n}",
        "title": f"Road story {n}",
        "content_text": STORY.replace("bridge", "road") + f" Item {n}.",
        **fields,
    }


HOSTILE_FEEDS: dict[str, bytes] = {
    "link with a port out of range": rss(
        story_item(7, link="http://example.test:99999/a"), story_item(8)
    ),
    "link over 2,048 characters": rss(
        story_item(7, link="https://loop.example/" + "a" * 3000), story_item(8)
    ),
    "NUL in a JSON Feed title": json_feed(json_item(7), json_item(8), title="Loop\u0000back"),
    "NUL and a lone surrogate in a JSON Feed item": json_feed(
        json_item(7, title="Road\u0000 story \ud800"), json_item(8)
    ),
    "one JSON Feed item of the wrong shape": json_feed(
        json_item(7, authors=5, tags={"a": 1}), json_item(8)
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE_FEEDS))
async def test_a_hostile_item_costs_neither_its_feed_nor_the_batch(
    case: str, server: FeedServer, services: Services, client: httpx.AsyncClient
) -> None:
    good = server.add("/good", Reply(body=rss(story_item(1))))
    bad = server.add("/bad", Reply(body=HOSTILE_FEEDS[case]))
    subscribe(services, good, bad)
    report = await poll_due_feeds(services, client, NOW)
    assert (report.feeds, report.fetched, report.failed) == (2, 2, 0), report.errors
    assert report.ingest is not None and report.ingest.errors == []
    assert article_count(services) >= 3
    assert feed_row(services, bad).last_success_at == NOW
    again = await poll_due_feeds(services, client, NOW + timedelta(hours=1))
    assert (again.feeds, again.failed) == (2, 0)


async def test_distinct_entries_with_the_same_teaser_are_all_kept(
    server: FeedServer, services: Services, client: httpx.AsyncClient
) -> None:
    teaser = "The council met on Tuesday."
    items = [{**story_item(n), "description": teaser} for n in range(3)]
    url = server.add("/feed", Reply(body=rss(*items)))
    subscribe(services, url, full_text=False)
    report = await poll_due_feeds(services, client, NOW)
    assert (report.articles, report.duplicates) == (3, 0)
    assert article_count(services) == 3


async def test_validators_are_saved_only_once_the_entries_are_stored(
    server: FeedServer, services: Services, client: httpx.AsyncClient
) -> None:
    body = rss(story_item(1), story_item(2))

    def conditional(headers: dict[str, str]) -> Reply:
        if headers.get("if-none-match") == '"v1"':
            return Reply(304)
        return Reply(body=body, headers={"ETag": '"v1"', "Last-Modified": "Wed, 05 Jun 2024"})

    url = server.add("/feed", conditional)
    subscribe(services, url)
    with services.database.engine.begin() as connection:  # the store loses a table: ingest fails
        connection.exec_driver_sql("ALTER TABLE articles RENAME TO articles_away")
    failed = await poll_due_feeds(services, client, NOW)
    assert any("ingest failed" in e for e in failed.errors)
    row = feed_row(services, url)
    assert (row.etag, row.last_modified) == (None, None)
    with services.database.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE articles_away RENAME TO articles")
    later = await poll_due_feeds(services, client, NOW + timedelta(hours=3))
    assert later.not_modified == 0 and later.new_entries == 2
    assert later.ingest is not None and later.ingest.articles_added == 2
    assert feed_row(services, url).etag == '"v1"'


async def test_a_hostile_json_feed_is_parsed_within_the_pass_deadline(
    server: FeedServer, tmp_path: Path
) -> None:
    services = make_services(tmp_path, feed_pass_seconds=100, feed_max_bytes=1_000_000)
    hostile = json_feed(json_item(7, content_html="<script>x" * 33_000), json_item(8))
    good = server.add("/good", Reply(body=rss(story_item(1))))
    bad = server.add("/bad", Reply(body=hostile))
    subscribe(services, good, bad)
    try:
        async with new_client(fetch_limits(services.settings)) as client:
            # the pass bound is generous for a loaded machine, yet below the old parser's
            # 138 s on this item; the wait is a hang guard above it
            report = await asyncio.wait_for(poll_due_feeds(services, client, NOW), 200)
    finally:
        services.close()
    assert (report.feeds, report.fetched, report.unfinished) == (2, 2, 0), report.errors
    assert report.ingest is not None and report.ingest.articles_added == 3
