"""Compose a story from its articles: title, brief, quotes across outlets, scored sentences."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache

from newsbrief.bot.model import Quote, Source, StoryQuote
from newsbrief.bot.stories.sayings import name_words, speaker_matches
from newsbrief.bot.stories.topics import Topic
from newsbrief.bot.stories.views import ReadArticle, StoryReading, TopicView, topic_view
from newsbrief.bot.text.briefs import score_story
from newsbrief.bot.text.outlets import outlet_identities
from newsbrief.bot.text.quotes import quote_key
from newsbrief.bot.text.selection import ScoredStory, choose
from newsbrief.bot.text.sentences import split_sentences

MORE_SOURCES_BONUS = 0.5
CONTEXT_PARAGRAPHS_BEFORE = 1


@dataclass(frozen=True, slots=True)
class StoryArticle:
    """What composing a story needs to know of one of its articles."""

    title: str
    text: str
    source: Source
    fingerprint: str
    published: datetime
    quotes: tuple[Quote, ...] = ()
    topics: tuple[str, ...] = ()  # topics its source was added under


@dataclass(frozen=True, slots=True)
class ComposedStory:
    """A story's stored form: title, sources, story-wide brief, quotes, scored sentences."""

    title: str
    sources: tuple[Source, ...]
    brief: tuple[str, ...]
    quotes: tuple[StoryQuote, ...]
    reading: StoryReading = field(repr=False)
    scored: ScoredStory = field(repr=False)


def distinct_articles(articles: Sequence[StoryArticle]) -> tuple[StoryArticle, ...]:
    """Keep one of each wire copy (same text), earliest first."""
    seen: set[str] = set()
    kept: list[StoryArticle] = []
    for article in sorted(articles, key=lambda a: a.published):
        if article.fingerprint not in seen:
            seen.add(article.fingerprint)
            kept.append(article)
    return tuple(kept)


def story_sources(articles: Sequence[StoryArticle]) -> tuple[Source, ...]:
    """List each outlet once however many hosts it used, in the order they reported.

    An article with no outlet known counts as a source of its own.
    """
    ordered = sorted(articles, key=lambda a: a.published)
    identities = outlet_identities([a.source for a in ordered])
    sources: dict[str, Source] = {}
    for article, identity in zip(ordered, identities, strict=True):
        sources.setdefault(identity, article.source)
    return tuple(sources.values())


def _context(text: str, quote: Quote) -> str:
    """Return the paragraph holding a quote and the one before it: what the quote is about."""
    start = quote.start
    for _ in range(CONTEXT_PARAGRAPHS_BEFORE + 1):
        found = text.rfind("\n\n", 0, max(start - 2, 0))
        start = 0 if found < 0 else found + 2
        if found < 0:
            break
    end = text.find("\n\n", quote.end)
    return text[start : len(text) if end < 0 else end]


def merge_quotes(articles: Sequence[StoryArticle]) -> tuple[StoryQuote, ...]:
    """Show a quote reported by several outlets once, with the outlets whose text holds it."""
    groups: dict[str, list[tuple[Quote, StoryArticle]]] = {}
    for article in articles:
        for quote in article.quotes:
            groups.setdefault(quote_key(quote.text), []).append((quote, article))
    keys = sorted(groups, key=len, reverse=True)
    for short in list(keys):  # a shorter report of a longer quote joins it
        if short not in groups:
            continue
        for long in keys:
            if long != short and long in groups and len(long) > len(short) and short in long:
                groups[long].extend(groups.pop(short))
                break
    identities = outlet_identities([a.source for a in articles])
    merged: list[StoryQuote] = []
    for members in groups.values():
        quote, article = max(members, key=lambda m: (len(m[0].text), m[0].salience))
        outlets = quote_outlets(quote, articles, identities)
        speaker = quote.speaker or next((q.speaker for q, _ in members if q.speaker), None)
        salience = max(q.salience for q, _ in members) + MORE_SOURCES_BONUS * math.log2(
            max(1, len(outlets))
        )
        merged.append(
            StoryQuote(
                quote.text, speaker, outlets, round(salience, 4), _context(article.text, quote)
            )
        )
    merged.sort(key=lambda q: q.salience, reverse=True)
    return tuple(_named_in_full(merged))


def _named_in_full(quotes: list[StoryQuote]) -> list[StoryQuote]:
    """One person, one name in a story: 'Trump' is 'Donald Trump' when no one else fits."""
    names = {q.speaker for q in quotes if q.speaker}
    fuller: dict[str, str] = {}
    for name in names:
        words = name_words(name)
        longer = {n for n in names if len(name_words(n)) > len(words) and speaker_matches(words, n)}
        if len(longer) == 1:
            fuller[name] = longer.pop()
    return [replace(q, speaker=fuller[q.speaker]) if q.speaker in fuller else q for q in quotes]


def quote_outlets(
    quote: Quote, articles: Sequence[StoryArticle], identities: Sequence[str]
) -> tuple[str, ...]:
    """Name the outlets whose text holds every part of a quote, each outlet once."""
    pieces = [quote_key(piece) for piece in quote.text.split(" ... ")]
    pieces = [piece for piece in pieces if piece]
    outlets: dict[str, str] = {}
    for article, identity in zip(articles, identities, strict=True):
        name = article.source.name
        if name is None or identity in outlets:
            continue
        body = _text_key(article.text)
        if all(piece in body for piece in pieces):
            outlets[identity] = name
    return tuple(outlets.values())


@lru_cache(maxsize=256)
def _text_key(text: str) -> str:
    return quote_key(text)


def _real_headline(article: StoryArticle) -> bool:
    """Tell a written headline from a title cut from the text's first sentence."""
    return not article.text.startswith(article.title.rstrip("…. "))


def story_title(articles: Sequence[StoryArticle]) -> str:
    """Title a story by its earliest article with a real headline, not a cut first sentence."""
    for article in articles:
        if _real_headline(article):
            return article.title
    return articles[0].title


def compose_story(
    articles: Sequence[StoryArticle], *, sentences: int, algorithm: str
) -> ComposedStory:
    """Score a whole story's sentences once, brief it and merge its quotes."""
    distinct = distinct_articles(articles)
    scored = score_story([(a.title, a.text) for a in distinct], algorithm=algorithm)
    title = story_title(distinct)
    return ComposedStory(
        title=title,
        sources=story_sources(articles),
        brief=tuple(choose(scored, sentences)),
        quotes=merge_quotes(distinct),
        reading=StoryReading(title, tuple(_read(a) for a in distinct)),
        scored=scored,
    )


def _read(article: StoryArticle) -> ReadArticle:
    return ReadArticle(
        article.title,
        _real_headline(article),
        tuple(split_sentences(article.text)),
        article.topics,
    )


def view_for_topic(
    story: ComposedStory, topic: Topic, *, sentences: int, quotes: int
) -> TopicView | None:
    """See a story through a topic, as a request for its words would: None when not about it."""
    return topic_view(
        story.reading,
        story.scored,
        story.quotes,
        topic,
        sentences=sentences,
        quote_count=quotes,
        brief=story.brief,
    )
