"""Typed settings: bundled defaults, a TOML file, then the environment; validated once."""

from __future__ import annotations

import os
import tomllib
from datetime import time
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from pydantic_settings import SettingsError as SourceError

from newsbrief.bot.errors import InvalidUrl, SettingsError
from newsbrief.bot.urls import checked_url

CONFIG_DIR = Path(__file__).resolve().parent
DEFAULTS_FILE = CONFIG_DIR / "defaults.toml"
BUNDLED_TOPICS_FILE = CONFIG_DIR / "topics.toml"
SUPPORTED_DATABASES = ("sqlite", "postgresql", "postgres")


def default_data_dir() -> Path:
    """Keep the embedded store where the platform keeps user data."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "newsbrief"


class TelegramSettings(BaseModel):
    """How to reach Telegram and how fast to talk to it."""

    model_config = ConfigDict(extra="forbid")

    token: SecretStr | None = None
    api_base_url: str
    admin_ids: frozenset[int]
    default_timezone: str
    default_digest_time: time
    missed_digest_grace_hours: float = Field(ge=0)
    delivery_lease_seconds: float = Field(ge=10)
    daily_digest_days: float = Field(gt=0)
    digest_history_days: float = Field(gt=0)
    messages_per_second: float = Field(gt=0, le=1000)
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=0, lt=65536)  # 0: any free port
    webhook_secret: SecretStr | None = None

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value


class FeedConfig(BaseModel):
    """A feed configured in a `[[feed]]` table: its URL, an optional topic, full-text switch."""

    model_config = ConfigDict(extra="forbid")

    url: str
    topic: str | None = None
    full_text: bool = True

    @field_validator("url")
    @classmethod
    def _web_url(cls, value: str) -> str:
        return _feed_url(value)


def _feed_url(value: str) -> str:
    try:
        return checked_url(value)
    except InvalidUrl as error:
        raise ValueError(f"not a feed URL: {error}") from None


class Settings(BaseSettings):
    """Every knob newsbrief has; its defaults are written once, in config/defaults.toml."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSBRIEF_",
        env_nested_delimiter="__",
        extra="forbid",
    )

    database_url: str | None = None
    data_dir: Path = Field(default_factory=default_data_dir)
    articles_dir: Path | None = None
    topics_file: Path = BUNDLED_TOPICS_FILE
    feeds: list[str]
    max_file_bytes: int = Field(gt=0)
    brief_sentences: int = Field(ge=1, le=10)
    digest_quotes: int = Field(ge=0, le=10)
    digest_stories: int = Field(ge=1, le=50)
    algorithm: str
    story_window_hours: float = Field(gt=0)
    article_retention_days: float = Field(ge=0)
    ingest_workers: int = Field(ge=1, le=64)
    poll_minutes: float = Field(gt=0)
    bot_ingests: bool
    telegram: TelegramSettings
    feed: list[FeedConfig] = Field(default_factory=list)
    feed_max_bytes: int = Field(gt=0)
    feed_timeout_seconds: float = Field(gt=0)
    feed_connect_timeout_seconds: float = Field(gt=0)
    feed_max_redirects: int = Field(ge=0, le=20)
    feed_min_interval_minutes: float = Field(gt=0)
    feed_max_interval_minutes: float = Field(gt=0)
    feed_max_failures: int = Field(ge=1)
    feed_host_concurrency: int = Field(ge=1, le=64)
    feed_concurrency: int = Field(ge=1, le=1000)
    feed_pass_seconds: float = Field(gt=0)
    feed_claim_batch: int = Field(ge=1, le=10_000)
    feed_full_text_per_feed: int = Field(ge=0)
    full_text: bool
    allow_private_addresses: bool

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if not value:
            return value
        scheme = value.split(":", 1)[0].lower() if ":" in value else ""
        if scheme.split("+", 1)[0] not in SUPPORTED_DATABASES:
            raise ValueError(
                f"unsupported database {scheme or value[:40]!r}: "
                "use sqlite:///PATH or postgresql://USER@HOST/DATABASE"
            )
        return value

    @field_validator("feeds")
    @classmethod
    def _web_urls(cls, values: list[str]) -> list[str]:
        return [_feed_url(value) for value in values if value.strip()]

    @model_validator(mode="after")
    def _articles_outlive_their_stories(self) -> Settings:
        if 0 < self.article_retention_days * 24 <= self.story_window_hours:
            raise ValueError(
                "article_retention_days must be 0 (forever) or longer than story_window_hours, "
                "or a story still taking articles could lose its own"
            )
        return self

    @property
    def store_url(self) -> str:
        """Use the configured database, or the embedded SQLite file in the data folder."""
        return self.database_url or f"sqlite:///{self.data_dir / 'newsbrief.db'}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            _TelegramEnvSource(settings_cls),
            TomlConfigSettingsSource(settings_cls, deep_merge=True),
        )


class _TelegramEnvSource(PydanticBaseSettingsSource):
    """Accept Telegram's conventional variable names (TELEGRAM_BOT_TOKEN, TELEGRAM_API_BASE_URL)."""

    NAMES: ClassVar[dict[str, str]] = {
        "TELEGRAM_BOT_TOKEN": "token",
        "TELEGRAM_API_BASE_URL": "api_base_url",
    }

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        found = {key: os.environ[name] for name, key in self.NAMES.items() if os.environ.get(name)}
        return {"telegram": found} if found else {}


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings once, naming the offending setting when one is bad."""
    files: list[Path] = [DEFAULTS_FILE]
    if config_file is not None:
        if not config_file.is_file():
            raise SettingsError(f"config file {config_file} does not exist")
        files.append(config_file)

    for file in files:
        _check_toml(file)

    class _Configured(Settings):
        model_config = SettingsConfigDict(toml_file=files)

    try:
        return _Configured(**overrides)
    except SourceError as error:  # an environment variable that does not parse
        raise SettingsError(f"invalid setting: {error}") from None
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}"
            for e in error.errors()
        )
        raise SettingsError(f"invalid setting: {problems}") from None


def _check_toml(file: Path) -> None:
    """Name a settings file that cannot be read or is not TOML, before anything reads it."""
    try:
        tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise SettingsError(f"config file {file}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise SettingsError(f"config file {file}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"config file {file}: invalid TOML: {error}") from None
