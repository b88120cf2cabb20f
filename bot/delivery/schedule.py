"""Subscriber rules with no Telegram in them: digest times and daily slots.

A subscriber's daily slot is a local wall-clock time in an IANA zone. Slots are computed with
`zoneinfo`, so they follow daylight saving: a wall time that a spring-forward skips is sent
just after the gap (02:30 on a day clocks jump from 02:00 to 03:00 becomes 03:30), and a wall
time that a fall-back repeats is sent once, at its first occurrence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ON_TIME = timedelta(minutes=5)
"""A slot this late still counts as on time, even with no grace for missed slots."""

_CLOCK = re.compile(r"(\d{1,2})(?:[:.h](\d{2}))?(h|[ap]\.?m\.?)?")


def parse_time(text: str) -> time:
    """Read a time of day: `07:30`, `7.30`, `19h`, `7`, `7pm`, `7:30 pm`, `7 p.m.`.

    Raise ValueError for anything else, or an hour or minute out of range.
    """
    match = _CLOCK.fullmatch("".join(text.lower().split()))
    if match is None:
        raise ValueError(f"not a time of day: {text[:16]!r}")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").replace(".", "")
    if suffix in ("am", "pm"):
        if not 1 <= hour <= 12:
            raise ValueError(f"not a time of day: {text[:16]!r}")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ValueError(f"not a time of day: {text[:16]!r}")
    return time(hour, minute)


def format_time(value: time) -> str:
    """Write a digest time as HH:MM."""
    return f"{value:%H:%M}"


def slot_at(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of local time `at` on `day` (after a DST gap; first of a repeat)."""
    # fold=0 reads a skipped wall time with the offset from before the gap, which lands it
    # as far after the gap as it was meant to be into it; a repeated one, at its first pass.
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def next_slot(after: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The first daily slot strictly after `after`."""
    first = after.astimezone(zone).date()
    for offset in range(-1, 3):
        instant = slot_at(first + timedelta(days=offset), at, zone)
        if instant > after:
            return instant
    raise AssertionError("a daily slot always comes within two days")  # pragma: no cover


def latest_slot(now: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The last daily slot at or before `now`."""
    first = now.astimezone(zone).date()
    for offset in range(1, -3, -1):
        instant = slot_at(first + timedelta(days=offset), at, zone)
        if instant <= now:
            return instant
    raise AssertionError("a daily slot always came within two days")  # pragma: no cover


@dataclass(frozen=True, slots=True)
class SlotDecision:
    """What to do for a subscriber whose slot has come: send for `local_date` or skip it."""

    slot: datetime
    local_date: date
    send: bool
    next_due: datetime


def decide_slot(now: datetime, at: time, zone: ZoneInfo, grace: timedelta) -> SlotDecision:
    """Take the latest slot at or before `now`: send it if it is within the grace window."""
    slot = latest_slot(now, at, zone)
    late = now - slot
    return SlotDecision(
        slot=slot,
        local_date=slot.astimezone(zone).date(),
        send=late <= max(grace, ON_TIME),
        next_due=next_slot(slot, at, zone),
    )
