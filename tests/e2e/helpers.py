"""Helpers for end-to-end tests: a fake clock, the app built and run as in production, a chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from botapi import BotApiStandIn, SentMessage
from factories import SAMPLES_AGE_DAYS, make_services, sample_folder
from harness import running as running  # the e2e tests' way to run the app

from newsbrief.bot.delivery.daily import DailyDigests, DailyReport
from newsbrief.bot.delivery.pacing import DeliverySettings
from newsbrief.bot.model import Source, StoryQuote
from newsbrief.bot.services import Services
from newsbrief.bot.store.schema import Story, StoryTopic
from newsbrief.handlers.abuse import CommandLimiter
from newsbrief.handlers.app import build_application
from newsbrief.handlers.runtime import BotApp, Runtime

USER = 4242
ADMIN = 900
START = datetime(2025, 3, 29, 12, tzinfo=UTC)
FAST = DeliverySettings(messages_per_second=1000, chat_messages_per_second=1000, max_attempts=3)


@dataclass
class FakeClock:
    """The bot's wall clock, moved by the test."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now


def settings_for(botapi: BotApiStandIn, tmp_path: Path, **telegram: Any) -> dict[str, Any]:
    """Settings overrides that point the bot at the stand-in and a store in `tmp_path`."""
    return {
        "articles_dir": sample_folder(tmp_path),
        "bot_ingests": False,  # tests run ingest on purpose, not on the JobQueue's clock
        "allow_private_addresses": True,
        "telegram": {
            "token": botapi.token,
            "api_base_url": f"http://127.0.0.1:{botapi.port}",
            "admin_ids": [ADMIN],
            "daily_digest_days": SAMPLES_AGE_DAYS,
            **telegram,
        },
    }


def open_services(botapi: BotApiStandIn, tmp_path: Path, **telegram: Any) -> Services:
    """Build services on the test's store with the sample articles ingested."""
    services = make_services(tmp_path, **settings_for(botapi, tmp_path, **telegram))
    services.ingestor.ingest_folder(services.articles_dir)
    return services


def make_app(
    botapi: BotApiStandIn,
    tmp_path: Path,
    clock: FakeClock,
    *,
    delivery: DeliverySettings = FAST,
    limiter: CommandLimiter | None = None,
    daily: bool = False,
    **telegram: Any,
) -> BotApp:
    """Build the real application on fresh services (they close when the app shuts down)."""
    services = open_services(botapi, tmp_path, **telegram)
    return build_application(
        services.settings,
        services,
        clock=clock,
        delivery=delivery,
        limiter=limiter or CommandLimiter(rate=100, burst=100),
        daily=daily,
    )


class Chat:
    """A user talking to the bot through the stand-in."""

    def __init__(self, botapi: BotApiStandIn, user: int = USER, chat_id: int | None = None):
        self.botapi = botapi
        self.user = user
        self.chat_id = user if chat_id is None else chat_id

    async def say(self, text: str, replies: int = 1, timeout: float = 30.0) -> list[SentMessage]:
        """Send `text` and wait for exactly this many new messages in the chat."""
        before = len(self.botapi.messages_for(self.chat_id))
        self.botapi.send_user_message(
            self.user, text, chat_id=None if self.chat_id == self.user else self.chat_id
        )
        found = await self.botapi.wait_for_messages(self.chat_id, before + replies, timeout)
        return found[before:]

    async def ask(self, text: str) -> str:
        """Send `text` and return the visible text of the one reply."""
        [answer] = await self.say(text)
        return answer.visible_text


def daily_of(runtime: Runtime) -> DailyDigests:
    """The app's daily briefs, which the composition root always makes."""
    assert runtime.daily is not None
    return runtime.daily


async def run_daily(runtime: Runtime) -> DailyReport:
    """Run the daily briefs once, as the JobQueue's job would, and say what the run did."""
    report = await daily_of(runtime).run()
    assert report is not None
    return report


def seed_stories(
    services: Services,
    topic: str,
    count: int,
    *,
    newest: datetime,
    sentence: str = "Officials said talks would resume next week after a pause of several days.",
    sentences: int = 3,
    speaker: str = "Jane Roe",
) -> list[int]:
    """Store `count` two-source stories in a configured topic, an hour apart from `newest`."""
    ids = []
    with services.database.transaction() as session:
        for n in range(count):
            published = newest - timedelta(hours=n)
            brief = [f"{sentence} ({n}.{k})" for k in range(sentences)]
            said = f"We will keep talking, round {n}"
            quotes = [StoryQuote(said, speaker, ("Outlet A",), 1.0, f"{topic} talks")]
            story = Story(
                title=f"Talks on {topic}, round {n}",
                first_published=published,
                last_published=published,
                updated_at=published,
                brief=brief,
                quotes=quotes,
                sources=[
                    Source("Outlet A", f"https://a.example/{topic}/{n}"),
                    Source("Outlet B", f"https://b.example/{topic}/{n}"),
                ],
                signature={},
            )
            session.add(story)
            session.flush()
            session.add(
                StoryTopic(
                    topic=topic,
                    story_id=story.id,
                    relevance=3.0,
                    last_published=published,
                    brief=brief,
                    quotes=quotes,
                )
            )
            ids.append(story.id)
    return ids
