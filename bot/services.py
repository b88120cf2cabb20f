"""Build the core's services once from settings; the CLI and the bot share this composition."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from importlib.resources import as_file, files
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from newsbrief.bot.delivery.digest import DigestOptions
from newsbrief.bot.errors import SettingsError
from newsbrief.bot.store.database import Database
from newsbrief.bot.store.retention import Retention
from newsbrief.bot.stories.topics import TopicCatalog, load_topics
from newsbrief.config.settings import Settings

if TYPE_CHECKING:
    from newsbrief.bot.ingest.pipeline import Ingestor


def bundled_samples() -> Path:
    """Find the sample articles that ship inside the package."""
    with as_file(files("newsbrief.bot") / "sample_data") as folder:
        return Path(folder)


@dataclass
class Services:
    """The store, the topics and the ingest pipeline, built once."""

    settings: Settings
    database: Database
    topics: TopicCatalog

    @cached_property
    def ingestor(self) -> Ingestor:
        """Set up ingest on first use: commands that only read never load the summarizer."""
        from newsbrief.bot.ingest.analysis import BriefingOptions
        from newsbrief.bot.ingest.pipeline import Ingestor

        s = self.settings
        return Ingestor(
            self.database,
            self.topics,
            BriefingOptions(
                sentences=s.brief_sentences,
                algorithm=s.algorithm,
                max_file_bytes=s.max_file_bytes,
            ),
            window=timedelta(hours=s.story_window_hours),
            workers=s.ingest_workers,
        )

    @property
    def articles_dir(self) -> Path:
        """Use the configured article folder, or the bundled samples when none is set."""
        return self.settings.articles_dir or bundled_samples()

    @property
    def digest_options(self) -> DigestOptions:
        """Say how much a digest shows, from the settings."""
        s = self.settings
        return DigestOptions(
            stories=s.digest_stories,
            sentences=s.brief_sentences,
            quotes=s.digest_quotes,
            algorithm=s.algorithm,
        )

    @property
    def retention(self) -> Retention:
        """Say how long the store keeps what, from the settings."""
        s = self.settings
        return Retention(
            article_days=s.article_retention_days,
            daily_digest_days=s.telegram.daily_digest_days,
            digest_history_days=s.telegram.digest_history_days,
        )

    def close(self) -> None:
        """Release the store's connections."""
        self.database.close()


def open_store(settings: Settings) -> Database:
    """Open and migrate the store; a store that cannot be opened is a bad setting, named."""
    try:
        database = Database(settings.store_url)
        database.migrate()
    except (SQLAlchemyError, OSError) as error:
        name = "database_url" if settings.database_url else "data_dir"
        lines = str(getattr(error, "orig", None) or error).strip().splitlines()
        reason = lines[0] if lines else repr(error)
        where = make_url(settings.store_url).render_as_string(hide_password=True)
        raise SettingsError(f"{name}: cannot open the store at {where}: {reason}") from None
    return database


def build_services(settings: Settings) -> Services:
    """Open and migrate the store and load the topics; ingest is set up when first used."""
    topics = load_topics(settings.topics_file)
    return Services(settings, open_store(settings), topics)
