"""Feeds: a full poll of 500 loopback feeds, the 304 poll after it, full-text extraction, corpus.

The feeds are served by a small asyncio HTTP/1.1 server in a child process, listening on 50
loopback addresses (127.0.0.1-50) so the per-host limit applies as it would across 50 sites.
The poll runs the real pass (`newsbrief.bot.feeds.poll.poll_due_feeds`): fetch + parse is timed
apart from ingest (briefs, quotes, story grouping), which is timed on the same articles. Extraction
quality is scored by the benchmark's own `evaluate.py`, beside trafilatura's defaults.
"""

from __future__ import annotations

import asyncio
import gzip
import importlib.util
import json
import multiprocessing
import resource
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import trafilatura

from bench.paths import EVAL
from newsbrief.bot.feeds.fetch import new_client
from newsbrief.bot.feeds.parse import FeedFormatError, parse_feed
from newsbrief.bot.feeds.poll import fetch_limits, poll_due_feeds
from newsbrief.bot.services import build_services
from newsbrief.bot.store import feeds as store
from newsbrief.bot.store.statuses import FeedOrigin
from newsbrief.bot.text.html_page import html_to_article_parts
from newsbrief.config.settings import load_settings

EXTRACTION = EVAL / "article-extraction"
CORPUS = EVAL / "feeds"
HOSTS = 50
ENTRIES = 20
PARAGRAPH = (
    "The regional council met on {day} to discuss the plan for feed number {feed}, item {item}. "
    "Officials said the work would begin next spring and last about two years in all. "
    '"We have waited long enough," said one resident, who asked not to be named. '
    "The budget was approved by a large majority after a debate of three hours. "
)


