"""Admins add and remove feeds from the chat, with the checks of `newsbrief feeds add`."""

from __future__ import annotations

from pathlib import Path

from botapi import BotApiStandIn
from factories import make_services
from feedserver import FeedServer, Reply

from e2e.helpers import ADMIN, USER, Chat, FakeClock, running, settings_for
from newsbrief.bot.store import feeds as feeds_store
from newsbrief.handlers import texts
from newsbrief.handlers.app import build_application
from newsbrief.handlers.runtime import Runtime

RSS = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
    b"<title>Loopback &amp; News</title><link>https://loop.example/</link>"
    b"<item><title>One</title><link>https://loop.example/1</link><guid>1</guid>"
    b"<description>Officials said the bridge would reopen on Monday.</description></item>"
    b"<item><title>Two</title><link>https://loop.example/2</link><guid>2</guid>"
    b"<description>Officials said the road would reopen on Tuesday.</description></item>"
    b"</channel></rss>"
)


def stored_feeds(runtime: Runtime) -> list[tuple[str, str | None, str]]:
    """(url, topic, origin) of every stored feed."""
    with runtime.services.database.transaction() as session:
        return [(f.url, f.topic, f.origin) for f in feeds_store.list_feeds(session)]


async def test_an_admin_adds_and_removes_a_feed(
    app: object, unlimited: BotApiStandIn, runtime: Runtime
) -> None:
    admin = Chat(unlimited, ADMIN)
    with FeedServer() as server:
        url = server.add("/rss.xml", Reply(200, RSS, {"Content-Type": "application/rss+xml"}))
        missing = server.url("/missing.xml")
        page = server.add("/page.html", Reply(200, b"<html><body>hi</body></html>"))
        added = await admin.ask(f"/addfeed {url} syria")
        assert added.startswith("Subscribed to Loopback & News (topic Syria): 2 entries now")
        assert stored_feeds(runtime) == [(url, "syria", "telegram")]
        assert "404" in await admin.ask(f"/addfeed {missing}")
        assert (await admin.ask(f"/addfeed {page}")).startswith(f"I cannot add {page}: ")
    assert "not an http:// or https:// URL" in await admin.ask("/addfeed ftp://files.test/rss")
    assert "has no host" in await admin.ask("/addfeed http://")
    assert "no topic called atlantis" in await admin.ask(f"/addfeed {url} atlantis")
    assert "Which feed?" in await admin.ask("/addfeed")
    assert len(stored_feeds(runtime)) == 1
    assert await Chat(unlimited, USER).ask(f"/removefeed {url}") == texts.UNKNOWN_COMMAND
    assert await Chat(unlimited, USER).ask(f"/addfeed {url}") == texts.UNKNOWN_COMMAND
    assert await admin.ask(f"/removefeed {url}") == f"Removed {url}."
    assert "There is no feed" in await admin.ask(f"/removefeed {url}")
    assert stored_feeds(runtime) == []


async def test_addfeed_refuses_private_addresses_as_polling_does(
    unlimited: BotApiStandIn, tmp_path: Path, clock: FakeClock
) -> None:
    settings = {**settings_for(unlimited, tmp_path), "allow_private_addresses": False}
    services = make_services(tmp_path, **settings)
    app = build_application(services.settings, services, clock=clock, daily=False)
    async with running(app):
        with FeedServer() as server:
            url = server.add("/rss.xml", Reply(200, RSS))
            refused = await Chat(unlimited, ADMIN).ask(f"/addfeed {url}")
            assert not server.seen  # refused before any request was made
        with services.database.transaction() as session:
            assert feeds_store.list_feeds(session) == []
    assert refused == f"I cannot add {url}: 127.0.0.1 is a private or reserved address (127.0.0.1)"


async def test_admins_see_the_feed_commands_in_their_menu(
    app: object, unlimited: BotApiStandIn
) -> None:
    admin = [c["command"] for c in unlimited.commands({"type": "chat", "chat_id": ADMIN})]
    assert {"addfeed", "removefeed"} <= set(admin)
    assert not {"addfeed", "removefeed"} & {c["command"] for c in unlimited.commands()}
