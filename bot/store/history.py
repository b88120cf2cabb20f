"""Prune what no digest will read again, so per-subscriber tables stop growing with the years.

A daily digest only carries stories published within its horizon, so a record that a
subscriber had a story older than that can never be consulted again; finished digest records
are only counted by the admins' statistics. Callers own the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from bot.store.schema import DigestDelivery, SentStory, Story


@dataclass(frozen=True, slots=True)
class Pruned:
    """How many rows a pruning pass removed."""

    sent_stories: int
    deliveries: int


def prune_history(
    session: Session, *, stories_before: datetime, deliveries_before: datetime
) -> Pruned:
    """Forget the sent records of stories gone stale and the finished digests claimed long ago."""
    recent = select(Story.id).where(Story.last_published >= stories_before)
    sent = session.execute(
        delete(SentStory)
        .where(SentStory.story_id.not_in(recent))
        .execution_options(synchronize_session=False)
    )
    deliveries = session.execute(
        delete(DigestDelivery)
        .where(
            DigestDelivery.claimed_at < deliveries_before,
            DigestDelivery.finished_at.is_not(None),
            DigestDelivery.lease_until.is_(None),
        )
        .execution_options(synchronize_session=False)
    )
    return Pruned(_count(sent), _count(deliveries))


def _count(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount or 0)
