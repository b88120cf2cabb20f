"""Read RSS/Atom/JSON feeds into articles: fetch with limits, parse with feedparser, clean."""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import httpx

from bot.cleaning import clean_text, outlet_from_url
from bot.errors import ArticleError
from bot.html_text import html_to_article_parts, looks_like_html
from bot.model import Article

USER_AGENT = "newsbrief/0.1 (+https://github.com/newsbrief/newsbrief; feed reader)"
DEFAULT_MAX_FEED_BYTES = 10_000_000
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(days=2)


@dataclass
class FeedResult:
    """What one feed gave: its articles, and what was wrong with it, if anything."""

    url: str
    articles: list[Article] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def fetch_feed(
    url: str, client: httpx.Client, *, max_bytes: int = DEFAULT_MAX_FEED_BYTES
) -> FeedResult:
    """Download and parse one feed; a failure is reported in the result, never raised."""
    try:
        body = _download(url, client, max_bytes)
    except (httpx.HTTPError, ArticleError) as error:
        return FeedResult(url, problems=[f"{url}: {error}"])
    return parse_feed(body, url)


def _download(url: str, client: httpx.Client, max_bytes: int) -> bytes:
    if not url.lower().startswith(("http://", "https://")):
        raise ArticleError(url, "only http and https feeds are fetched")
    chunks: list[bytes] = []
    size = 0
    with client.stream("GET", url, headers={"User-Agent": USER_AGENT}) as response:
        if response.status_code >= 400:
            raise ArticleError(url, f"HTTP {response.status_code}")
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise ArticleError(url, f"feed larger than {max_bytes} bytes; not read further")
            chunks.append(chunk)
    return b"".join(chunks)


def parse_feed(body: bytes, url: str) -> FeedResult:
    """Parse feed bytes as far as they go; a malformed feed keeps what parsed and says why."""
    result = FeedResult(url)
    if body.lstrip()[:1] == b"{":
        return _parse_json_feed(body, url)
    parsed = feedparser.parse(body, sanitize_html=True, resolve_relative_uris=True)
    if parsed.get("bozo"):
        result.problems.append(f"{url}: malformed feed: {parsed.get('bozo_exception')}")
    feed_title = str(parsed.feed.get("title") or "") or outlet_from_url(url)
    for number, entry in enumerate(parsed.entries, 1):
        try:
            result.articles.append(_entry_article(entry, url, feed_title))
        except ArticleError as error:
            result.problems.append(f"{url}: entry {number}: {error.reason}")
    return result


def _entry_article(entry: Any, feed_url: str, outlet: str | None) -> Article:
    link = entry.get("link") or None
    contents = entry.get("content") or []
    html = max((c.get("value", "") for c in contents), key=len, default="") or entry.get(
        "summary", ""
    )
    parts = html_to_article_parts(html, url=link) if looks_like_html(html) else clean_text(html)
    title_html = str(entry.get("title") or "")
    title = clean_text(title_html).body if title_html else (parts.title or "")
    body = parts.body.strip()
    if not body:
        raise ArticleError(link or feed_url, "entry has no text")
    return Article(
        title=" ".join(title.split()) or body[:100],
        text=body,
        outlet=outlet,
        url=link,
        published=_entry_time(entry),
    )


def _entry_time(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            when = datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            if EARLIEST <= when <= datetime.now(UTC) + FUTURE_TOLERANCE:
                return when
    return None


def _parse_json_feed(body: bytes, url: str) -> FeedResult:
    result = FeedResult(url)
    try:
        data = json.loads(body)
    except ValueError as error:
        return FeedResult(url, problems=[f"{url}: invalid JSON feed: {error}"])
    outlet = str(data.get("title") or "") or outlet_from_url(url)
    for number, item in enumerate(data.get("items") or [], 1):
        html = item.get("content_html") or item.get("content_text") or item.get("summary") or ""
        parts = html_to_article_parts(html) if looks_like_html(html) else clean_text(html)
        if not parts.body.strip():
            result.problems.append(f"{url}: item {number}: item has no text")
            continue
        published = None
        if item.get("date_published"):
            try:
                published = datetime.fromisoformat(item["date_published"])
            except ValueError:
                result.problems.append(f"{url}: item {number}: bad date")
        result.articles.append(
            Article(
                title=str(item.get("title") or parts.title or parts.body[:100]),
                text=parts.body,
                outlet=outlet,
                url=item.get("url"),
                published=published if published and published.tzinfo else None,
            )
        )
    return result
