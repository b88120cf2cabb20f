"""A story seen through a topic or free words, chosen from what ingest scored and stored.

Nothing here briefs: a view takes the story's stored scored sentences (`ScoredStory`) and
chooses among them with the brief's own rules (`text.selection`), so a request for any words
reads and chooses, and ingest makes the configured topics' views the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from newsbrief.bot.model import StoryQuote
from newsbrief.bot.stories.topics import Topic, title_for_topic
from newsbrief.bot.text.selection import ScoredStory, focused_brief

__all__ = [
    "ReadArticle",
    "StoryReading",
    "TopicView",
    "topic_relevance",
    "topic_view",
    "view_title",
]


@dataclass(frozen=True, slots=True)
class ReadArticle:
    """What a topic view needs of one of a story's distinct articles."""

    title: str
    headline: bool  # a written headline, not a title cut from the first sentence
    sentences: tuple[str, ...]
    topics: tuple[str, ...] = ()  # topics its source was added under

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "headline": self.headline,
            "sentences": list(self.sentences),
            "topics": list(self.topics),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReadArticle:
        return cls(data["title"], data["headline"], tuple(data["sentences"]), tuple(data["topics"]))


@dataclass(frozen=True, slots=True)
class StoryReading:
    """A story's title and its distinct articles' sentences: how much a topic concerns it."""

    title: str
    articles: tuple[ReadArticle, ...]

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "articles": [a.to_json() for a in self.articles]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoryReading:
        return cls(data["title"], tuple(ReadArticle.from_json(a) for a in data["articles"]))


@dataclass(frozen=True, slots=True)
class TopicView:
    """A story seen through one topic: its title for the topic, relevance, brief and quotes."""

    title: str
    relevance: float
    brief: tuple[str, ...]
    quotes: tuple[StoryQuote, ...]


def topic_relevance(topic: Topic, articles: Sequence[ReadArticle]) -> float:
    """Score a story for a topic by its most on-topic article, plus a little for each other one."""
    scores = sorted((topic.relevance(a.title, a.sentences) for a in articles), reverse=True)
    if topic.command and any(topic.command in a.topics for a in articles):
        scores[0] = max(scores[0], topic.threshold)  # its feed was added under this topic
    if not scores or scores[0] <= 0:
        return 0.0
    return scores[0] + 0.25 * sum(1 for s in scores[1:] if s > 0)


def view_title(topic: Topic, story: StoryReading, *, side: bool) -> str:
    """Title a story for a topic: its own title, unless the topic is only a side of the story.

    A press conference titled for Syria that touched on Kursk shows under /kursk as "Kursk —
    <its headline>", or under an outlet's headline that names Kursk.
    """
    if not side:
        return story.title
    headlines = [a.title for a in story.articles if a.headline]
    return title_for_topic(topic, story.title, headlines)


def topic_view(
    story: StoryReading,
    scored: ScoredStory,
    quotes: Sequence[StoryQuote],
    topic: Topic,
    *,
    sentences: int,
    quote_count: int,
    brief: Sequence[str] = (),
    relevance: float | None = None,
) -> TopicView | None:
    """See a story through a topic: None when the story is not about it.

    `brief` (the story-wide one) stands in when no sentence is fit for the topic's brief;
    `relevance` is the story's for the topic, when already known.
    """
    if relevance is None:
        relevance = topic_relevance(topic, story.articles)
    if relevance < topic.threshold:
        return None
    chosen, side = focused_brief(scored, sentences, topic.focus)
    on_topic = [q for q in quotes if topic.mentions(q.context) or topic.mentions(q.text)]
    return TopicView(
        view_title(topic, story, side=side),
        round(relevance, 4),
        tuple(chosen or brief),
        tuple(on_topic[:quote_count]),
    )
