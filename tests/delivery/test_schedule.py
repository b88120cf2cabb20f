"""Subscriber rules: digest times, zones with suggestions, DST-correct slots, button data."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from newsbrief.bot.delivery.schedule import (
    CALLBACK_MAX_BYTES,
    decide_slot,
    find_timezone,
    format_time,
    latest_slot,
    next_slot,
    parse_time,
    parse_toggle,
    slot_at,
    suggest_timezones,
    toggle_data,
)

BERLIN = ZoneInfo("Europe/Berlin")
GRACE = timedelta(hours=6)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("08:00", time(8)), ("8:05", time(8, 5)), (" 23:59 ", time(23, 59)), ("7.30", time(7, 30))],
)
def test_times_of_day_parse(text: str, expected: time) -> None:
    assert parse_time(text) == expected
    assert format_time(expected) == f"{expected:%H:%M}"


@pytest.mark.parametrize("text", ["24:00", "8", "08:60", "eight", "", "08:00:00", "-1:00"])
def test_bad_times_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a time"):
        parse_time(text)


def test_zone_names_are_found_in_any_case() -> None:
    assert find_timezone("europe/berlin") == "Europe/Berlin"
    assert find_timezone("America/New York") == "America/New_York"
    assert find_timezone("Mars/Olympus") is None
    assert find_timezone("posix/Europe/Berlin") is None


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("Europe/Berln", "Europe/Berlin"),
        ("berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
    ],
)
def test_near_misses_get_suggestions(text: str, suggestion: str) -> None:
    assert suggestion in suggest_timezones(text)


def test_nonsense_gets_no_suggestion() -> None:
    assert suggest_timezones("qqqqqqqqqqqqqqqq") == []
    assert suggest_timezones("") == []


def test_slots_follow_daylight_saving_in_berlin() -> None:
    assert slot_at(date(2025, 3, 29), time(8), BERLIN) == utc(2025, 3, 29, 7)
    assert slot_at(date(2025, 3, 30), time(8), BERLIN) == utc(2025, 3, 30, 6)
    assert slot_at(date(2025, 10, 25), time(8), BERLIN) == utc(2025, 10, 25, 6)
    assert slot_at(date(2025, 10, 26), time(8), BERLIN) == utc(2025, 10, 26, 7)


def test_a_skipped_wall_time_is_sent_after_the_gap() -> None:
    slot = slot_at(date(2025, 3, 30), time(2, 30), BERLIN)
    assert slot == utc(2025, 3, 30, 1, 30)
    assert slot.astimezone(BERLIN).strftime("%H:%M") == "03:30"


def test_a_repeated_wall_time_is_sent_once_at_its_first_pass() -> None:
    first = slot_at(date(2025, 10, 26), time(2, 30), BERLIN)
    assert first == utc(2025, 10, 26, 0, 30)
    assert next_slot(first, time(2, 30), BERLIN) == utc(2025, 10, 27, 1, 30)


def test_next_and_latest_slot_bracket_now() -> None:
    now = utc(2025, 3, 30, 6, 30)
    assert latest_slot(now, time(8), BERLIN) == utc(2025, 3, 30, 6)
    assert next_slot(now, time(8), BERLIN) == utc(2025, 3, 31, 6)
    assert next_slot(utc(2025, 3, 30, 6), time(8), BERLIN) == utc(2025, 3, 31, 6)


def test_a_slot_on_time_is_sent_for_its_local_day() -> None:
    decision = decide_slot(utc(2025, 3, 30, 6, 0, 30), time(8), BERLIN, GRACE)
    assert decision.send
    assert decision.local_date == date(2025, 3, 30)
    assert decision.next_due == utc(2025, 3, 31, 6)


def test_a_missed_slot_is_sent_within_the_grace_window_only() -> None:
    assert decide_slot(utc(2025, 3, 30, 11, 59), time(8), BERLIN, GRACE).send
    late = decide_slot(utc(2025, 3, 30, 12, 1), time(8), BERLIN, GRACE)
    assert not late.send
    assert late.next_due == utc(2025, 3, 31, 6)


def test_without_grace_a_slot_still_counts_for_a_few_minutes() -> None:
    assert decide_slot(utc(2025, 3, 30, 6, 2), time(8), BERLIN, timedelta(0)).send
    assert not decide_slot(utc(2025, 3, 30, 7), time(8), BERLIN, timedelta(0)).send


def test_a_late_night_slot_missed_overnight_belongs_to_its_own_day() -> None:
    decision = decide_slot(utc(2025, 6, 1, 0, 30), time(23, 30), BERLIN, GRACE)
    assert decision.send and decision.local_date == date(2025, 5, 31)


def test_button_data_round_trips_and_forgeries_are_refused() -> None:
    data = toggle_data("syria")
    assert parse_toggle(data) == "syria"
    assert len(toggle_data("x" * 32).encode()) <= CALLBACK_MAX_BYTES
    for forged in (None, "", "t:", "t:Syria", "t:syria;drop", "u:syria", "t:" + "x" * 33, "t:é"):
        assert parse_toggle(forged) is None
    with pytest.raises(ValueError, match="cannot go in a button"):
        toggle_data("Not A Command")
