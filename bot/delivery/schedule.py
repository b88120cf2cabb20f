"""Subscriber rules with no Telegram in them: digest times, time zones, daily slots, button data.

A subscriber's daily slot is a local wall-clock time in an IANA zone. Slots are computed with
`zoneinfo`, so they follow daylight saving: a wall time that a spring-forward skips is sent
just after the gap (02:30 on a day clocks jump from 02:00 to 03:00 becomes 03:30), and a wall
time that a fall-back repeats is sent once, at its first occurrence.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

CALLBACK_MAX_BYTES = 64
"""Telegram's limit on an inline button's callback data."""

MAX_ZONE_CHARS = 64
ON_TIME = timedelta(minutes=5)
"""A slot this late still counts as on time, even with no grace for missed slots."""

_HHMM = re.compile(r"([01]?\d|2[0-3])[:.h]([0-5]\d)")
_TOGGLE = re.compile(r"t:([a-z0-9_]{1,32})")
_SKIPPED_ZONE_PREFIXES = ("posix/", "right/", "SystemV/")


def parse_time(text: str) -> time:
    """Read a digest time written as HH:MM (24-hour clock); raise ValueError otherwise."""
    match = _HHMM.fullmatch(text.strip().lower())
    if match is None:
        raise ValueError(f"not a time of day: {text[:16]!r}")
    return time(int(match.group(1)), int(match.group(2)))


def format_time(value: time) -> str:
    """Write a digest time as HH:MM."""
    return f"{value:%H:%M}"


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    """Map every usable zone name, lowercased, to its canonical spelling."""
    names = {
        name
        for name in available_timezones()
        if not name.startswith(_SKIPPED_ZONE_PREFIXES) and name != "localtime"
    }
    return {name.lower(): name for name in names}


def find_timezone(text: str) -> str | None:
    """Return the canonical zone name for `text` (any case, spaces for underscores), or None."""
    key = text.strip()[:MAX_ZONE_CHARS].replace(" ", "_").lower()
    name = _zones().get(key)
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def suggest_timezones(text: str, limit: int = 3) -> list[str]:
    """Offer the zone names closest to a misspelt one ("Europe/Berln", "berlin")."""
    key = text.strip()[:MAX_ZONE_CHARS].replace(" ", "_").lower()
    if not key:
        return []
    zones = _zones()
    found = difflib.get_close_matches(key, list(zones), n=limit, cutoff=0.6)
    if len(found) < limit:
        cities: dict[str, list[str]] = {}
        for lower in zones:
            cities.setdefault(lower.rsplit("/", 1)[-1], []).append(lower)
        for city in difflib.get_close_matches(key.rsplit("/", 1)[-1], list(cities), cutoff=0.75):
            found.extend(z for z in sorted(cities[city]) if z not in found)
    return [zones[z] for z in found[:limit]]


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


def toggle_data(topic: str) -> str:
    """Encode the button that toggles a subscription to `topic`."""
    data = f"t:{topic}"
    if _TOGGLE.fullmatch(data) is None or len(data.encode()) > CALLBACK_MAX_BYTES:
        raise ValueError(f"topic {topic!r} cannot go in a button")
    return data


def parse_toggle(data: str | None) -> str | None:
    """Read a toggle button's topic; anything else (forged, stale, too long) gives None."""
    if data is None or len(data.encode()) > CALLBACK_MAX_BYTES:
        return None
    match = _TOGGLE.fullmatch(data)
    return match.group(1) if match else None
