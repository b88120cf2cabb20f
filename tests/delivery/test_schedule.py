"""Subscriber rules: digest times as people write them, DST-correct slots."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from newsbrief.bot.delivery.schedule import (
    decide_slot,
    format_time,
    latest_slot,
    next_slot,
    parse_time,
    slot_at,
)

BERLIN = ZoneInfo("Europe/Berlin")
GRACE = timedelta(hours=6)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08:00", time(8)),
        ("8:05", time(8, 5)),
        (" 23:59 ", time(23, 59)),
        ("7.30", time(7, 30)),
        ("8", time(8)),
        ("19h", time(19)),
        ("19h30", time(19, 30)),
        ("7pm", time(19)),
        ("7:30 pm", time(19, 30)),
        ("7 P.M.", time(19)),
        ("7.15am", time(7, 15)),
        ("12am", time(0)),
        ("12:30 a.m.", time(0, 30)),
        ("12 pm", time(12)),
    ],
)
def test_times_of_day_parse(text: str, expected: time) -> None:
    assert parse_time(text) == expected
    assert format_time(expected) == f"{expected:%H:%M}"


@pytest.mark.parametrize(
    "text", ["24:00", "08:60", "eight", "", "08:00:00", "-1:00", "13pm", "0am", "7:3", "7hpm"]
)
def test_bad_times_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a time"):
        parse_time(text)


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
