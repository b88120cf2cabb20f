"""A story's age: minutes, hours, days, then its date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from newsbrief.bot.delivery.ages import AgeUnit, story_age

NOW = datetime(2025, 3, 29, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("elapsed", "unit", "count"),
    [
        (timedelta(seconds=59), AgeUnit.MINUTES, 0),
        (timedelta(minutes=59, seconds=59), AgeUnit.MINUTES, 59),
        (timedelta(hours=1), AgeUnit.HOURS, 1),
        (timedelta(hours=23, minutes=59), AgeUnit.HOURS, 23),
        (timedelta(days=1), AgeUnit.DAYS, 1),
        (timedelta(days=6, hours=23), AgeUnit.DAYS, 6),
        (timedelta(days=7), AgeUnit.DATE, 7),
        (-timedelta(hours=5), AgeUnit.MINUTES, 0),
    ],
)
def test_age_units(elapsed: timedelta, unit: AgeUnit, count: int) -> None:
    age = story_age(NOW - elapsed, NOW)
    assert (age.unit, age.count) == (unit, count)


def test_an_old_story_keeps_its_day_and_says_whether_it_is_this_year() -> None:
    age = story_age(datetime(2024, 12, 19, tzinfo=UTC), NOW)
    assert (age.unit, age.day, age.same_year) == (AgeUnit.DATE, date(2024, 12, 19), False)
    assert story_age(datetime(2025, 1, 2, tzinfo=UTC), NOW).same_year
