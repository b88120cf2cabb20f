from datetime import UTC, datetime, timedelta

import pytest

from newsbrief.bot.delivery.digest import DigestOptions, build_digest, news_value
from newsbrief.bot.model import Digest
from newsbrief.bot.services import Services

NOW = datetime(2024, 12, 20, 9, 0, tzinfo=UTC)


def _digest(services: Services, name: str, **options: int) -> Digest:
    with services.database.transaction() as session:
        return build_digest(
            session, services.topics.resolve(name), now=NOW, options=DigestOptions(**options)
        )


def test_a_topic_digest_has_title_brief_quotes_and_sources(services: Services) -> None:
    digest = _digest(services, "syria")
    assert digest.topic == "syria" and digest.title == "Syria"
    (story,) = digest.stories
    assert story.title.startswith("Putin breaks silence")
    assert 2 <= len(story.brief) <= 3
    assert all("Syria" in s or "Assad" in s or "Syrian" in s for s in story.brief)
    assert 1 <= len(story.quotes) <= 2
    assert all(q.speaker == "Vladimir Putin" and q.sources for q in story.quotes)
    assert {s.path is not None for s in story.sources} == {True} and len(story.sources) == 2


def test_one_press_conference_seen_through_two_topics(services: Services) -> None:
    (syria,) = _digest(services, "syria").stories
    (kursk,) = _digest(services, "kursk").stories
    assert syria.story_id == kursk.story_id
    assert syria.title.startswith("Putin breaks silence on Syria")  # its headline names Syria
    assert kursk.title.startswith("Kursk — Putin breaks silence")  # titled for Kursk too
    assert "Kursk" in kursk.brief[0] and sum("Kursk" in s for s in kursk.brief) >= 2
    assert not any("Kursk" in s for s in syria.brief)
    kursk_quotes = " ".join(q.text for q in kursk.quotes)
    assert "kick them out" in kursk_quotes
    assert "kick them out" not in " ".join(q.text for q in syria.quotes)


def test_free_keywords_work_like_a_topic(services: Services) -> None:
    digest = _digest(services, "Austin Tice, journalist")
    (story,) = digest.stories
    assert any("Tice" in s for s in story.brief)
    assert _digest(services, "cricket world cup").stories == ()


def test_a_topic_with_nothing_gives_an_empty_digest(services: Services) -> None:
    assert _digest(services, "sport").stories == ()


def test_already_sent_stories_are_left_out(services: Services) -> None:
    (story,) = _digest(services, "syria").stories
    with services.database.transaction() as session:
        again = build_digest(
            session, services.topics.resolve("syria"), now=NOW, exclude={story.story_id}
        )
    assert again.stories == ()


def test_sizes_follow_the_options(services: Services) -> None:
    (story,) = _digest(services, "russia", sentences=1, quotes=0).stories
    assert len(story.brief) == 1 and story.quotes == ()


def test_news_value_prefers_new_then_relevant_then_widely_reported() -> None:
    fresh = news_value(2, 1, NOW, NOW)
    assert fresh > news_value(2, 1, NOW - timedelta(days=2), NOW)
    assert news_value(8, 1, NOW, NOW) > fresh
    assert news_value(2, 4, NOW, NOW) > fresh
    assert news_value(50, 10, NOW - timedelta(days=30), NOW) < fresh


@pytest.mark.parametrize("name", ["syria", "Austin Tice, journalist"])
def test_stories_older_than_since_are_left_out(services: Services, name: str) -> None:
    (story,) = _digest(services, name).stories
    topic = services.topics.resolve(name)
    with services.database.transaction() as session:
        kept = build_digest(session, topic, now=NOW, since=story.published)
        dropped = build_digest(
            session, topic, now=NOW, since=story.published + timedelta(seconds=1)
        )
    assert [s.story_id for s in kept.stories] == [story.story_id]
    assert dropped.stories == ()
