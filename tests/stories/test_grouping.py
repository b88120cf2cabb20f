from datetime import UTC, datetime, timedelta
from pathlib import Path

from factories import BBC

from newsbrief.bot.ingest.article_files import load_articles
from newsbrief.bot.services import bundled_samples
from newsbrief.bot.stories.grouping import SAME_STORY_SIMILARITY, StoryIndex, signature

DAY = datetime(2024, 12, 19, tzinfo=UTC)


def _samples() -> list[tuple[str, str]]:
    found = []
    for path in sorted(bundled_samples().glob("*.txt")):
        (article,) = load_articles(path)
        found.append((article.title, article.text))
    return found


def _bbc(name: str) -> tuple[str, str]:
    title, _, body = (BBC / name).read_text(encoding="utf-8").partition("\n")
    return title, body


def test_two_outlets_on_one_press_conference_are_alike() -> None:
    first, second = (signature(t, x) for t, x in _samples())
    assert first.similarity(second) >= SAME_STORY_SIMILARITY
    assert {"putin", "assad", "syria"} <= first.names & second.names


def test_unrelated_articles_are_not_alike() -> None:
    putin = signature(*_samples()[0])
    for name in ("business/003.txt", "sport/002.txt", "tech/003.txt", "politics/001.txt"):
        assert putin.similarity(signature(*_bbc(name))) < SAME_STORY_SIMILARITY / 2


def test_a_story_is_found_by_shared_names_within_its_window() -> None:
    first, second = (signature(t, x) for t, x in _samples())
    index = StoryIndex(window=timedelta(hours=72))
    index.add(7, first, DAY, DAY)
    assert index.match(second, DAY + timedelta(hours=30)) == 7
    assert index.match(second, DAY + timedelta(days=10)) is None, "an old event swallowed a new one"
    assert index.match(second, None) == 7, "an undated article may join any story"


def test_joining_a_story_widens_its_window_and_merges_what_it_is_about() -> None:
    first, second = (signature(t, x) for t, x in _samples())
    index = StoryIndex(window=timedelta(hours=24))
    index.add(1, first, DAY, DAY)
    merged = index.join(1, second, DAY + timedelta(hours=20))
    assert merged.names == first.names | second.names
    assert index.last_seen(1) == DAY + timedelta(hours=20)
    assert index.match(second, DAY + timedelta(hours=40)) == 1


def test_signatures_survive_the_store() -> None:
    sig = signature(*_samples()[1])
    again = type(sig).from_json(sig.to_json())
    assert again.names == sig.names
    assert abs(again.similarity(sig) - 1.0) < 1e-3


def test_unrelated_stories_in_the_index_are_not_matched(tmp_path: Path) -> None:
    index = StoryIndex(window=timedelta(hours=72))
    for number, name in enumerate(["business/005.txt", "sport/003.txt", "tech/004.txt"]):
        index.add(number, signature(*_bbc(name)), DAY, DAY)
    assert index.match(signature(*_samples()[0]), DAY) is None
