"""Time zones as people write them: `Europe/Berlin`, `Berlin`, `Kyiv`, `GMT+3`, `UTC+3`, `+03:00`.

An offset means what its writer means: `GMT+3` and `UTC+3` are three hours ahead of UTC,
the tz database's `Etc/GMT-3` (whose POSIX-style sign is the other way round). A city
alone finds its zone when all the zones named after it keep the same time (`Kyiv`,
`Indianapolis`); a near miss gets suggestions. A zone is shown with its current UTC offset.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import TZPATH, ZoneInfo, ZoneInfoNotFoundError, available_timezones

MAX_ZONE_CHARS = 64
ETC_HOURS = range(-12, 15)
"""The whole-hour offsets the tz database has an `Etc/GMT...` zone for (UTC-12 to UTC+14)."""

_SKIPPED_ZONE_PREFIXES = ("posix/", "right/", "SystemV/")
_REGIONS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Arctic/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)
_OFFSET = re.compile(r"(?:utc|gmt|z)?\s*([+\-−])\s*(\d{1,2})(?:\s*[:.h]?\s*(\d{2}))?")
_ZERO = frozenset({"utc", "gmt", "z", "utc+0", "utc-0", "gmt+0", "gmt-0", "+0", "-0", "+00:00"})
_SAMPLES = tuple(datetime(2000, 1, 1, tzinfo=UTC) + timedelta(days=15 * n) for n in range(900))
"""Instants from 2000 to 2036 at which two zones must keep the same time to count as one."""


@dataclass(frozen=True, slots=True)
class ZoneMatch:
    """What a user's zone text came to: a zone, or suggestions (both empty: unknown)."""

    zone: str | None
    suggestions: tuple[str, ...] = ()


def _key(text: str) -> str:
    """Lowercase, accents off, spaces as underscores: how zone names are compared."""
    decomposed = unicodedata.normalize("NFKD", text.strip()[:MAX_ZONE_CHARS])
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "_".join(plain.split()).lower()


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    """Map every usable zone name, lowercased, to its canonical spelling."""
    names = {
        name
        for name in available_timezones()
        if not name.startswith(_SKIPPED_ZONE_PREFIXES) and name != "localtime"
    }
    return {name.lower(): name for name in names}


@lru_cache(maxsize=1)
def _cities() -> dict[str, tuple[str, ...]]:
    """Map each zone's last part ("berlin", "new_york") to the zones ending in it."""
    cities: dict[str, list[str]] = {}
    for lower, name in _zones().items():
        cities.setdefault(lower.rsplit("/", 1)[-1], []).append(name)
    return {city: tuple(sorted(names)) for city, names in cities.items()}


@lru_cache(maxsize=256)
def _behaviour(name: str) -> tuple[timedelta | None, ...]:
    zone = ZoneInfo(name)
    return tuple(zone.utcoffset(instant) for instant in _SAMPLES)


@lru_cache(maxsize=1)
def _aliases() -> frozenset[str]:
    """Old names the tz database keeps as links (`Europe/Kiev`), when its source is at hand."""
    for folder in TZPATH:
        try:
            lines = (Path(folder) / "tzdata.zi").read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        return frozenset(line.split()[2] for line in lines if line.startswith("L "))
    return frozenset()


def _preferred(names: tuple[str, ...]) -> str:
    """Of zones that keep the same time, the current regional name (no old alias)."""
    aliases = _aliases()
    return max(names, key=lambda n: (n not in aliases, n.startswith(_REGIONS), n.count("/"), n))


def _usable(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def offset_zone(text: str) -> str | None:
    """Read `UTC+3`, `GMT-5`, `+03:00`, `UTC` as a fixed-offset zone name, if it is one."""
    key = _key(text).replace("_", "")
    if key in _ZERO:
        return "UTC"
    match = _OFFSET.fullmatch(key)
    if match is None:
        return None
    sign = -1 if match.group(1) in "-−" else 1
    hours, minutes = int(match.group(2)), int(match.group(3) or 0)
    if minutes or sign * hours not in ETC_HOURS:
        return None
    if hours == 0:
        return "UTC"
    # Etc/GMT-3 is UTC+3: the tz database keeps the POSIX sign convention.
    return f"Etc/GMT{'-' if sign > 0 else '+'}{hours}"


def zones_at_offset(text: str, now: datetime, limit: int = 3) -> list[str] | None:
    """Name regional zones now at an offset no `Etc/` zone has (`+05:30`, `UTC+5:45`).

    None when `text` is no offset at all; an empty list for an offset no place keeps.
    """
    match = _OFFSET.fullmatch(_key(text).replace("_", ""))
    if match is None:
        return None
    sign = -1 if match.group(1) in "-−" else 1
    wanted = sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
    same: dict[tuple[timedelta | None, ...], list[str]] = {}
    for name in sorted(_zones().values()):
        if name.startswith(_REGIONS) and ZoneInfo(name).utcoffset(now) == wanted:
            same.setdefault(_behaviour(name), []).append(name)
    return sorted(_preferred(tuple(names)) for names in same.values())[:limit]


def city_zone(text: str) -> str | None:
    """Find the zone a city names ("Berlin", "new york", "Kyiv") when it names one only."""
    names = _cities().get(_key(text))
    if not names:
        return None
    kinds = {_behaviour(name) for name in names}
    return _preferred(names) if len(kinds) == 1 else None


def find_timezone(text: str) -> str | None:
    """Return the zone name for `text` (a zone, a city, an offset), or None."""
    key = _key(text)
    if not key:
        return None
    name = offset_zone(text) or _zones().get(key) or city_zone(text)
    return name if name is not None and _usable(name) else None


def suggest_timezones(text: str, now: datetime, limit: int = 3) -> list[str]:
    """Offer the zone names closest to a misspelt one ("Europe/Berln", "berlin")."""
    key = _key(text)
    if not key:
        return []
    at_offset = zones_at_offset(text, now, limit)
    if at_offset is not None:
        return at_offset
    zones = _zones()
    found = difflib.get_close_matches(key, list(zones), n=limit, cutoff=0.6)
    found = [zones[z] for z in found]
    cities = _cities()
    for city in difflib.get_close_matches(key.rsplit("/", 1)[-1], list(cities), cutoff=0.75):
        names = cities[city]
        if len({_behaviour(n) for n in names}) == 1:
            names = (_preferred(names),)
        found.extend(n for n in names if n not in found)
    return found[:limit]


def match_timezone(text: str, now: datetime) -> ZoneMatch:
    """Resolve a zone the user typed, or say which zones they may have meant."""
    zone = find_timezone(text)
    if zone is not None:
        return ZoneMatch(zone)
    return ZoneMatch(None, tuple(suggest_timezones(text, now)))


def utc_offset(zone: str, now: datetime) -> str:
    """The zone's offset from UTC at `now`, as `UTC+03:00` (`UTC` itself when none)."""
    offset = ZoneInfo(zone).utcoffset(now) or timedelta(0)
    if not offset:
        return "UTC"
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def zone_label(zone: str, now: datetime) -> str:
    """Show a zone with its current offset: `Europe/Berlin (UTC+01:00)`, `UTC+03:00`."""
    offset = utc_offset(zone, now)
    if zone in ("UTC", "Etc/UTC") or zone.startswith("Etc/GMT"):
        return offset
    return f"{zone} ({offset})"
