"""The `newsbrief` command: a stable scripting contract over the core (see README, "CLI")."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.briefs import ALGORITHMS, DEFAULT_ALGORITHM, summarize
from bot.digest import build_digest
from bot.digest_text import digest_as_json, digest_as_text
from bot.errors import NewsbriefError
from bot.feed_poller import (
    PollReport,
    configured_feeds,
    fetch_limits,
    poll_due_feeds,
    seed_configured_feeds,
)
from bot.fetch import new_client
from bot.ingest import IngestReport
from bot.opml import OpmlFeed, parse_opml, to_opml
from bot.quotes import find_quotes
from bot.services import Services, build_services
from bot.store import feeds as feeds_store
from bot.store import repository
from bot.store.schema import FeedRecord
from bot.worker import Worker
from config.settings import Settings, load_settings

log = logging.getLogger("newsbrief")
DEMO_TOPICS = ("syria", "kursk")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit status."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.handler(args))
    except NewsbriefError as error:
        print(f"newsbrief: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsbrief", description="Short, trustworthy news briefs with key quotes."
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=os.environ.get("NEWSBRIEF_CONFIG") or None,
        help="TOML settings file (default: $NEWSBRIEF_CONFIG)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    ingest = commands.add_parser("ingest", help="read article files and feeds once")
    ingest.add_argument("--articles", type=Path, metavar="DIR", help="article folder")
    ingest.add_argument("--feed", action="append", default=[], metavar="URL", help="a feed URL")
    ingest.set_defaults(handler=_ingest)

    brief = commands.add_parser("brief", help="the latest digest for a topic or free words")
    brief.add_argument("topic", nargs="+", help="a topic command (syria) or keywords")
    brief.add_argument("--json", action="store_true", help="machine-readable output")
    brief.set_defaults(handler=_brief)

    topics = commands.add_parser("topics", help="list the configured topics")
    topics.set_defaults(handler=_topics)

    summarize_cmd = commands.add_parser(
        "summarize", help="brief JSON lines {id, title?, text} from stdin"
    )
    summarize_cmd.add_argument("--sentences", type=_positive, default=3)
    summarize_cmd.add_argument("--algorithm", choices=ALGORITHMS, default=DEFAULT_ALGORITHM)
    summarize_cmd.add_argument("--quotes", type=_quote_count, default=2, metavar="N|all")
    summarize_cmd.set_defaults(handler=_summarize)

    demo = commands.add_parser("demo", help="brief the bundled sample articles, no set-up")
    demo.set_defaults(handler=_demo)

    feeds = commands.add_parser("feeds", help="manage the feeds: add, list, remove, import, export")
    feed_commands = feeds.add_subparsers(required=True, metavar="ACTION")
    feeds_add = feed_commands.add_parser("add", help="subscribe to a feed")
    feeds_add.add_argument("url")
    feeds_add.add_argument("--topic", help="the topic its stories belong to")
    feeds_add.add_argument(
        "--no-full-text",
        dest="full_text",
        action="store_false",
        help="never fetch the linked page for teaser entries",
    )
    feeds_add.set_defaults(handler=_feeds_add)
    feeds_list = feed_commands.add_parser("list", help="each feed's state")
    feeds_list.add_argument("--json", action="store_true", help="machine-readable output")
    feeds_list.set_defaults(handler=_feeds_list)
    feeds_remove = feed_commands.add_parser("remove", help="unsubscribe from a feed")
    feeds_remove.add_argument("url")
    feeds_remove.set_defaults(handler=_feeds_remove)
    feeds_import = feed_commands.add_parser("import", help="subscribe to the feeds of an OPML file")
    feeds_import.add_argument("file", type=Path)
    feeds_import.set_defaults(handler=_feeds_import)
    feeds_export = feed_commands.add_parser("export", help="write the feeds as OPML 2.0")
    feeds_export.add_argument("--output", "-o", type=Path, help="file (default: standard output)")
    feeds_export.set_defaults(handler=_feeds_export)
    feeds_poll = feed_commands.add_parser("poll", help="poll the due feeds once, now")
    feeds_poll.add_argument("--all", action="store_true", help="every enabled feed, due or not")
    feeds_poll.set_defaults(handler=_feeds_poll)

    worker = commands.add_parser("worker", help="poll feeds and scan articles until stopped")
    worker.add_argument("--once", action="store_true", help="one feed poll and one scan, then exit")
    worker.set_defaults(handler=_worker)

    run = commands.add_parser("run", help="run the Telegram bot (a demo without a token)")
    run.add_argument("--webhook-url", metavar="URL", help="take updates by webhook at this URL")
    run.add_argument("--listen", metavar="HOST", help="address the webhook server listens on")
    run.add_argument("--port", type=int, metavar="N", help="port the webhook server listens on")
    run.set_defaults(handler=_run)

    chat = commands.add_parser("chat", help="talk to the bot offline in this terminal")
    chat.set_defaults(handler=_chat)
    return parser


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _quote_count(value: str) -> int | None:
    if value == "all":
        return None
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError("must be a number >= 0 or 'all'")
    return number


def _settings(args: argparse.Namespace, **overrides: Any) -> Settings:
    return load_settings(args.config, **overrides)


def _progress(stream: TextIO) -> Any:
    if not stream.isatty():
        return None

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} files")
        if done == total:
            stream.write("\n")
        stream.flush()

    return show


def _print_report(report: IngestReport, label: str) -> None:
    print(f"{label}: {report.summary()}")
    for error in report.errors:
        print(f"  skipped: {error}", file=sys.stderr)


def _ingest(args: argparse.Namespace) -> int:
    overrides = {"articles_dir": args.articles} if args.articles else {}
    services = build_services(_settings(args, **overrides))
    try:
        folder = services.articles_dir
        if not folder.is_dir():
            raise NewsbriefError(f"article folder {folder} does not exist")
        report = services.ingestor.ingest_folder(folder, progress=_progress(sys.stderr))
        _print_report(report, str(folder))
        failed = bool(report.errors)
        if args.feed:
            configured = [spec.url for spec in configured_feeds(services.settings)]
            polled = _poll_now(services, urls=[*args.feed, *configured], add=True)
            _print_poll(polled, "feeds")
            failed = failed or bool(polled.failed or polled.unfinished)
        return 1 if failed else 0
    finally:
        services.close()


def _poll_now(
    services: Services, *, urls: Sequence[str] | None = None, add: bool = False
) -> PollReport:
    """Run one poll pass now: over `urls` (added first when `add`), else the due feeds."""
    now = datetime.now(UTC)
    if add and urls:
        with services.database.transaction() as session:
            urls = [
                feeds_store.add_feed(session, feeds_store.FeedSpec(url), origin="cli", now=now).url
                for url in urls
            ]

    async def poll() -> PollReport:
        async with new_client(fetch_limits(services.settings)) as client:
            return await poll_due_feeds(services, client, now, urls=urls)

    return asyncio.run(poll())


def _print_poll(report: PollReport, label: str) -> None:
    print(f"{label}: {report.summary()}")
    for error in report.errors:
        print(f"  failed: {error}", file=sys.stderr)
    for problem in report.problems:
        print(f"  note: {problem}", file=sys.stderr)
    if report.ingest is not None:
        for error in report.ingest.errors:
            print(f"  skipped: {error}", file=sys.stderr)


def _feed_spec_url(url: str) -> str:
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        raise NewsbriefError(f"{url!r} is not an http:// or https:// URL")
    return url


def _feeds_add(args: argparse.Namespace) -> int:
    services = build_services(_settings(args))
    try:
        spec = feeds_store.FeedSpec(_feed_spec_url(args.url), args.topic, args.full_text)
        if spec.topic is not None:
            spec = replace(spec, topic=services.topics.resolve(spec.topic).command)
        with services.database.transaction() as session:
            record = feeds_store.add_feed(session, spec, origin="cli", now=datetime.now(UTC))
            print(
                f"subscribed: {record.url}" + (f" (topic {record.topic})" if record.topic else "")
            )
        return 0
    finally:
        services.close()


def _feed_row(record: FeedRecord) -> dict[str, Any]:
    def when(value: datetime | None) -> str | None:
        return value.isoformat(timespec="seconds") if value else None

    return {
        "url": record.url,
        "topic": record.topic,
        "title": record.title,
        "full_text": record.full_text,
        "state": "disabled"
        if record.disabled_at
        else "failing"
        if record.last_error and record.consecutive_failures
        else "ok",
        "last_success": when(record.last_success_at),
        "last_error": record.last_error if record.consecutive_failures else None,
        "last_error_at": when(record.last_error_at),
        "consecutive_failures": record.consecutive_failures,
        "next_poll": None if record.disabled_at else when(record.next_poll_at),
        "disabled_reason": record.disabled_reason,
    }


def _feeds_list(args: argparse.Namespace) -> int:
    services = build_services(_settings(args))
    try:
        seed_configured_feeds(services)
        with services.database.transaction() as session:
            rows = [_feed_row(r) for r in feeds_store.list_feeds(session)]
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=2))
            return 0
        if not rows:
            print("no feeds; add one with: newsbrief feeds add URL")
        for row in rows:
            print(
                f"{row['url']}  [{row['state']}]"
                + (f"  topic: {row['topic']}" if row["topic"] else "")
            )
            print(
                f"    last success: {row['last_success'] or 'never'};"
                f" next poll: {row['next_poll'] or '-'}"
            )
            if row["consecutive_failures"]:
                print(
                    f"    failures in a row: {row['consecutive_failures']};"
                    f" last error: {row['last_error']} ({row['last_error_at']})"
                )
            if row["disabled_reason"]:
                print(f"    disabled: {row['disabled_reason']}")
        return 0
    finally:
        services.close()


def _feeds_remove(args: argparse.Namespace) -> int:
    services = build_services(_settings(args))
    try:
        with services.database.transaction() as session:
            removed = feeds_store.remove_feed(session, args.url)
        if not removed:
            print(f"newsbrief: no such feed: {args.url}", file=sys.stderr)
            return 1
        print(f"removed: {args.url}")
        configured = {s.url for s in configured_feeds(services.settings)}
        if args.url.strip() in configured:
            print(
                "  note: it is in the settings and comes back on the next poll;"
                " remove it there too",
                file=sys.stderr,
            )
        return 0
    finally:
        services.close()


def _feeds_import(args: argparse.Namespace) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as error:
        raise NewsbriefError(f"cannot read {args.file}: {error.strerror or error}") from None
    found = parse_opml(data)
    services = build_services(_settings(args))
    try:
        added = skipped = 0
        now = datetime.now(UTC)
        with services.database.transaction() as session:
            for feed in found:
                if not feed.url.lower().startswith(("http://", "https://")):
                    print(f"  skipped: {feed.url}: not an http(s) URL", file=sys.stderr)
                    skipped += 1
                    continue
                topic = _known_topic(services, feed.topic)
                known = feeds_store.find_feed(session, feed.url) is not None
                feeds_store.add_feed(
                    session, feeds_store.FeedSpec(feed.url, topic), origin="opml", now=now
                )
                added += not known
        print(
            f"{args.file}: {len(found)} feeds, {added} new,"
            f" {len(found) - added - skipped} known, {skipped} skipped"
        )
        return 1 if skipped else 0
    finally:
        services.close()


def _known_topic(services: Services, name: str | None) -> str | None:
    if not name:
        return None
    try:
        return services.topics.resolve(name).command
    except NewsbriefError:
        return None


def _feeds_export(args: argparse.Namespace) -> int:
    services = build_services(_settings(args))
    try:
        seed_configured_feeds(services)
        with services.database.transaction() as session:
            feeds = [OpmlFeed(r.url, r.title, r.topic) for r in feeds_store.list_feeds(session)]
        data = to_opml(feeds)
        if args.output:
            args.output.write_bytes(data)
            print(f"wrote {len(feeds)} feeds to {args.output}", file=sys.stderr)
        else:
            sys.stdout.write(data.decode("utf-8"))
        return 0
    finally:
        services.close()


def _feeds_poll(args: argparse.Namespace) -> int:
    services = build_services(_settings(args))
    try:
        urls = None
        if args.all:
            seed_configured_feeds(services)
            with services.database.transaction() as session:
                urls = [r.url for r in feeds_store.list_feeds(session) if r.disabled_at is None]
        report = _poll_now(services, urls=urls)
        _print_poll(report, "feeds")
        return 1 if report.failed or report.unfinished else 0
    finally:
        services.close()


def _ensure_articles(services: Services) -> None:
    with services.database.transaction() as session:
        empty = repository.count_articles(session) == 0
    if empty:
        folder = services.articles_dir
        print(f"The store is empty: reading {folder} first.", file=sys.stderr)
        report = services.ingestor.ingest_folder(folder, progress=_progress(sys.stderr))
        print(report.summary(), file=sys.stderr)


def _brief(args: argparse.Namespace) -> int:
    services = build_services(_settings(args))
    try:
        _ensure_articles(services)
        topic = services.topics.resolve(" ".join(args.topic))
        with services.database.transaction(readonly=True) as session:
            digest = build_digest(
                session, topic, now=datetime.now(UTC), options=services.digest_options
            )
        if args.json:
            print(json.dumps(digest_as_json(digest), ensure_ascii=False, indent=2))
        else:
            print(digest_as_text(digest))
        return 0
    finally:
        services.close()


def _topics(args: argparse.Namespace) -> int:
    services = build_services(_settings(args))
    try:
        for topic in services.topics:
            print(f"/{topic.command:<14} {topic.title}")
        return 0
    finally:
        services.close()


def _summarize(args: argparse.Namespace) -> int:
    failed = False
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        item_id: Any = None
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError("each line must be a JSON object")
            item_id = item.get("id")
            text, title = item.get("text"), item.get("title")
            if not isinstance(text, str):
                raise ValueError("'text' must be a string")
            if title is not None and not isinstance(title, str):
                raise ValueError("'title' must be a string")
            summary = summarize(
                text, sentences=args.sentences, algorithm=args.algorithm, title=title
            )
            quotes = find_quotes(text, title=title)
            shown = quotes if args.quotes is None else quotes[: args.quotes]
            out: dict[str, Any] = {
                "id": item_id,
                "summary": summary,
                "quotes": [{"text": q.text, "speaker": q.speaker} for q in shown],
            }
        except (ValueError, RecursionError) as error:
            failed = True
            out = {"id": item_id, "error": f"line {number}: {error}"}
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return 1 if failed else 0


def _demo(args: argparse.Namespace) -> int:
    services = build_services(_settings(args))
    try:
        report = services.ingestor.ingest_folder(services.articles_dir)
        print(f"Read {services.articles_dir}: {report.summary()}\n")
        with services.database.transaction() as session:
            for name in DEMO_TOPICS:
                topic = services.topics.resolve(name)
                digest = build_digest(
                    session, topic, now=datetime.now(UTC), options=services.digest_options
                )
                print(f"$ newsbrief brief {name}")
                print(digest_as_text(digest))
        print(f"Store: {services.settings.store_url}")
        return 0
    finally:
        services.close()


def _worker(args: argparse.Namespace) -> int:
    services = build_services(_settings(args))
    worker = Worker(services)
    try:
        if args.once:
            poll, scan = asyncio.run(worker.once())
            _print_poll(poll, "feeds")
            if scan is None:
                print("articles: another worker is scanning the folder")
            else:
                _print_report(scan, str(services.articles_dir))
            return 0
        print(f"newsbrief worker {worker.holder}: polling feeds and {services.articles_dir}")
        asyncio.run(_work_until_signalled(worker))
        return 0
    finally:
        services.close()


async def _work_until_signalled(worker: Worker) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await worker.run(stop)


def _run(args: argparse.Namespace) -> int:
    flags = {
        "webhook_url": args.webhook_url,
        "webhook_listen": args.listen,
        "webhook_port": args.port,
    }
    telegram = {key: value for key, value in flags.items() if value is not None}
    settings = _settings(args, **({"telegram": telegram} if telegram else {}))
    if settings.telegram.token is None:
        if sys.stdin.isatty():
            print("No TELEGRAM_BOT_TOKEN set: chatting with the bot offline instead.\n")
            return _chat(args)
        print("No TELEGRAM_BOT_TOKEN set: showing the briefing engine on the sample articles.\n")
        return _demo(args)
    from handlers.app import run_bot  # the core never imports Telegram; only this command does

    run_bot(settings, build_services(settings))
    return 0


def _chat(args: argparse.Namespace) -> int:
    from handlers.chat import run_chat

    return run_chat(_settings(args))
