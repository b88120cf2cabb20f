"""Per-day word counts of the stored articles: how common each word is in recent news.

Counts only grow (by upserts that add), so any number of ingest processes may count at once;
callers keep the transaction short, as the rows of common words are shared by every writer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from newsbrief.bot.store.batches import in_chunks
from newsbrief.bot.store.schema import TermDay

DOCUMENTS = ""
"""The term under which a day counts its articles."""
ROWS_PER_STATEMENT = 300  # three parameters a row stays under every engine's limit
MARGIN = timedelta(days=45)
"""Counts are kept this long before the earliest stored article: an article is weighed with the
counts of the month before it (and a story window), so older days are never read again."""


def add_counts(session: Session, counts: Mapping[date, Counter[str]]) -> None:
    """Add articles' word counts (DOCUMENTS: how many articles) to their days."""
    rows = sorted(  # one order for every writer, so concurrent upserts cannot deadlock
        (term, day, count) for day, terms in counts.items() for term, count in terms.items()
    )
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start : start + ROWS_PER_STATEMENT]
        statement = insert(TermDay).values(
            [{"term": t, "day": d, "documents": n} for t, d, n in chunk]
        )
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[TermDay.term, TermDay.day],
                set_={"documents": TermDay.documents + statement.excluded.documents},
            )
        )


def recent_counts(
    session: Session, terms: Collection[str], first: date, last: date
) -> tuple[int, dict[str, int]]:
    """Count the articles of these days, and those among them using each of these words."""
    query = select(TermDay.term, func.sum(TermDay.documents)).where(
        TermDay.day >= first, TermDay.day <= last
    )
    found: dict[str, int] = dict.fromkeys(terms, 0)
    for chunk in in_chunks([DOCUMENTS, *terms]):
        for term, count in session.execute(
            query.where(TermDay.term.in_(chunk)).group_by(TermDay.term)
        ):
            found[term] = int(count or 0)
    documents = found.pop(DOCUMENTS, 0)
    return documents, found
