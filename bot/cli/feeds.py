"""Subcommands that manage feeds: add, list, remove, import, export, poll."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsbrief.bot.cli.common import settings_from
from newsbrief.bot.errors import InvalidUrl, NewsbriefError
from newsbrief.bot.store.statuses import FeedOrigin

if TYPE_CHECKING:
    from newsbrief.bot.feeds.poll import PollReport
    from newsbrief.bot.services import Services
    from newsbrief.bot.store.schema import FeedRecord


def register(commands: Any) -> None:
    """Add this module's subcommands."""
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


def poll_now(
    services: Services, *, urls: Sequence[str] | None = None, add: bool = False
) -> PollReport:
    """Run one poll pass now: over `urls` (added first when `add`), else the due feeds.

    With `add`, a URL `checked_url` refuses is reported as a failed feed; the others go on.
    """
    from newsbrief.bot.feeds.fetch import new_client
    from newsbrief.bot.feeds.poll import PollReport, fetch_limits, poll_due_feeds
    from newsbrief.bot.store import feeds as feeds_store
    from newsbrief.bot.urls import checked_url

    now = datetime.now(UTC)
    refused: list[str] = []
    if add and urls:
        good: list[feeds_store.FeedSpec] = []
        for url in urls:
            try:
                good.append(feeds_store.FeedSpec(checked_url(url)))
            except InvalidUrl as error:
                refused.append(str(error))
        with services.database.transaction() as session:
            added = feeds_store.add_feeds(session, good, origin=FeedOrigin.CLI, now=now)
            urls = [record.url for record, _new in added]
        if not urls:
            return PollReport(feeds=len(refused), failed=len(refused), errors=refused)

    async def poll() -> PollReport:
        async with new_client(fetch_limits(services.settings)) as client:
            return await poll_due_feeds(services, client, now, urls=urls)

    import asyncio

    report = asyncio.run(poll())
    report.feeds += len(refused)
    report.failed += len(refused)
    report.errors[:0] = refused
    return report


def print_poll(report: PollReport, label: str) -> None:
    print(f"{label}: {report.summary()}")
    for error in report.errors:
        print(f"  failed: {error}", file=sys.stderr)
    for problem in report.problems:
        print(f"  note: {problem}", file=sys.stderr)
    if report.ingest is not None:
        for error in report.ingest.errors:
            print(f"  skipped: {error}", file=sys.stderr)


def _feeds_add(args: argparse.Namespace) -> int:
    from newsbrief.bot.services import build_services
    from newsbrief.bot.store import feeds as feeds_store
    from newsbrief.bot.urls import checked_url

    url = checked_url(args.url)
    services = build_services(settings_from(args))
    try:
        spec = feeds_store.FeedSpec(url, args.topic, args.full_text)
        if spec.topic is not None:
            spec = replace(spec, topic=services.topics.resolve(spec.topic).command)
        with services.database.transaction() as session:
            record = feeds_store.add_feed(
                session, spec, origin=FeedOrigin.CLI, now=datetime.now(UTC)
            )
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
    from newsbrief.bot.feeds.poll import seed_configured_feeds
    from newsbrief.bot.services import build_services
    from newsbrief.bot.store import feeds as feeds_store

    services = build_services(settings_from(args))
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
                f"{_one_line(row['url'])}  [{row['state']}]"
                + (f"  topic: {row['topic']}" if row["topic"] else "")
            )
            print(
                f"    last success: {row['last_success'] or 'never'};"
                f" next poll: {row['next_poll'] or '-'}"
            )
            if row["consecutive_failures"]:
                print(
                    f"    failures in a row: {row['consecutive_failures']};"
                    f" last error: {_one_line(row['last_error'])} ({row['last_error_at']})"
                )
            if row["disabled_reason"]:
                print(f"    disabled: {_one_line(row['disabled_reason'])}")
        return 0
    finally:
        services.close()


def _one_line(text: str | None) -> str:
    """Show stored text on one line: control characters written as escapes."""
    value = text or ""
    return value if value.isprintable() else value.encode("unicode_escape").decode("ascii")


def _feeds_remove(args: argparse.Namespace) -> int:
    from newsbrief.bot.feeds.poll import configured_feeds
    from newsbrief.bot.services import build_services
    from newsbrief.bot.store import feeds as feeds_store

    services = build_services(settings_from(args))
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
    from newsbrief.bot.feeds.opml import parse_opml
    from newsbrief.bot.services import build_services
    from newsbrief.bot.store import feeds as feeds_store
    from newsbrief.bot.urls import checked_url

    try:
        data = args.file.read_bytes()
    except OSError as error:
        raise NewsbriefError(f"cannot read {args.file}: {error.strerror or error}") from None
    found = parse_opml(data)
    services = build_services(settings_from(args))
    try:
        specs: list[feeds_store.FeedSpec] = []
        skipped = 0
        for feed in found:
            try:
                url = checked_url(feed.url)
            except InvalidUrl as error:
                print(f"  skipped: {error}", file=sys.stderr)
                skipped += 1
                continue
            specs.append(feeds_store.FeedSpec(url, _known_topic(services, feed.topic)))
        with services.database.transaction() as session:
            added = feeds_store.add_feeds(
                session, specs, origin=FeedOrigin.OPML, now=datetime.now(UTC)
            )
        new = sum(1 for _record, is_new in added if is_new)
        print(
            f"{args.file}: {len(found)} feeds, {new} new,"
            f" {len(found) - new - skipped} known, {skipped} skipped"
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
    from newsbrief.bot.feeds.opml import OpmlFeed, to_opml
    from newsbrief.bot.feeds.poll import seed_configured_feeds
    from newsbrief.bot.services import build_services
    from newsbrief.bot.store import feeds as feeds_store

    services = build_services(settings_from(args))
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
    from newsbrief.bot.feeds.poll import seed_configured_feeds
    from newsbrief.bot.services import build_services
    from newsbrief.bot.store import feeds as feeds_store

    services = build_services(settings_from(args))
    try:
        urls = None
        if args.all:
            seed_configured_feeds(services)
            with services.database.transaction() as session:
                urls = [r.url for r in feeds_store.list_feeds(session) if r.disabled_at is None]
        report = poll_now(services, urls=urls)
        print_poll(report, "feeds")
        return 1 if report.failed or report.unfinished else 0
    finally:
        services.close()
