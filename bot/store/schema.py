"""Tables. Briefs, quotes and topic membership are computed at ingest and stored here."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


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
        list[Any]: JSON,
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
    brief: Mapped[list[Any]] = mapped_column(default=list)
    quotes: Mapped[list[Any]] = mapped_column(default=list)
    sources: Mapped[list[Any]] = mapped_column(default=list)
    signature: Mapped[dict[str, Any]] = mapped_column(default=dict)


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
    brief: Mapped[list[Any]] = mapped_column(default=list)
    quotes: Mapped[list[Any]] = mapped_column(default=list)
    signature: Mapped[dict[str, Any]] = mapped_column(default=dict)


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
    brief: Mapped[list[Any]] = mapped_column(default=list)
    quotes: Mapped[list[Any]] = mapped_column(default=list)
