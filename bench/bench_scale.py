"""Scale-out: one and two bot instances sharing a broadcast; one and two ingest workers.

Every instance is a real process on one PostgreSQL store (a fresh schema per run):

- **Broadcast**: `newsbrief run` processes (by webhook, so they do not fight over getUpdates)
  against the loopback Bot API stand-in from the tests, which enforces Telegram's limits scaled
  two times faster (60 messages/s overall). The bot's rate is configured per instance, so the
  60/s is split: one instance at 60, or two at 30 each. Achieved rate = briefs accepted / time
  from the first to the last. Duplicates and subscribers missed are counted from what the
  stand-in accepted.
- **Ingest**: `newsbrief worker --once` processes polling 50 loopback feeds of 10 items each
  (500 BBC articles as item text, no full-text fetch), one analysis process per worker; time
  from starting the processes to the last one done.
"""

from __future__ import annotations

import importlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

import psycopg

from bench.paths import EVAL
from newsbrief.bot.services import Services, build_services, bundled_samples
from newsbrief.bot.store import feeds as feed_store
from newsbrief.bot.store import repository
from newsbrief.bot.store.schema import DigestDelivery
from newsbrief.bot.store.statuses import FeedOrigin
from newsbrief.config.settings import load_settings

TESTS = Path(__file__).resolve().parent.parent / "tests"
BBC = EVAL / "bbc-news-summary" / "News Articles"
SERVER = os.environ.get("NEWSBRIEF_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
LIMIT = 60.0
"""Telegram's 30 messages/s scaled two times: two instances' pacing must share it."""
FEEDS, ITEMS = 50, 10
FIRST_CHAT = 2_000_000
HEADER = "Your daily brief"


@contextmanager
def schema() -> Iterator[str]:
    """A fresh PostgreSQL schema; yield its store URL and drop it afterwards."""
    name = f"nb_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(SERVER, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield f"{SERVER}?options={quote(f'-csearch_path={name}')}"
    finally:
        with psycopg.connect(SERVER, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{name}" CASCADE')


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _services(url: str, folder: Path, **overrides: Any) -> Services:
    return build_services(
        load_settings(database_url=url, data_dir=folder / "data", ingest_workers=1, **overrides)
    )


def _env(url: str, folder: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "NEWSBRIEF_DATABASE_URL": url,
        "NEWSBRIEF_DATA_DIR": str(folder / "data"),
        "NEWSBRIEF_BOT_INGESTS": "false",
        "PTB_TIMEDELTA": "true",
        **extra,
    }
    env.pop("NEWSBRIEF_CONFIG", None)
    return env


def _wait(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the bench run did not finish in time")
        time.sleep(0.05)


def broadcast(api: Any, instances: int, subscribers: int, folder: Path) -> dict[str, Any]:
    """Run `instances` bot processes on a due broadcast; measure what the stand-in accepted."""
    botapi, harness = importlib.import_module("botapi"), importlib.import_module("harness")
    samples_age_days = importlib.import_module("factories").SAMPLES_AGE_DAYS
    api.set_limits(botapi.RateLimits().scaled(LIMIT / 30))
    before, throttled = len(api.messages), len(api.errors(429))
    with schema() as url:
        services = _services(url, folder, articles_dir=bundled_samples())
        try:
            services.ingestor.ingest_folder(services.articles_dir)
            slot = datetime.now(UTC).replace(second=0, microsecond=0)
            chat_ids = range(FIRST_CHAT, FIRST_CHAT + subscribers)
            chats = set(harness.seed_due_subscribers(services, slot, chat_ids, lambda n: ["syria"]))
            env = _env(
                url,
                folder,
                TELEGRAM_BOT_TOKEN=api.token,
                TELEGRAM_API_BASE_URL=api.base_url.removesuffix("/bot"),
                NEWSBRIEF_TELEGRAM__MESSAGES_PER_SECOND=str(LIMIT),  # the instances share it
                NEWSBRIEF_TELEGRAM__DAILY_DIGEST_DAYS=str(samples_age_days),  # December 2024
            )
            processes = [
                subprocess.Popen(
                    [
                        *(sys.executable, "-m", "bot", "run"),
                        *(
                            "--webhook-url",
                            f"https://bench.example/{n}",
                            "--port",
                            str(_free_port()),
                        ),
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for n in range(instances)
            ]
            try:

                def done() -> bool:
                    with services.database.transaction(readonly=True) as session:
                        rows = session.query(DigestDelivery).filter(
                            DigestDelivery.finished_at.is_not(None)
                        )
                        return rows.count() == subscribers

                _wait(done, 60 + 3 * subscribers / LIMIT)
                with services.database.transaction(readonly=True) as session:
                    holders = Counter(
                        h for (h,) in session.query(DigestDelivery.holder).all() if h is not None
                    )
            finally:
                for process in processes:
                    process.terminate()
                for process in processes:
                    process.wait(timeout=20)
        finally:
            services.close()
    sent = [m for m in api.messages[before:] if m.chat_id in chats]
    briefs = [m for m in sent if m.visible_text.startswith(HEADER)]
    times = sorted(m.time for m in briefs)
    span = times[-1] - times[0]
    copies = Counter((m.chat_id, m.text) for m in sent)
    return {
        "instances": instances,
        "briefs": len(briefs),
        "rate": (len(briefs) - 1) / span,
        "span": span,
        "duplicates": sum(n - 1 for n in copies.values()),
        "missed": len(chats - {m.chat_id for m in briefs}),
        "throttled": len(api.errors(429)) - throttled,
        "shares": sorted(holders.values(), reverse=True),
    }


def _feed(n: int, texts: list[tuple[str, str]], published: datetime) -> bytes:
    items = "".join(
        f"<item><title>{escape(title)}</title><link>https://bench.example/{n}/{i}</link>"
        f"<guid>https://bench.example/{n}/{i}</guid>"
        f"<pubDate>{format_datetime(published)}</pubDate>"
        f"<description>{escape(body)}</description></item>"
        for i, (title, body) in enumerate(texts)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed {n}</title>{items}</channel></rss>"
    ).encode()


def bbc_articles(count: int) -> list[tuple[str, str]]:
    """Titles and texts of the first `count` BBC articles, across the five sections."""
    files = sorted(BBC.glob("*/*.txt"), key=lambda p: (p.name, p.parent.name))[:count]
    found = []
    for path in files:
        title, _, body = path.read_text(encoding="latin-1").strip().partition("\n")
        found.append((title.strip(), body.strip()))
    return found


def ingest(workers: int, texts: list[tuple[str, str]], folder: Path) -> dict[str, Any]:
    """Poll the feeds with `workers` worker processes once; time until all are done."""
    feedserver = importlib.import_module("feedserver")
    now = datetime.now(UTC)
    per_feed = max(1, len(texts) // FEEDS)
    with feedserver.FeedServer() as server, schema() as url:
        articles = folder / "empty"
        articles.mkdir(exist_ok=True)
        services = _services(url, folder, articles_dir=articles)
        try:
            with services.database.transaction() as session:
                for n in range(FEEDS):
                    chunk = texts[n * per_feed : (n + 1) * per_feed]
                    path = server.add(f"/feed/{n}", feedserver.Reply(body=_feed(n, chunk, now)))
                    spec = feed_store.FeedSpec(path, full_text=False)
                    feed_store.add_feed(session, spec, origin=FeedOrigin.CLI, now=now)
            env = _env(
                url,
                folder,
                NEWSBRIEF_ARTICLES_DIR=str(articles),
                NEWSBRIEF_INGEST_WORKERS="1",
                NEWSBRIEF_FULL_TEXT="false",
                NEWSBRIEF_ALLOW_PRIVATE_ADDRESSES="true",
            )
            started = time.perf_counter()
            processes = [
                subprocess.Popen(
                    [sys.executable, "-m", "bot", "worker", "--once"],
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    text=True,
                )
                for _ in range(workers)
            ]
            outputs = [p.communicate(timeout=600)[0] for p in processes]
            elapsed = time.perf_counter() - started
            with services.database.transaction(readonly=True) as session:
                stored = repository.count_articles(session)
        finally:
            services.close()
    polled = [
        next((line for line in out.splitlines() if line.startswith("feeds:")), "?")
        for out in outputs
    ]
    return {
        "workers": workers,
        "items": len(texts),
        "stored": stored,
        "elapsed": elapsed,
        "polled": polled,
    }


def _bench(quick: bool) -> str:
    subscribers, items = (300, 200) if quick else (1_500, FEEDS * ITEMS)
    sys.path.insert(0, str(TESTS))  # the stand-in, the harness and the feed server live there
    botapi = importlib.import_module("botapi")
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as name:
        folder = Path(name)
        with botapi.BotApiStandIn() as api:
            sends = [broadcast(api, n, subscribers, folder) for n in (1, 2)]
        texts = bbc_articles(items)
        ingests = [ingest(n, texts, folder) for n in (1, 2)]
    return _markdown(quick, subscribers, sends, ingests)


def _markdown(
    quick: bool, subscribers: int, sends: list[dict[str, Any]], ingests: list[dict[str, Any]]
) -> str:
    lines = [
        "## Scale-out",
        "",
        f"Several processes on one PostgreSQL store (`bench/bench_scale.py`"
        f"{', quick run' if quick else ''}); 2 cores shared by every process, the store and the "
        "loopback servers.",
        "",
        f"### Broadcast: {subscribers:,} briefs due at once, limit {LIMIT:.0f} msg/s in all",
        "",
        "Every `newsbrief run` instance is given the bot's limit; those sending at the same "
        "moment share it through the store (Telegram's limit is per bot, not per process).",
        "",
        "| instances | briefs accepted | achieved rate | of the limit | claims per instance "
        "| 429 answers | duplicates | missed |",
        "|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for s in sends:
        lines.append(
            f"| {s['instances']} | {s['briefs']:,} | {s['rate']:.1f} msg/s | "
            f"{100 * s['rate'] / LIMIT:.1f} % | {' / '.join(map(str, s['shares']))} | "
            f"{s['throttled']} | {s['duplicates']} | {s['missed']} |"
        )
    lines += [
        "",
        "Two instances share the broadcast (claims per instance) and lose nothing; when one "
        "runs out of claims and leaves, the other takes the whole limit back within seconds.",
        "",
        f"### Ingest: {ingests[0]['items']} feed items (BBC articles) over {FEEDS} loopback "
        "feeds, `newsbrief worker --once`",
        "",
        "| workers | articles stored | wall time, start to last exit | items/s "
        "| feeds each polled |",
        "|---:|---:|---:|---:|---|",
    ]
    for i in ingests:
        polled = " / ".join(p.removeprefix("feeds: ").split(" (")[0] for p in i["polled"])
        lines.append(
            f"| {i['workers']} | {i['stored']} | {i['elapsed']:.1f} s | "
            f"{i['items'] / i['elapsed']:.1f} | {polled} |"
        )
    lines += [
        "",
        "Workers claim due feeds a batch at a time (`feed_claim_batch`, rows locked `FOR UPDATE "
        "SKIP LOCKED`) until none is left, so two workers polling together split the feeds. "
        "Each worker runs one process here (`ingest_workers = 1`).",
    ]
    return "\n".join(lines) + "\n"


def run(quick: bool) -> str:
    """Measure broadcast and ingest with one and two processes; return the Markdown section."""
    return _bench(quick)
