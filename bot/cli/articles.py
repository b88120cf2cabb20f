"""Subcommands over articles and briefs: ingest, brief, topics, summarize, demo."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from newsbrief.bot.cli.common import (
    positive,
    print_report,
    progress_bar,
    quote_count,
    settings_from,
)
from newsbrief.bot.errors import NewsbriefError
from newsbrief.bot.text.algorithms import ALGORITHMS, DEFAULT_ALGORITHM

# Each command imports what it uses when it runs, so `--help` and light commands start fast.
if TYPE_CHECKING:
    from newsbrief.bot.services import Services

DEMO_TOPICS = ("syria", "kursk")


def register(commands: Any) -> None:
    """Add this module's subcommands."""
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
    summarize_cmd.add_argument("--sentences", type=positive, default=3)
    summarize_cmd.add_argument("--algorithm", choices=ALGORITHMS, default=DEFAULT_ALGORITHM)
    summarize_cmd.add_argument("--quotes", type=quote_count, default=2, metavar="N|all")
    summarize_cmd.set_defaults(handler=_summarize)

    demo = commands.add_parser("demo", help="brief the bundled sample articles, no set-up")
    demo.set_defaults(handler=run_demo)


def _ingest(args: argparse.Namespace) -> int:
    from newsbrief.bot.cli.feeds import poll_now, print_poll
    from newsbrief.bot.feeds.poll import configured_feeds
    from newsbrief.bot.services import build_services

    overrides = {"articles_dir": args.articles} if args.articles else {}
    services = build_services(settings_from(args, **overrides))
    try:
        folder = services.articles_dir
        if folder.exists() and not folder.is_dir():
            raise NewsbriefError(f"article folder {folder} is a file, not a folder")
        if not folder.is_dir():
            raise NewsbriefError(f"article folder {folder} does not exist")
        report = services.ingestor.ingest_folder(folder, progress=progress_bar(sys.stderr))
        print_report(report, str(folder))
        failed = bool(report.errors)
        if args.feed:
            configured = [spec.url for spec in configured_feeds(services.settings)]
            polled = poll_now(services, urls=[*args.feed, *configured], add=True)
            print_poll(polled, "feeds")
            failed = failed or bool(polled.failed or polled.unfinished)
        return 1 if failed else 0
    finally:
        services.close()


def _ensure_articles(services: Services) -> None:
    from newsbrief.bot.store import repository

    with services.database.transaction(readonly=True) as session:
        empty = repository.count_articles(session) == 0
    if empty:
        folder = services.articles_dir
        print(f"The store is empty: reading {folder} first.", file=sys.stderr)
        report = services.ingestor.ingest_folder(folder, progress=progress_bar(sys.stderr))
        print(report.summary(), file=sys.stderr)


def _brief(args: argparse.Namespace) -> int:
    from newsbrief.bot.delivery.digest import build_digest
    from newsbrief.bot.delivery.plain_text import digest_as_json, digest_as_text
    from newsbrief.bot.services import build_services

    services = build_services(settings_from(args))
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
    from newsbrief.bot.services import build_services

    services = build_services(settings_from(args))
    try:
        for topic in services.topics:
            print(f"/{topic.command:<14} {topic.title}")
        return 0
    finally:
        services.close()


def _summarize(args: argparse.Namespace) -> int:
    failed = False
    for number, raw in enumerate(_byte_lines(sys.stdin), 1):
        if not raw.strip():
            continue
        out, ok = _summarize_line(raw, number, args)
        failed = failed or not ok
        _write_json_line(out)
    return 1 if failed else 0


def _byte_lines(stream: IO[str]) -> Iterator[bytes]:
    """Read lines as bytes, so a line that is not UTF-8 is one bad line, not a crash."""
    binary = getattr(stream, "buffer", None)
    if binary is not None:
        yield from binary
    else:
        for line in stream:
            yield line.encode("utf-8", "surrogateescape")


def _summarize_line(
    raw: bytes, number: int, args: argparse.Namespace
) -> tuple[dict[str, Any], bool]:
    """Brief one input line; any problem with it becomes its error line, never a crash."""
    from newsbrief.bot.store.storable import storable
    from newsbrief.bot.text.briefs import summarize
    from newsbrief.bot.text.quotes import find_quotes

    item_id: Any = None
    try:
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValueError(f"not valid UTF-8 (byte {error.start + 1})") from None
        item = json.loads(line)
        if not isinstance(item, dict):
            raise ValueError("each line must be a JSON object")
        if "id" not in item:
            raise ValueError("missing 'id'")
        item_id = item["id"]
        text, title = item.get("text"), item.get("title")
        if not isinstance(text, str):
            raise ValueError("'text' must be a string")
        if title is not None and not isinstance(title, str):
            raise ValueError("'title' must be a string")
        text, title = storable(text), storable(title) if title else title
        summary = summarize(text, sentences=args.sentences, algorithm=args.algorithm, title=title)
        if not summary and text.strip():
            raise ValueError("no sentence fit to brief in 'text' (the engine reads English prose)")
        quotes = find_quotes(text, title=title)
        shown = quotes if args.quotes is None else quotes[: args.quotes]
        return {
            "id": item_id,
            "summary": summary,
            "quotes": [{"text": q.text, "speaker": q.speaker} for q in shown],
        }, True
    except (ValueError, RecursionError) as error:
        return {"id": item_id, "error": f"line {number}: {error}"}, False
    except Exception as error:  # a bug on one line must not cost the lines after it
        return {"id": item_id, "error": f"line {number}: failed: {error!r}"}, False


def _write_json_line(value: dict[str, Any]) -> None:
    """Print one JSON line that is valid UTF-8 whatever strings it carries."""
    text = json.dumps(value, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate in an echoed id: escape it
        text = json.dumps(value)
    print(text, flush=True)


def run_demo(args: argparse.Namespace) -> int:
    from newsbrief.bot.delivery.digest import build_digest
    from newsbrief.bot.delivery.plain_text import digest_as_text
    from newsbrief.bot.services import build_services

    services = build_services(settings_from(args))
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
