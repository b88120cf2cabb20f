"""The `stories` subcommand: the stored stories, newest first, for people and scripts."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any

from newsbrief.bot.cli.common import settings_from
from newsbrief.bot.errors import NewsbriefError


def register(commands: Any) -> None:
    """Add this module's subcommands."""
    stories = commands.add_parser("stories", help="the stored stories, newest first")
    stories.add_argument("--topic", metavar="T", help="only the stories of a configured topic")
    stories.add_argument(
        "--since", type=since_time, metavar="DATE", help="only stories reported since (ISO date)"
    )
    stories.add_argument("--json", action="store_true", help="machine-readable output")
    stories.set_defaults(handler=_stories)


def since_time(value: str) -> datetime:
    """Read an ISO date or date-time; UTC when it names no zone."""
    try:
        found = datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an ISO date (2024-12-19 or 2024-12-19T08:00+01:00)"
        ) from error
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def _stories(args: argparse.Namespace) -> int:
    from newsbrief.bot.delivery.plain_text import story_as_text
    from newsbrief.bot.services import build_services
    from newsbrief.bot.stories.listing import stored_stories

    services = build_services(settings_from(args))
    try:
        topic = None
        if args.topic is not None:
            found = services.topics.get(args.topic)
            if found is None:
                known = ", ".join(t.command for t in services.topics)
                raise NewsbriefError(f"unknown topic {args.topic!r}; configured: {known}")
            topic = found.command
        with services.database.transaction(readonly=True) as session:
            stories = stored_stories(session, topic=topic, since=args.since)
        if args.json:
            listing = {"stories": [s.to_json() for s in stories]}
            print(json.dumps(listing, ensure_ascii=False, indent=2))
            return 0
        if not stories and (topic or args.since):
            print("No stored story matches.")
        elif not stories:
            print("No stories stored yet: `newsbrief ingest` reads the article folder.")
        quotes = services.settings.digest_quotes
        for number, story in enumerate(stories, 1):
            print("\n".join(story_as_text(story.as_digest_story(quotes), number)), end="\n\n")
        return 0
    finally:
        services.close()