def _feed_body(feed: int) -> bytes:
    items = []
    for item in range(ENTRIES):
        text = "".join(
            f"<p>{PARAGRAPH.format(day=d, feed=feed, item=item)}</p>" for d in ("Monday", "Tuesday")
        )
        items.append(
            f"<item><title>Feed {feed} story {item}</title>"
            f"<link>https://site{feed}.example/news/{item}</link>"
            f"<guid>https://site{feed}.example/news/{item}</guid>"
            f"<pubDate>Wed, 05 Jun 2024 {item % 24:02d}:00:00 GMT</pubDate>"
            f"<description><![CDATA[{text}]]></description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Site {feed}</title><link>https://site{feed}.example/</link>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def _serve(feeds: int, ready: Any, stop: Any) -> None:
    """Serve /feed/N with ETags on 127.0.0.1-50 until told to stop (runs in a child process)."""
    bodies = {f"/feed/{n}": _feed_body(n) for n in range(feeds)}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (line.partition(":") for line in lines[1:] if line)
                }
                body = bodies.get(path)
                etag = f'"{path}"'
                if body is None:
                    status, body, extra = "404 Not Found", b"", ""
                elif headers.get("if-none-match") == etag:
                    status, body, extra = "304 Not Modified", b"", f"ETag: {etag}\r\n"
                else:
                    status, extra = (
                        "200 OK",
                        f"ETag: {etag}\r\nContent-Type: application/rss+xml\r\n",
                    )
                writer.write(
                    f"HTTP/1.1 {status}\r\n{extra}Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        first = await asyncio.start_server(handle, host="127.0.0.1", port=0, backlog=1024)
        port = first.sockets[0].getsockname()[1]
        servers = [first] + [
            await asyncio.start_server(handle, host=f"127.0.0.{n}", port=port, backlog=1024)
            for n in range(2, HOSTS + 1)
        ]
        ready.put(port)
        while not stop.is_set():
            await asyncio.sleep(0.05)
        for server in servers:
            server.close()

    asyncio.run(main())


def _poll_figures(feeds: int) -> list[str]:
    context = multiprocessing.get_context("spawn")
    ready, stop = context.Queue(), context.Event()
    server = context.Process(target=_serve, args=(feeds, ready, stop), daemon=True)
    server.start()
    port = ready.get(timeout=60)
    lines: list[str] = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            settings = load_settings(data_dir=Path(folder), allow_private_addresses=True)
            services = build_services(settings)
            now = datetime(2024, 6, 5, 12, 0, tzinfo=UTC)
            with services.database.transaction() as session:
                for n in range(feeds):
                    url = f"http://127.0.0.{n % HOSTS + 1}:{port}/feed/{n}"
                    store.add_feed(session, store.FeedSpec(url), origin=FeedOrigin.CLI, now=now)

            async def two_polls() -> tuple[Any, float, Any, float]:
                async with new_client(fetch_limits(settings)) as client:
                    started = time.perf_counter()
                    first = await poll_due_feeds(services, client, now)
                    first_wall = time.perf_counter() - started
                    started = time.perf_counter()
                    later = now + timedelta(days=2)
                    second = await poll_due_feeds(services, client, later)
                    return first, first_wall, second, time.perf_counter() - started

            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            first, first_wall, second, second_wall = asyncio.run(two_polls())
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            services.close()
    finally:
        stop.set()
        server.join(10)
    ingest = first.ingest
    record = first_wall - first.fetch_seconds - first.ingest_seconds
    lines += [
        f"### Polling {feeds} feeds of {ENTRIES} entries from a loopback server",
        "",
        f"{HOSTS} loopback hosts, default limits (2 connections per host, 50 feeds at a time); "
        "every entry carries its full text, so no page is fetched.",
        "",
        "| pass | feeds | entries | wall s | fetch + parse s | ingest s | store s |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| first (200s) | {first.fetched} | {first.entries} | {first_wall:.2f} | "
        f"{first.fetch_seconds:.2f} | {first.ingest_seconds:.2f} | {record:.2f} |",
        f"| next (304s) | {second.not_modified} | {second.entries} | {second_wall:.2f} | "
        f"{second.fetch_seconds:.2f} | {second.ingest_seconds:.2f} | "
        f"{second_wall - second.fetch_seconds - second.ingest_seconds:.2f} |",
        "",
        f"Fetch + parse of {first.entries} entries: {first.fetch_seconds:.2f} s "
        f"(target <= 10 s: {'met' if first.fetch_seconds <= 10 else 'NOT met'}); "
        f"ingest (briefs, quotes, stories) of {first.articles} articles: "
        f"{first.ingest_seconds:.1f} s, {first.articles / max(first.ingest_seconds, 1e-9):.0f} "
        f"articles/s. The 304 pass: {second_wall:.2f} s "
        f"(target <= 2 s: {'met' if second_wall <= 2 else 'NOT met'}). "
        f"Peak resident memory of the process: {peak / 1024:.0f} MiB "
        f"({rss_before / 1024:.0f} MiB before the polls).",
    ]
    if ingest is not None:
        lines += ["", f"Ingest: {ingest.summary()}."]
    if first.errors or second.errors:
        lines += ["", f"Errors: {(first.errors + second.errors)[:3]}"]
    return lines


def _scorer() -> Any:
    spec = importlib.util.spec_from_file_location("extraction_evaluate", EXTRACTION / "evaluate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _extraction_figures(quick: bool) -> list[str]:
    if not EXTRACTION.is_dir():
        return ["### Full-text extraction", "", "(shared extraction benchmark not present)"]
    truth = json.loads((EXTRACTION / "ground-truth.json").read_text())
    keys = sorted(truth)[:40] if quick else sorted(truth)
    truth = {k: truth[k] for k in keys}
    ours: dict[str, dict[str, str]] = {}
    theirs: dict[str, dict[str, str]] = {}
    seconds = {"ours": 0.0, "trafilatura": 0.0}
    for key in keys:
        html = gzip.decompress((EXTRACTION / "html" / f"{key}.html.gz").read_bytes()).decode(
            "utf-8", errors="replace"
        )
        url = truth[key].get("url")
        started = time.perf_counter()
        ours[key] = {"articleBody": html_to_article_parts(html, url=url).body}
        seconds["ours"] += time.perf_counter() - started
        started = time.perf_counter()
        theirs[key] = {"articleBody": trafilatura.extract(html, url=url) or ""}
        seconds["trafilatura"] += time.perf_counter() - started
    scorer = _scorer()
    rows = [
        "### Full-text extraction (teaser entries)",
        "",
        f"{len(keys)} pages of the article-extraction benchmark, scored by its own `evaluate.py` "
        "(4-token shingles; mean precision and recall per page, F1 of the means; "
        "± is its bootstrap standard deviation over 200 resamples).",
        "",
        "| extractor | F1 | precision | recall | ms per page |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, prediction in (
        ("**ours** (`html_to_article_parts`)", ours),
        ("trafilatura.extract, defaults", theirs),
    ):
        m = scorer.evaluate(truth, prediction, 200)
        label = "ours" if "ours" in name else "trafilatura"
        rows.append(
            f"| {name} | {m['f1']:.3f} ± {m['f1_std']:.3f} | {m['precision']:.3f} | "
            f"{m['recall']:.3f} | {1000 * seconds[label] / len(keys):.0f} |"
        )
    return rows


def _corpus_figures() -> list[str]:
    if not CORPUS.is_dir():
        return ["### Corpus robustness", "", "(shared feed corpus not present)"]
    counts: Counter[tuple[str, str]] = Counter()
    slowest = 0.0
    crashes = 0
    started = time.perf_counter()
    for path in sorted(CORPUS.rglob("*")):
        if not path.is_file() or path.name == "LICENSE":
            continue
        group = path.relative_to(CORPUS).parts[0]
        if group == "feedparser":
            group += "/" + path.relative_to(CORPUS).parts[1]
        begun = time.perf_counter()
        try:
            parsed = parse_feed(path.read_bytes(), f"https://corpus.example/{path.name}")
        except FeedFormatError:
            counts[group, "refused"] += 1
        except Exception:
            crashes += 1
            counts[group, "crashed"] += 1
        else:
            counts[group, "bozo" if parsed.problems else "clean"] += 1
            counts[group, "entries"] += len(parsed.entries)
        counts[group, "files"] += 1
        slowest = max(slowest, time.perf_counter() - begun)
    total = time.perf_counter() - started
    groups = sorted({g for g, _ in counts})
    rows = [
        "### Corpus robustness",
        "",
        "Every file of feedparser's test corpus and feedjira's captured feeds through "
        "`newsbrief.bot.feeds.parse.parse_feed`. *bozo* = used as far as it parsed, with the "
        "problem recorded; "
        "*refused* = a clear `FeedFormatError` (fragments, Microsoft CDF, entity-declaring DTDs, "
        "unparseable XML).",
        "",
        "| corpus | files | parsed cleanly | bozo | refused | crashed | entries out |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for group in groups:
        rows.append(
            f"| {group} | {counts[group, 'files']} | {counts[group, 'clean']} | "
            f"{counts[group, 'bozo']} | {counts[group, 'refused']} | {counts[group, 'crashed']} | "
            f"{counts[group, 'entries']} |"
        )
    files = sum(counts[g, "files"] for g in groups)
    rows += [
        "",
        f"{files} files in {total:.1f} s; slowest file {slowest * 1000:.0f} ms; {crashes} crashes.",
    ]
    return rows


def run(quick: bool) -> str:
    """Measure feed polling, extraction quality and corpus robustness."""
    feeds = 100 if quick else 500
    parts = ["## Feeds", ""]
    parts += [*_poll_figures(feeds), ""]
    parts += [*_extraction_figures(quick), ""]
    parts += _corpus_figures()
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    print(run(quick=True))
