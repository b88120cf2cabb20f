"""Hand-checked same-event and different-event sets from the dev data, grouped by the real ingest.

Each `tests/fixtures/stories/NAME.json` holds excerpts of real articles (`source` names the set,
`events` what each gold cluster is about) and the `expected` grouping: lists of article ids, one
list a story. The articles go through a fresh store in publication order, and again newest
first: the grouping must be the expected one both ways.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from factories import make_services
from paths import FIXTURES

from newsbrief.bot.ingest.analysis import article_key
from newsbrief.bot.model import Article
from newsbrief.bot.store import repository

CASES = sorted((FIXTURES / "stories").glob("*.json"))


def _published(value: str) -> datetime:
    found = datetime.fromisoformat(value)
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def _articles(case: dict[str, Any]) -> dict[str, Article]:
    return {
        row["id"]: Article(
            title=row["title"],
            text=row["text"],
            outlet=row["outlet"],
            url=row["url"],
            published=_published(row["published"]),
        )
        for row in case["articles"]
    }


def _grouping(
    tmp_path: Path, articles: dict[str, Article], order: list[str]
) -> set[frozenset[str]]:
    """Ingest the articles one at a time in this order; say which ones share a story."""
    services = make_services(tmp_path)
    try:
        for article_id in order:
            services.ingestor.ingest_articles([articles[article_id]])
        keys = {article_key(a): i for i, a in articles.items()}
        with services.database.transaction(readonly=True) as session:
            records = repository.articles_by_key(session, set(keys))
        stories: dict[int | None, set[str]] = {}
        for key, record in records.items():
            stories.setdefault(record.story_id, set()).add(keys[key])
        return {frozenset(s) for s in stories.values()}
    finally:
        services.close()


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(path: Path, tmp_path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    articles = _articles(case)
    expected = {frozenset(ids) for ids in case["expected"]}
    assert set().union(*expected) == set(articles), "every article is in one expected story"
    oldest_first = sorted(articles, key=lambda i: (articles[i].published, i))
    assert _grouping(tmp_path / "forward", articles, oldest_first) == expected
    newest_first = list(reversed(oldest_first))
    assert _grouping(tmp_path / "backward", articles, newest_first) == expected
