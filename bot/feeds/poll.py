"""One poll pass over the feeds that are due: fetch, parse, fetch full text, ingest, reschedule.

All fetches share one `httpx.AsyncClient`, at most `feed_host_concurrency` per host and
`feed_concurrency` feeds at a time; each fetch has its own total deadline and the pass as a whole
ends after `feed_pass_seconds`, so a slow feed never holds up the others. Parsing, page
extraction, ingest and the store run in worker threads, never on the event loop.

Duplicates: an item is remembered per feed (guid, else link, else text) with a fingerprint of
what readers see, so an unchanged item is not briefed twice; within a pass the same article from
several feeds (same canonical URL, same guid, or the same text) is handed to ingest once, and
ingest keys articles by canonical URL and puts identical texts into one story.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.orm import Session

from newsbrief.bot.feeds.fetch import PAGE_ACCEPT, Fetcher, FetchError, FetchLimits, HttpStatusError
from newsbrief.bot.feeds.health import HealthPolicy, Verdict, after_failure, after_success
from newsbrief.bot.feeds.parse import FeedEntry, FeedFormatError, entry_article, parse_feed
from newsbrief.bot.ingest.analysis import article_key, fingerprint
from newsbrief.bot.ingest.pipeline import IngestReport
from newsbrief.bot.model import Article
from newsbrief.bot.services import Services
from newsbrief.bot.store import feeds as store
from newsbrief.bot.store.schema import FeedRecord
from newsbrief.bot.store.storable import storable, storable_line
from newsbrief.bot.text.decoding import decode_bytes
from newsbrief.bot.text.html_page import html_to_article_parts
from newsbrief.bot.urls import is_fetchable_url
from newsbrief.config.settings import Settings

__all__ = [
    "PollReport",
    "configured_feeds",
    "fetch_limits",
    "health_policy",
    "poll_due_feeds",
    "seed_configured_feeds",
]

log = logging.getLogger(__name__)
ITEM_MEMORY = timedelta(days=90)
LEASE_MARGIN_SECONDS = 60  # a claimed feed whose worker died is polled again after this


@dataclass
class PollReport:
    """What one pass did, for the logs, the CLI and the bench."""

    feeds: int = 0
    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    unfinished: int = 0
    disabled: list[str] = field(default_factory=list)
    moved: list[tuple[str, str]] = field(default_factory=list)
    entries: int = 0
    new_entries: int = 0
    full_text_fetched: int = 0
    duplicates: int = 0
    articles: int = 0
    errors: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    fetch_seconds: float = 0.0
    ingest_seconds: float = 0.0
    ingest: IngestReport | None = None

    def summary(self) -> str:
        """Say in one line what happened."""
        text = (
            f"{self.feeds} feeds ({self.fetched} fetched, {self.not_modified} unchanged, "
            f"{self.failed} failed"
            + (f", {self.unfinished} unfinished" if self.unfinished else "")
            + (f", {len(self.disabled)} disabled" if self.disabled else "")
            + f"); entries: {self.entries} seen, {self.new_entries} new or changed, "
            f"{self.full_text_fetched} full texts fetched, {self.duplicates} duplicates; "
            f"{self.articles} articles to ingest"
        )
        if self.ingest is not None:
            text += f"; {self.ingest.summary().split('; ', 1)[-1]}"
        return text


@dataclass
class _Outcome:
    """What polling one feed gave, before it is recorded."""

    state: store.FeedState
    kind: str = "unfinished"  # fetched | not_modified | failed | unfinished
    error: str | None = None
    gone: bool = False
    retry_after: str | None = None
    cache_control: str | None = None
    ttl_minutes: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    moved_to: str | None = None
    title: str | None = None
    entries: int = 0
    items: dict[str, str] = field(default_factory=dict)
    known: dict[str, str] = field(default_factory=dict)
    fresh: list[tuple[FeedEntry, Article, str]] = field(default_factory=list)
    full_text_fetched: int = 0
    problems: list[str] = field(default_factory=list)


def fetch_limits(settings: Settings) -> FetchLimits:
    """Read the fetch limits from the settings."""
    return FetchLimits(
        max_bytes=settings.feed_max_bytes,
        timeout_seconds=settings.feed_timeout_seconds,
        connect_timeout_seconds=settings.feed_connect_timeout_seconds,
        max_redirects=settings.feed_max_redirects,
        host_concurrency=settings.feed_host_concurrency,
        allow_private_addresses=settings.allow_private_addresses,
    )


def health_policy(settings: Settings) -> HealthPolicy:
    """Read the polling rules from the settings."""
    low = timedelta(minutes=settings.feed_min_interval_minutes)
    high = max(low, timedelta(minutes=settings.feed_max_interval_minutes))
    return HealthPolicy(
        interval=timedelta(minutes=settings.poll_minutes),
        min_interval=low,
        max_interval=high,
        max_failures=settings.feed_max_failures,
    )


def configured_feeds(settings: Settings) -> list[store.FeedSpec]:
    """List the feeds named in the settings: the plain `feeds` list and `[[feed]]` tables."""
    specs = [store.FeedSpec(url.strip()) for url in settings.feeds if url.strip()]
    specs += [store.FeedSpec(f.url, f.topic, f.full_text) for f in settings.feed]
    return specs


def seed_configured_feeds(services: Services, now: datetime | None = None) -> int:
    """Put the configured feeds into the store; return how many were new."""
    specs = configured_feeds(services.settings)
    if not specs:
        return 0
    with services.database.transaction() as session:
        return store.seed_feeds(session, specs, now=now or datetime.now(UTC))


async def poll_due_feeds(
    services: Services,
    client: httpx.AsyncClient,
    now: datetime | None = None,
    *,
    urls: Collection[str] | None = None,
    rand: Callable[[], float] = random.random,
) -> PollReport:
    """Poll every feed that is due (or just `urls`, due or not), ingest what is new, reschedule.

    Due feeds are claimed a batch at a time until none is left or the pass runs out of time,
    so several workers polling together share the feeds instead of one taking them all.
    """
    now = now or datetime.now(UTC)
    settings = services.settings
    report = PollReport()
    await asyncio.to_thread(seed_configured_feeds, services, now)
    fetcher = Fetcher(client, fetch_limits(settings))
    deadline = time.monotonic() + settings.feed_pass_seconds
    while time.monotonic() < deadline:
        due, seen = await asyncio.to_thread(_load, services, now, urls)
        if not due:
            break
        await _poll_batch(services, fetcher, due, seen, now, deadline, rand, report)
        if urls is not None:
            break
    return report


async def _poll_batch(
    services: Services,
    fetcher: Fetcher,
    due: list[store.FeedState],
    seen: dict[int, dict[str, str]],
    now: datetime,
    deadline: float,
    rand: Callable[[], float],
    report: PollReport,
) -> None:
    """Fetch, ingest and record one claimed batch of feeds."""
    settings = services.settings
    report.feeds += len(due)
    gate = asyncio.Semaphore(settings.feed_concurrency)
    outcomes = [_Outcome(state, known=seen[state.id]) for state in due]
    started = time.monotonic()
    tasks = [
        asyncio.create_task(_poll_one(outcome, fetcher, gate, settings, now))
        for outcome in outcomes
    ]
    _done, pending = await asyncio.wait(tasks, timeout=max(deadline - started, 0.001))
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for outcome, task in zip(outcomes, tasks, strict=True):
        if not task.cancelled() and task.exception() is not None:
            outcome.kind, outcome.error = "failed", f"internal error: {task.exception()!r}"
            log.error("polling %s failed", outcome.state.url, exc_info=task.exception())
    report.fetch_seconds += time.monotonic() - started
    ingested = True
    started = time.monotonic()
    try:
        articles = _deduplicate(outcomes, report)
        if articles:
            ingest = await asyncio.to_thread(services.ingestor.ingest_articles, articles)
            report.ingest = ingest if report.ingest is None else report.ingest.merged(ingest)
    except Exception as error:  # the store is down, say: keep items unseen, try next pass
        ingested = False
        report.errors.append(f"ingest failed: {error!r}")
        log.exception("ingest of this batch's feed articles failed")
    report.ingest_seconds += time.monotonic() - started
    policy = health_policy(settings)
    await asyncio.to_thread(_record, services, outcomes, policy, now, ingested, rand, report)


def _load(
    services: Services, now: datetime, urls: Collection[str] | None
) -> tuple[list[store.FeedState], dict[int, dict[str, str]]]:
    lease = timedelta(seconds=services.settings.feed_pass_seconds + LEASE_MARGIN_SECONDS)
    with services.database.transaction() as session:
        if urls is None:
            batch = services.settings.feed_claim_batch
            due = store.claim_due_feeds(session, now, lease=lease, limit=batch)
        else:
            due = store.due_feeds(session, now, urls=urls)
        seen = store.seen_items(session, [s.id for s in due])
    return due, seen


async def _poll_one(
    outcome: _Outcome,
    fetcher: Fetcher,
    gate: asyncio.Semaphore,
    settings: Settings,
    now: datetime,
) -> None:
    state = outcome.state
    async with gate:
        try:
            response = await fetcher.fetch(
                state.url, etag=state.etag, last_modified=state.last_modified
            )
        except HttpStatusError as error:
            outcome.kind, outcome.error = "failed", str(error)
            outcome.gone, outcome.retry_after = error.gone, error.retry_after
            return
        except FetchError as error:
            outcome.kind, outcome.error = "failed", str(error)
            return
        outcome.cache_control, outcome.retry_after = response.cache_control, response.retry_after
        outcome.etag, outcome.last_modified = response.etag, response.last_modified
        outcome.moved_to = response.moved_to
        if response.not_modified:
            outcome.kind = "not_modified"
            outcome.etag = outcome.etag or state.etag
            outcome.last_modified = outcome.last_modified or state.last_modified
            return
        try:
            parsed = await asyncio.to_thread(
                parse_feed, response.body, response.url, content_type=response.content_type, now=now
            )
        except FeedFormatError as error:
            outcome.kind, outcome.error = "failed", str(error)
            return
        del response
        outcome.kind = "fetched"
        outcome.title = parsed.title
        outcome.ttl_minutes = parsed.ttl_minutes
        outcome.entries = len(parsed.entries)
        outcome.problems = parsed.problems
        fresh: list[tuple[FeedEntry, str]] = []
        for entry in parsed.entries:
            hashed = store.item_hash(entry.key)
            if hashed in outcome.items:
                continue
            outcome.items[hashed] = entry.fingerprint
            if outcome.known.get(hashed) != entry.fingerprint:
                fresh.append((entry, hashed))
        pages: dict[str, str] = {}
        if settings.full_text and state.full_text:
            wanted = [e for e, _ in fresh if e.teaser and e.link]
            pages = await _full_texts(wanted[: settings.feed_full_text_per_feed], fetcher)
            outcome.full_text_fetched = len(pages)
        outlet = parsed.outlet
        for entry, hashed in fresh:
            try:
                article = entry_article(
                    entry, outlet=outlet, feed_url=state.url, text=pages.get(entry.link or "")
                )
            except Exception as error:  # one bad entry must not cost the feed its others
                outcome.problems.append(f"{entry.link or entry.title or entry.key}: {error!r}")
                continue
            if article is None:
                outcome.problems.append(f"{entry.link or entry.title or entry.key}: no text")
                continue
            if state.topic:
                article = replace(article, topics=(state.topic,))
            outcome.fresh.append((entry, article, hashed))


async def _full_texts(entries: Sequence[FeedEntry], fetcher: Fetcher) -> dict[str, str]:
    """Fetch the pages behind teaser entries; a page that fails keeps its teaser."""

    async def one(entry: FeedEntry) -> tuple[str, str | None]:
        assert entry.link is not None
        try:
            page = await fetcher.fetch(entry.link, accept=PAGE_ACCEPT)
        except FetchError as error:
            log.info("full text of %s not fetched: %s", entry.link, error)
            return entry.link, None
        if not page.body:
            return entry.link, None
        markup = decode_bytes(page.body, content_type=page.content_type, html=True).text
        parts = await asyncio.to_thread(html_to_article_parts, markup, url=page.url)
        longer = len(parts.body) > len(entry.text)
        return entry.link, parts.body if longer else None

    found = await asyncio.gather(*(one(e) for e in entries))
    return {link: text for link, text in found if text}


def _deduplicate(outcomes: Sequence[_Outcome], report: PollReport) -> list[Article]:
    """Keep one article per canonical URL, guid, and title with text, across this pass's feeds.

    Entries that share only a teaser (the same text under different titles) are distinct.
    """
    articles: list[Article] = []
    keys: set[str] = set()
    guids: set[str] = set()
    texts: set[str] = set()
    for outcome in outcomes:
        report.entries += outcome.entries
        report.new_entries += len(outcome.fresh)
        report.full_text_fetched += outcome.full_text_fetched
        for entry, article, _hashed in outcome.fresh:
            key = article_key(article)
            text = fingerprint(f"{article.title}\n{article.text}")
            guid = entry.guid if entry.guid and len(entry.guid) > 8 else None
            if key in keys or (guid and guid in guids) or text in texts:
                report.duplicates += 1
                continue
            keys.add(key)
            texts.add(text)
            if guid:
                guids.add(guid)
            articles.append(article)
    report.articles += len(articles)
    return articles


def _record(
    services: Services,
    outcomes: Sequence[_Outcome],
    policy: HealthPolicy,
    now: datetime,
    ingested: bool,
    rand: Callable[[], float],
    report: PollReport,
) -> None:
    """Write each feed's new state, its items and any alerts, in one transaction.

    If that fails, each feed is recorded alone, and one that still fails is at least released
    (its error noted, its next poll scheduled), so no feed stays claimed by a failed pass.
    """
    try:
        with services.database.transaction() as session:
            for outcome in outcomes:
                _record_one(session, outcome, policy, now, ingested, rand(), report)
            if ingested:
                store.forget_items_before(session, now - ITEM_MEMORY)
        return
    except Exception:
        log.exception("recording %d polled feeds together failed; one by one now", len(outcomes))
    for outcome in outcomes:
        try:
            with services.database.transaction() as session:
                _record_one(session, outcome, policy, now, ingested, rand(), PollReport())
        except Exception as error:
            log.exception("recording the poll of %s failed", outcome.state.url)
            reason = storable(f"internal error while recording the poll: {error!r}")
            with services.database.transaction() as session:
                record = session.get(FeedRecord, outcome.state.id)
                if record is not None:
                    record.last_error, record.last_error_at = reason, now
                    record.next_poll_at = now + policy.interval
            report.errors.append(f"{outcome.state.url}: {reason}")


def _record_one(
    session: Session,
    outcome: _Outcome,
    policy: HealthPolicy,
    now: datetime,
    ingested: bool,
    rand: float,
    report: PollReport,
) -> None:
    record = session.get(FeedRecord, outcome.state.id)
    if record is not None:  # else removed while the pass ran
        _apply(session, record, outcome, policy, now, ingested, rand, report)
        session.flush()


def _apply(
    session: Session,
    record: FeedRecord,
    outcome: _Outcome,
    policy: HealthPolicy,
    now: datetime,
    ingested: bool,
    rand: float,
    report: PollReport,
) -> None:
    url = record.url
    report.problems.extend(f"{url}: {p}" for p in outcome.problems)
    if outcome.kind == "unfinished":
        report.unfinished += 1
        report.errors.append(f"{url}: not finished within the pass; polled again next pass")
        record.next_poll_at = now  # give up this pass's claim
        return
    record.last_polled_at = now
    verdict: Verdict
    if outcome.kind == "failed":
        report.failed += 1
        error = outcome.error or "unknown error"
        report.errors.append(f"{url}: {error}")
        verdict = after_failure(
            policy,
            now,
            failures_before=record.consecutive_failures,
            reason=error,
            gone=outcome.gone,
            retry_after=outcome.retry_after,
            rand=rand,
        )
        record.last_error, record.last_error_at = storable(error), now
        if verdict.disabled_reason:
            record.disabled_at, record.disabled_reason = now, verdict.disabled_reason
            record.alert_pending = True
            report.disabled.append(url)
            log.warning("feed %s disabled: %s", url, verdict.disabled_reason)
    else:
        if outcome.kind == "not_modified":
            report.not_modified += 1
        else:
            report.fetched += 1
        verdict = after_success(
            policy,
            now,
            ttl_minutes=outcome.ttl_minutes,
            cache_control=outcome.cache_control,
            retry_after=outcome.retry_after,
            rand=rand,
        )
        record.last_success_at = now
        if outcome.kind == "not_modified" or ingested or not outcome.fresh:
            # Validators only once the entries they cover are stored: else the next poll would
            # get 304 Not Modified and never see the entries this ingest lost.
            record.etag = _validator(outcome.etag, 512)
            record.last_modified = _validator(outcome.last_modified, 128)
        if outcome.title:
            record.title = storable_line(outcome.title, 256)
        if outcome.kind == "fetched" and (ingested or not outcome.fresh):
            store.remember_items(session, record.id, outcome.items, known=outcome.known, now=now)
    record.consecutive_failures = verdict.failures
    record.next_poll_at = verdict.next_poll
    if outcome.moved_to and outcome.moved_to != url and is_fetchable_url(outcome.moved_to):
        if store.find_feed(session, outcome.moved_to) is None:
            record.url = outcome.moved_to
            report.moved.append((url, record.url))
        else:
            report.problems.append(f"{url}: moved to {outcome.moved_to}, already subscribed")


def _validator(value: str | None, width: int) -> str | None:
    """Keep an HTTP validator that fits its column; a cut one would never match, so drop it."""
    value = storable(value or "")
    return value if 0 < len(value) <= width else None
