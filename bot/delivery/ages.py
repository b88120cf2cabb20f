"""How old a story is, as readers take it in at a glance: minutes, hours, days, then a date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

RECENT_DAYS = 7
"""Stories younger than this show their age ("3 days ago"); older ones, their date."""


class AgeUnit(Enum):
    """The unit an age is told in; DATE means the day itself is shown."""

    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"
    DATE = "date"


@dataclass(frozen=True, slots=True)
class StoryAge:
    """A story's age: `count` units ago, or (DATE) the day it was published."""

    unit: AgeUnit
    count: int
    day: date
    same_year: bool


def story_age(published: datetime, now: datetime) -> StoryAge:
    """Tell a story's age: minutes (0: just now), hours, days, then its date after a week."""
    elapsed = max(now - published, timedelta(0))
    day = published.date()
    same_year = published.year == now.year
    if elapsed < timedelta(hours=1):
        return StoryAge(AgeUnit.MINUTES, int(elapsed.total_seconds() // 60), day, same_year)
    if elapsed < timedelta(days=1):
        return StoryAge(AgeUnit.HOURS, int(elapsed.total_seconds() // 3600), day, same_year)
    if elapsed < timedelta(days=RECENT_DAYS):
        return StoryAge(AgeUnit.DAYS, elapsed.days, day, same_year)
    return StoryAge(AgeUnit.DATE, elapsed.days, day, same_year)
