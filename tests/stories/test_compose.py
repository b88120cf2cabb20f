"""Composing a story: sources by outlet, a quote's outlets, a topic view's title and brief."""

from __future__ import annotations

from datetime import UTC, datetime

from paths import SAMPLES

from newsbrief.bot.model import Source
from newsbrief.bot.stories.compose import (
    StoryArticle,
    compose_story,
    merge_quotes,
    story_sources,
    view_for_topic,
)
from newsbrief.bot.stories.topics import Topic
from newsbrief.bot.stories.views import view_title
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


def _speakers(*texts: str) -> list[str | None]:
    articles = [_article(t, Source(f"Outlet {i}"), str(i)) for i, t in enumerate(texts)]
    return sorted((q.speaker for q in merge_quotes(articles)), key=str)


def test_a_speaker_is_named_as_fully_as_the_story_names_them() -> None:
    first = 'Donald Trump spoke in Ohio. "We will win," Donald Trump said.'
    second = 'Trump spoke later. "The polls are wrong," Trump told reporters.'
    assert _speakers(first, second) == ["Donald Trump", "Donald Trump"]


def test_a_surname_two_people_share_keeps_its_short_name() -> None:
    barack = 'Barack Obama spoke. "Hope is back," Barack Obama said.'
    michelle = 'Michelle Obama spoke. "When they go low, we go high," Michelle Obama said.'
    short = 'The crowd cheered. "Thank you all," Obama said.'
    assert _speakers(barack, michelle, short) == ["Barack Obama", "Michelle Obama", "Obama"]


KURSK = Topic("kursk", "Kursk", ("kursk", "sudzha"))
SYRIA = Topic("syria", "Syria", ("syria", "assad"))


def _titled(title: str, text: str, outlet: str) -> StoryArticle:
    return StoryArticle(title, text, Source(outlet), fingerprint=outlet, published=WHEN)


def _press_conference(second_title: str) -> list[StoryArticle]:
    return [
        _titled(
            "Putin breaks silence on Syria crisis",
            (SAMPLES / "000_9a2ab7da1ab80087.txt").read_text(encoding="utf-8"),
            "Outlet A",
        ),
        _titled(
            second_title,
            (SAMPLES / "004_c95f95febd55943f.txt").read_text(encoding="utf-8"),
            "Outlet B",
        ),
    ]


def test_a_topic_that_is_a_side_of_the_story_names_itself_in_the_title() -> None:
    story = compose_story(
        _press_conference("Putin's annual news conference"), sentences=3, algorithm="newsrank"
    )
    reading = story.reading
    assert story.title == "Putin breaks silence on Syria crisis"
    assert view_title(SYRIA, reading, side=True) == story.title  # the headline names the topic
    assert view_title(KURSK, reading, side=True) == "Kursk — Putin breaks silence on Syria crisis"
    assert view_title(KURSK, reading, side=False) == story.title  # the story is about it


def test_an_outlets_headline_that_names_the_topic_titles_its_view() -> None:
    articles = _press_conference("Putin cannot say when Kursk will be retaken")
    reading = compose_story(articles, sentences=3, algorithm="newsrank").reading
    assert view_title(KURSK, reading, side=True) == "Putin cannot say when Kursk will be retaken"


def test_a_topic_view_carries_its_title_and_a_brief_on_the_topic() -> None:
    story = compose_story(
        _press_conference("Putin's annual news conference"), sentences=3, algorithm="newsrank"
    )
    view = view_for_topic(story, KURSK, sentences=3, quotes=2)
    assert view is not None and view.title.startswith("Kursk — ")
    assert "Kursk" in view.brief[0]
    assert view.brief != story.brief
