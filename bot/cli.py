"""The `newsbrief` command: a stable scripting contract over the core (see README, "CLI")."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import httpx

from bot.briefs import ALGORITHMS, DEFAULT_ALGORITHM, summarize
from bot.digest import build_digest
from bot.digest_text import digest_as_json, digest_as_text
from bot.errors import NewsbriefError
from bot.feeds import fetch_feed
from bot.ingest import IngestReport
from bot.quotes import find_quotes
from bot.services import Services, build_services
from bot.store import repository
from config.settings import Settings, load_settings

log = logging.getLogger("newsbrief")
DEMO_TOPICS = ("syria", "kursk")
FEED_TIMEOUT = httpx.Timeout(20.0, connect=10.0)


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

    run = commands.add_parser("run", help="run the Telegram bot (a demo without a token)")
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
        feeds = [*args.feed, *services.settings.feeds] if args.feed else []
        if feeds:
            with httpx.Client(timeout=FEED_TIMEOUT, follow_redirects=True) as client:
                for url in feeds:
                    result = fetch_feed(url, client)
                    feed_report = services.ingestor.ingest_articles(result.articles)
                    feed_report.errors[:0] = result.problems
                    _print_report(feed_report, url)
                    failed = failed or not result.articles
        return 1 if failed else 0
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
        with services.database.transaction() as session:
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


def _run(args: argparse.Namespace) -> int:
    settings = _settings(args)
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
