"""Admit a feed an admin adds from a chat: the URL check of `newsbrief feeds add`, then a first
fetch through the poller's own `Fetcher`, whose address guard refuses private, loopback and
reserved addresses at every hop; a feed is stored only when that fetch gives a usable feed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from newsbrief.bot.feeds.fetch import Fetcher
from newsbrief.bot.feeds.parse import parse_feed
from newsbrief.bot.urls import checked_url


@dataclass(frozen=True, slots=True)
class AdmittedFeed:
    """A feed that answered its first fetch with entries a poll can use."""

    url: str
    title: str | None
    entries: int


async def admit_feed(url: str, fetcher: Fetcher, now: datetime) -> AdmittedFeed:
    """Fetch and parse a feed once; raise `NewsbriefError` saying why it cannot be added."""
    url = checked_url(url)
    response = await fetcher.fetch(url)
    parsed = await asyncio.to_thread(
        parse_feed, response.body, response.url, content_type=response.content_type, now=now
    )
    return AdmittedFeed(response.moved_to or url, parsed.title, len(parsed.entries))
