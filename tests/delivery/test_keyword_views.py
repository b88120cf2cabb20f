"""Free-word digests are chosen from each story's stored scored sentences: never briefed again."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from factories import make_services, sample_folder
from sqlalchemy import select, update

from newsbrief.bot.delivery.digest import DigestOptions, build_digest
from newsbrief.bot.ingest.pipeline import story_article
from newsbrief.bot.model import Digest
from newsbrief.bot.services import Services
from newsbrief.bot.store import repository
from newsbrief.bot.store.schema import Story
from newsbrief.bot.stories.compose import compose_story, view_for_topic
from newsbrief.bot.stories.topics import keyword_topic

NOW = datetime(2024, 12, 20, 9, 0, tzinfo=UTC)
WORDS = ("Kursk", "Austin Tice, journalist", "asylum in Moscow", "Ukraine", "inflation, economy")
WRITE_SIDE = ("sumy", "numpy", "newsbrief.bot.text.briefs", "newsbrief.bot.ingest")


def _digest(services: Services, words: str, options: DigestOptions) -> Digest:
    with services.database.transaction(readonly=True) as session:
        return build_digest(session, keyword_topic(words), now=NOW, options=options)


@pytest.mark.parametrize("words", WORDS)
@pytest.mark.parametrize("sentences", [1, 3])
def test_a_free_word_view_is_the_view_briefing_the_story_again_gives(
    services: Services, words: str, sentences: int
) -> None:
    options = DigestOptions(sentences=sentences, quotes=2)
    topic = keyword_topic(words)
    expected = {}
    with services.database.transaction(readonly=True) as session:
        for story_id in session.scalars(select(Story.id)):
            articles = [story_article(r) for r in repository.story_articles(session, story_id)]
            composed = compose_story(articles, sentences=sentences, algorithm=options.algorithm)
            view = view_for_topic(composed, topic, sentences=sentences, quotes=options.quotes)
            if view is not None:
                expected[story_id] = (view.title, view.brief, [q.text for q in view.quotes])
    digest = _digest(services, words, options)
    shown = {s.story_id: (s.title, s.brief, [q.text for q in s.quotes]) for s in digest.stories}
    assert shown == expected


def test_a_side_topic_is_titled_for_its_words_and_briefed_on_them(services: Services) -> None:
    (story,) = _digest(services, "Kursk", DigestOptions()).stories
    assert story.title.startswith("Kursk — ")
    assert "Kursk" in story.brief[0]
    assert any("kick them out" in q.text for q in story.quotes)  # a quote about Kursk


def test_a_story_stored_before_its_sentences_were_shows_its_stored_brief(
    services: Services,
) -> None:
    with services.database.transaction() as session:
        session.execute(update(Story).values(reading=None, scored=None))
        stored = session.scalars(select(Story)).one()
        brief, title = list(stored.brief), stored.title
    (story,) = _digest(services, "Kursk", DigestOptions()).stories
    assert list(story.brief) == brief[:3] and story.title == title


def test_a_free_word_digest_loads_no_summarizer(services: Services) -> None:
    """A request only reads: the summarizer and ingest are never imported to answer it."""
    script = textwrap.dedent(
        f"""
        import sys
        from datetime import datetime
        from newsbrief.bot.delivery.digest import build_digest
        from newsbrief.bot.store.database import Database
        from newsbrief.bot.stories.topics import keyword_topic

        database = Database({str(services.database.engine.url.render_as_string(False))!r})
        with database.transaction(readonly=True) as session:
            digest = build_digest(
                session, keyword_topic("Kursk"), now=datetime.fromisoformat({NOW.isoformat()!r})
            )
        print(len(digest.stories))
        print(*sorted(m for m in sys.modules if m.startswith({WRITE_SIDE!r})))
        """
    )
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    ).stdout.splitlines()
    assert found[0] == "1"  # the story was found and shown
    assert found[1:] == [""]


def test_a_story_composed_again_is_not_shown_as_it_was(tmp_path: Path) -> None:
    """Views are kept per story version: one that changed is chosen afresh."""
    services = make_services(tmp_path)
    try:
        folder = sample_folder(tmp_path)
        services.ingestor.ingest_folder(folder)
        (before,) = _digest(services, "Kursk", DigestOptions()).stories
        for article in sorted(folder.iterdir())[1:]:
            article.unlink()
        services.ingestor.ingest_folder(folder)
        after = _digest(services, "Kursk", DigestOptions()).stories
    finally:
        services.close()
    assert len(before.sources) == 2
    assert [len(s.sources) for s in after] in ([], [1])
    assert not after or after[0].brief != before.brief or after[0].title != before.title
