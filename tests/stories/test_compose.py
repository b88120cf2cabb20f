"""Composing a story: sources counted by outlet; a quote's sources are the outlets holding it."""

from __future__ import annotations

from datetime import UTC, datetime

from newsbrief.bot.model import Source
from newsbrief.bot.stories.compose import StoryArticle, merge_quotes, story_sources
from newsbrief.bot.text.quotes import find_quotes

WHEN = datetime(2024, 12, 19, tzinfo=UTC)


def _article(text: str, source: Source, fingerprint: str) -> StoryArticle:
    return StoryArticle(
        title="Putin speaks",
        text=text,
        source=source,
        fingerprint=fingerprint,
        published=WHEN,
        quotes=tuple(find_quotes(text)),
    )


FULL = (
    'Vladimir Putin spoke. "You want to present this as a defeat for Russia," Putin said. '
    '"I assure you it is not."'
)
HALF = 'Vladimir Putin spoke. "You want to present this as a defeat for Russia," Putin said.'
CARRIES = 'Putin said: "You want to present this as a defeat for Russia. I assure you it is not."'


def test_one_outlet_through_two_hosts_is_one_source() -> None:
    articles = [
        _article(FULL, Source("cnn.com", "https://edition.cnn.com/a"), "a"),
        _article(HALF, Source("CNN", "https://www.cnn.com/b"), "b"),
        _article(HALF + " More.", Source(None, path="/x/004_c95f95febd55943f.txt"), "c"),
    ]
    sources = story_sources(articles)
    assert [s.name for s in sources] == ["cnn.com", None]


def test_a_quote_lists_the_outlets_whose_text_holds_it() -> None:
    articles = [
        _article(FULL, Source("Daily Sabah", "https://www.dailysabah.com/a"), "a"),
        _article(HALF, Source("India TV", "https://indiatvnews.com/b"), "b"),
        _article(CARRIES, Source("Reuters"), "c"),
        _article(FULL, Source(None, path="/x/000_9a2ab7da1ab80087.txt"), "d"),
    ]
    (quote,) = merge_quotes(articles)
    assert (
        quote.text == "You want to present this as a defeat for Russia ... I assure you it is not."
    )
    assert quote.speaker == "Vladimir Putin"
    # India TV reported only the first half; the file has no outlet to name
    assert quote.sources == ("Daily Sabah", "Reuters")
