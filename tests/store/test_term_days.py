"""Per-day word counts on a real store: counts add up across writers and are read by window."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from factories import make_services

from newsbrief.bot.services import Services
from newsbrief.bot.store.term_days import DOCUMENTS, ROWS_PER_STATEMENT, add_counts, recent_counts

MONDAY, TUESDAY, FRIDAY = date(2025, 3, 3), date(2025, 3, 4), date(2025, 3, 7)


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    built = make_services(tmp_path)
    yield built
    built.close()


def test_counts_add_up_and_are_read_for_a_span_of_days(services: Services) -> None:
    with services.database.transaction() as session:
        add_counts(session, {MONDAY: Counter({DOCUMENTS: 2, "taliban": 1, "kabul": 2})})
    with services.database.transaction() as session:  # another writer, later
        add_counts(
            session,
            {
                MONDAY: Counter({DOCUMENTS: 1, "taliban": 1}),
                FRIDAY: Counter({DOCUMENTS: 5, "taliban": 4}),
            },
        )
    with services.database.transaction(readonly=True) as session:
        assert recent_counts(session, ["taliban", "kabul", "unseen"], MONDAY, TUESDAY) == (
            3,
            {"taliban": 2, "kabul": 2, "unseen": 0},
        )
        assert recent_counts(session, ["taliban"], MONDAY, FRIDAY) == (8, {"taliban": 6})


def test_a_large_batch_is_written_in_several_statements(services: Services) -> None:
    words = Counter({f"word{n}": n for n in range(1, 2 * ROWS_PER_STATEMENT + 50)})
    with services.database.transaction() as session:
        add_counts(session, {MONDAY: words + Counter({DOCUMENTS: 9})})
        add_counts(session, {MONDAY: Counter({"word1": 1})})
    with services.database.transaction(readonly=True) as session:
        documents, found = recent_counts(session, list(words), MONDAY, MONDAY)
    assert documents == 9
    assert found == words + Counter({"word1": 1})


def test_writers_counting_the_same_words_at_once_lose_nothing(services: Services) -> None:
    """Ingest processes share the rows of common words; upserts in one order never deadlock."""
    words = [f"word{n}" for n in range(60)]
    rounds = 15

    def write(order: list[str]) -> None:
        for _ in range(rounds):
            with services.database.transaction() as session:
                add_counts(session, {MONDAY: Counter({DOCUMENTS: 1, **dict.fromkeys(order, 1)})})

    with ThreadPoolExecutor(2) as pool:
        for done in [pool.submit(write, words), pool.submit(write, words[::-1])]:
            done.result(timeout=120)
    with services.database.transaction(readonly=True) as session:
        documents, found = recent_counts(session, words, MONDAY, MONDAY)
    assert documents == 2 * rounds
    assert set(found.values()) == {2 * rounds}
