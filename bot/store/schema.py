"""Tables. Briefs, quotes and topic membership are computed at ingest and stored here."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from newsbrief.bot.delivery.rendered import Rendered
from newsbrief.bot.model import Quote, Source, StoryQuote
from newsbrief.bot.store.shapes import JsonListOf, JsonOf, StoredEnum
from newsbrief.bot.store.statuses import DigestStatus, FeedOrigin
from newsbrief.bot.stories.views import StoryReading
from newsbrief.bot.text.selection import ScoredStory


class UtcDateTime(TypeDecorator[datetime]):
    """Store naive UTC everywhere and hand back aware UTC, whatever the engine does with zones."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; give it a time zone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


class SourceFile(Base):
    """A local article file as last seen, so unchanged files are skipped."""

    __tablename__ = "source_files"

    path: Mapped[str] = mapped_column(String(1024), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime]
    articles: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class Story(Base):
    """Articles about one event from several outlets, with the story-wide brief."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    first_published: Mapped[datetime]
    last_published: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]
    brief: Mapped[list[str]] = mapped_column(default=list)
    quotes: Mapped[list[StoryQuote]] = mapped_column(JsonListOf(StoryQuote), default=list)
    sources: Mapped[list[Source]] = mapped_column(JsonListOf(Source), default=list)
    signature: Mapped[dict[str, Any]] = mapped_column(default=dict)  # stories.grouping.StoryCore
    # What a view for any words is chosen from (`stories.views`); None for stories stored
    # before 0009. Deferred: only free-word digests read them.
    reading: Mapped[StoryReading | None] = mapped_column(JsonOf(StoryReading), deferred=True)
    scored: Mapped[ScoredStory | None] = mapped_column(JsonOf(ScoredStory), deferred=True)
    version: Mapped[int] = mapped_column(Integer, default=0)  # raised at each composing


class ArticleRecord(Base):
    """One article, keyed by its canonical URL or its file, with its own brief and quotes."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(2048), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    outlet: Mapped[str | None] = mapped_column(String(256))
    url: Mapped[str | None] = mapped_column(Text)
    path: Mapped[str | None] = mapped_column(Text)
    published: Mapped[datetime]
    ingested_at: Mapped[datetime]
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"), index=True)
    brief: Mapped[list[str]] = mapped_column(default=list)
    quotes: Mapped[list[Quote]] = mapped_column(JsonListOf(Quote), default=list)
    signature: Mapped[dict[str, Any]] = mapped_column(default=dict)  # stories.grouping.Signature
    topics: Mapped[list[str]] = mapped_column(default=list)


class TermDay(Base):
    """How many articles published on a day use a word (term "" counts the articles themselves).

    Story grouping weighs words by how rare they are in recent news from these counts.
    """

    __tablename__ = "term_days"

    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    documents: Mapped[int] = mapped_column(Integer)


class StoryTopic(Base):
    """A story's membership in a topic, with the brief and quotes focused on that topic."""

    __tablename__ = "story_topics"
    __table_args__ = (Index("ix_story_topics_topic_published", "topic", "last_published"),)

    topic: Mapped[str] = mapped_column(String(64), primary_key=True)
    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True
    )
    relevance: Mapped[float]
    last_published: Mapped[datetime]
    title: Mapped[str] = mapped_column(Text, default="")  # the story's title for this topic
    brief: Mapped[list[str]] = mapped_column(default=list)
    quotes: Mapped[list[StoryQuote]] = mapped_column(JsonListOf(StoryQuote), default=list)


class Subscriber(Base):
    """A chat that gets digests: its schedule, and whether Telegram still lets us reach it."""

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    digest_time: Mapped[str] = mapped_column(String(5))
    paused: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    next_due_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Subscription(Base):
    """A subscriber's configured topic."""

    __tablename__ = "subscriptions"

    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(64), primary_key=True)


class FollowedWords(Base):
    """Words a subscriber follows: a keyword topic of their own."""

    __tablename__ = "followed_words"

    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True
    )
    words: Mapped[str] = mapped_column(String(128), primary_key=True)


class DigestDelivery(Base):
    """One daily digest per subscriber and local day, claimed by one instance before sending.

    `messages` counts what Telegram accepted so far (recorded right after each message), and
    `lease_until` is when the claim lapses unless its `holder` renews it; a lapsed claim is taken
    over by another instance, which sends only the messages not yet recorded. A digest cut
    across several messages keeps them in `rendering` from its first accepted message until it
    is finished, so the rest is sent as it was rendered. Finished rows have no lease.
    """

    __tablename__ = "digest_deliveries"
    __table_args__ = (UniqueConstraint("subscriber_id", "local_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), index=True
    )
    local_date: Mapped[date] = mapped_column(Date)
    slot_at: Mapped[datetime]
    status: Mapped[DigestStatus] = mapped_column(StoredEnum(DigestStatus, 16))
    claimed_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    messages: Mapped[int] = mapped_column(Integer, default=0)
    holder: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column(index=True)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    rendering: Mapped[Rendered | None] = mapped_column(JsonOf(Rendered))


class SentStory(Base):
    """A story a subscriber has had in a daily digest, so the next one leaves it out."""

    __tablename__ = "sent_stories"

    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True
    )
    story_id: Mapped[int] = mapped_column(primary_key=True)
    sent_at: Mapped[datetime]


class FeedRecord(Base):
    """A subscribed feed with its HTTP validators, its health and when to poll it next."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    topic: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(String(256))
    full_text: Mapped[bool] = mapped_column(default=True)
    origin: Mapped[FeedOrigin] = mapped_column(StoredEnum(FeedOrigin, 16), default=FeedOrigin.CLI)
    added_at: Mapped[datetime]
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    last_polled_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    next_poll_at: Mapped[datetime] = mapped_column(index=True)
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    alert_pending: Mapped[bool] = mapped_column(default=False)


class FeedItem(Base):
    """An item a feed has shown, so an unchanged item is not briefed again on the next poll."""

    __tablename__ = "feed_items"

    feed_id: Mapped[int] = mapped_column(
        ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True
    )
    item_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(index=True)


class Lease(Base):
    """A named piece of work one process holds until a time; others may take it after that."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime]
