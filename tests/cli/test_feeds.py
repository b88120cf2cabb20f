"""The feeds commands on hostile input: bad URLs are refused one by one, imports stay linear."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from factories import store_url
from feedserver import FeedServer, Reply

from newsbrief.bot.cli import main
from newsbrief.bot.feeds.opml import OpmlFeed, to_opml
from newsbrief.bot.store.database import Database
from newsbrief.bot.store.schema import FeedRecord
from newsbrief.config.settings import load_settings

ITEM = (
    "<item><title>Bridge vote</title><link>https://loop.example/news/1</link>"
    "<description>The council voted on Tuesday to rebuild the old bridge over the river. "
    "Work is due to start in the spring and to last two years, officials said. Residents "
    "have asked for a safer crossing since the floods of last winter.</description></item>"
)
FEED = f'<rss version="2.0"><channel><title>Loop</title>{ITEM}</channel></rss>'.encode()
BAD_URLS = [
    "http://127.0.0.1:99999/feed",
    "http://[::1/feed",
    "http://",
    "file:///etc/passwd",
    "gopher://example.com/feed",
    "http://example.com/a\nb",
]


@pytest.fixture(autouse=True)
def _own_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", store_url(tmp_path))
    monkeypatch.setenv("NEWSBRIEF_ALLOW_PRIVATE_ADDRESSES", "1")
    for name in ("NEWSBRIEF_CONFIG", "NEWSBRIEF_FEEDS", "NEWSBRIEF_ARTICLES_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def listed(capsys: pytest.CaptureFixture[str]) -> list[str]:
    capsys.readouterr()
    assert main(["feeds", "list", "--json"]) == 0
    return [row["url"] for row in json.loads(capsys.readouterr().out)]


@pytest.mark.parametrize("url", BAD_URLS)
def test_feeds_add_refuses_a_bad_url_in_one_line_with_exit_2(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["feeds", "add", url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("newsbrief: error: ") and err.count("\n") == 1
    assert "Traceback" not in err
    assert listed(capsys) == []


def test_one_bad_outline_does_not_cost_the_rest_of_an_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = [f"https://feeds.example/{n}.xml" for n in range(20)]
    outlines = [OpmlFeed(url) for url in good[:10]]
    outlines += [OpmlFeed(url) for url in BAD_URLS if "\n" not in url]
    outlines += [OpmlFeed(url) for url in good[10:]]
    opml = tmp_path / "feeds.opml"
    opml.write_bytes(to_opml(outlines))
    assert main(["feeds", "import", str(opml)]) == 1
    out, err = capsys.readouterr()
    assert "20 new" in out and "5 skipped" in out
    assert "99999" in err and "file:///etc/passwd" in err
    assert listed(capsys) == good


def test_import_counts_known_feeds_and_same_canonical_urls_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["feeds", "add", "https://feeds.example/a.xml"]) == 0
    opml = tmp_path / "feeds.opml"
    opml.write_bytes(
        to_opml(
            [
                OpmlFeed("https://www.feeds.example/a.xml?utm_source=x"),
                OpmlFeed("https://feeds.example/b.xml"),
                OpmlFeed("https://FEEDS.example/b.xml/"),
            ]
        )
    )
    capsys.readouterr()
    assert main(["feeds", "import", str(opml)]) == 0
    assert "3 feeds, 1 new, 2 known, 0 skipped" in capsys.readouterr().out
    assert listed(capsys) == ["https://feeds.example/a.xml", "https://feeds.example/b.xml"]


def test_ingest_feed_refuses_what_feeds_add_refuses_and_polls_the_rest(
    server: FeedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = server.add("/feed", Reply(body=FEED))
    empty = tmp_path / "articles"
    empty.mkdir()
    args = ["ingest", "--articles", str(empty), "--feed", "file:///etc/passwd"]
    status = main([*args, "--feed", "gopher://example.com/", "--feed", good])
    out, err = capsys.readouterr()
    assert status == 1
    assert "3 feeds (1 fetched" in out and "2 failed" in out and "articles: 1 new" in out
    assert "file:///etc/passwd" in err and "gopher://" in err
    assert listed(capsys) == [good]


def test_feeds_list_keeps_a_stored_url_on_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    database = Database(load_settings().store_url)
    database.migrate()
    with database.transaction() as session:
        now = datetime.now(UTC)
        session.add(FeedRecord(url="http://old.example/a\nb", added_at=now, next_poll_at=now))
    database.close()
    assert main(["feeds", "list"]) == 0
    first, *_rest = capsys.readouterr().out.splitlines()
    assert first.startswith("http://old.example/a\\nb  [")
