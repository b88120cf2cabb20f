"""Topics as data: which stories a topic covers, and the keywords that focus its briefs."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from newsbrief.bot.errors import SettingsError, UnknownTopic

COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
MAX_TOPICS = 90  # Telegram allows 100 commands; the rest are the bot's own
TITLE_WEIGHT = 2.0
MEMBERSHIP_THRESHOLD = 2.0
KEYWORD_QUERY_THRESHOLD = 1.0  # someone who asks for words wants every story that has them
MIN_FOLLOWED_CHARS = 2
"""Letters or digits a followed phrase needs: a single one ("a") matches nearly every story."""
MAX_QUERY_CHARS = 100
TOPIC_TITLE_SEPARATOR = " — "


@dataclass(frozen=True)
class Topic:
    """A named set of keywords; a story belongs to it when it is about them."""

    command: str
    title: str
    keywords: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    configured: bool = field(default=True, compare=False)
    threshold: float = field(default=MEMBERSHIP_THRESHOLD, compare=False)

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return _phrase_pattern(self.keywords)

    @cached_property
    def exclusion(self) -> re.Pattern[str] | None:
        return _phrase_pattern(self.exclude) if self.exclude else None

    @property
    def focus(self) -> frozenset[str]:
        """Lowercase phrases the brief engine keeps sentences about."""
        return frozenset(k.lower() for k in self.keywords)

    def mentions(self, text: str) -> bool:
        """Say whether `text` names this topic."""
        return self.pattern.search(text) is not None

    def relevance(self, title: str, sentences: Iterable[str]) -> float:
        """Score how much a story is about this topic; one passing word is not enough."""
        if self.exclusion is not None and self.exclusion.search(title):
            return 0.0
        score = TITLE_WEIGHT if self.mentions(title) else 0.0
        return score + sum(1.0 for s in sentences if self.mentions(s))

    def covers(self, title: str, sentences: Iterable[str]) -> bool:
        """Say whether a story belongs to this topic."""
        return self.relevance(title, sentences) >= self.threshold


def _phrase_pattern(phrases: Sequence[str]) -> re.Pattern[str]:
    alternatives = sorted({re.escape(p.strip().lower()).replace(r"\ ", r"\s+") for p in phrases})
    return re.compile(
        rf"(?<![\w-])(?:{'|'.join(alternatives)})(?:s|es|'s|’s)?(?![\w-])", re.IGNORECASE
    )


def title_for_topic(topic: Topic, title: str, headlines: Sequence[str] = ()) -> str:
    """Keep a title that names the topic, else take a headline that does, else name the topic.

    A press conference titled for Syria shows under /kursk as "Kursk — <its headline>".
    """
    if topic.mentions(title):
        return title
    for headline in headlines:
        if topic.mentions(headline):
            return headline
    return f"{topic.title}{TOPIC_TITLE_SEPARATOR}{title}"


def keyword_topic(query: str) -> Topic:
    """Make an ad-hoc topic from free words: comma-separated phrases, any of which may match."""
    query = " ".join(query.split())[:MAX_QUERY_CHARS]
    phrases = tuple(p.strip() for p in query.split(",") if p.strip())
    if not phrases or not any(re.search(r"\w", p) for p in phrases):
        raise UnknownTopic("give at least one word to look for")
    return Topic(
        command="",
        title=", ".join(phrases),
        keywords=phrases,
        configured=False,
        threshold=KEYWORD_QUERY_THRESHOLD,
    )


def too_short(topic: Topic) -> tuple[str, ...]:
    """The phrases of a keyword topic too short to follow, having under two letters or digits."""
    return tuple(
        phrase
        for phrase in topic.keywords
        if sum(char.isalnum() for char in phrase) < MIN_FOLLOWED_CHARS
    )


class TopicCatalog:
    """The configured topics, found by command name."""

    def __init__(self, topics: Sequence[Topic]) -> None:
        self.topics = tuple(topics)
        self._by_command = {t.command: t for t in self.topics}

    def __iter__(self) -> Iterator[Topic]:
        return iter(self.topics)

    def __len__(self) -> int:
        return len(self.topics)

    def get(self, command: str) -> Topic | None:
        """Find a configured topic by its command name."""
        return self._by_command.get(command.lower().lstrip("/"))

    def find(self, name: str) -> Topic | None:
        """Find a topic by command ("/syria", "syria") or title ("Middle East"), any case."""
        key = " ".join(name.split()).lower()
        found = self.get(key) or self.get(key.replace(" ", ""))
        return found or next((t for t in self.topics if t.title.lower() == key), None)

    def resolve(self, name: str) -> Topic:
        """Take a configured topic by name, or else treat the words as a keyword query."""
        return self.get(name) or keyword_topic(name)


def load_topics(path: Path) -> TopicCatalog:
    """Read and validate the topic file, naming the topic at fault."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise SettingsError(f"topics file {path}: {error}") from None
    entries = data.get("topic", [])
    if not isinstance(entries, list) or not entries:
        raise SettingsError(f"topics file {path}: no [[topic]] entries")
    if len(entries) > MAX_TOPICS:
        raise SettingsError(f"topics file {path}: {len(entries)} topics, at most {MAX_TOPICS}")
    topics: list[Topic] = []
    for number, entry in enumerate(entries, start=1):
        where = f"topics file {path}, topic {number}"
        command = entry.get("command") if isinstance(entry, dict) else None
        if not isinstance(command, str) or not COMMAND_NAME.match(command):
            raise SettingsError(f"{where}: command {command!r} must be 1-32 of a-z, 0-9, _")
        keywords = entry.get("keywords")
        if (
            not isinstance(keywords, list)
            or not keywords
            or not all(isinstance(k, str) and k for k in keywords)
        ):
            raise SettingsError(f"{where} ({command}): keywords must be a list of words")
        if any(t.command == command for t in topics):
            raise SettingsError(f"{where}: command {command!r} is defined twice")
        topics.append(
            Topic(
                command=command,
                title=str(entry.get("title") or command.title()),
                keywords=tuple(keywords),
                exclude=tuple(entry.get("exclude", ())),
            )
        )
    return TopicCatalog(topics)
