"""Time zones as people write them: zones, cities, offsets with the sign they mean."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsbrief.bot.delivery.zones import (
    find_timezone,
    match_timezone,
    suggest_timezones,
    utc_offset,
    zone_label,
)

WINTER = datetime(2025, 1, 15, 12, tzinfo=UTC)
SUMMER = datetime(2025, 7, 15, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("europe/berlin", "Europe/Berlin"),
        ("America/New York", "America/New_York"),
        ("Berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("São Paulo", "America/Sao_Paulo"),
        ("Kyiv", "Europe/Kyiv"),
        ("Buenos Aires", "America/Argentina/Buenos_Aires"),
        ("GMT+3", "Etc/GMT-3"),
        ("UTC+3", "Etc/GMT-3"),
        ("utc + 3", "Etc/GMT-3"),
        ("+03:00", "Etc/GMT-3"),
        ("UTC-5", "Etc/GMT+5"),
        ("GMT−5", "Etc/GMT+5"),
        ("-05:00", "Etc/GMT+5"),
        ("UTC+14", "Etc/GMT-14"),
        ("UTC", "UTC"),
        ("gmt", "UTC"),
        ("+00:00", "UTC"),
        ("Etc/GMT+3", "Etc/GMT+3"),
    ],
)
def test_zones_cities_and_offsets_are_found(text: str, zone: str) -> None:
    assert find_timezone(text) == zone


@pytest.mark.parametrize(
    "text", ["Mars/Olympus", "posix/Europe/Berlin", "UTC+15", "", "west", "+05:30"]
)
def test_what_names_no_one_zone_is_not_found(text: str) -> None:
    assert find_timezone(text) is None


def test_an_offset_means_what_its_writer_means() -> None:
    zone = find_timezone("GMT+3")
    assert zone is not None and utc_offset(zone, WINTER) == "UTC+03:00"
    zone = find_timezone("UTC-5")
    assert zone is not None and utc_offset(zone, SUMMER) == "UTC-05:00"


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("Europe/Berln", "Europe/Berlin"),
        ("Berln", "Europe/Berlin"),
        ("UTC+5:30", "Asia/Kolkata"),
        ("+05:45", "Asia/Kathmandu"),
    ],
)
def test_near_misses_get_suggestions(text: str, suggestion: str) -> None:
    found = match_timezone(text, WINTER)
    assert found.zone is None and suggestion in found.suggestions


def test_one_zone_under_two_names_is_suggested_once() -> None:
    assert suggest_timezones("UTC+5:30", WINTER).count("Asia/Kolkata") == 1
    assert "Asia/Calcutta" not in suggest_timezones("UTC+5:30", WINTER)
    assert suggest_timezones("Kyiw", WINTER) == ["Europe/Kyiv"]


def test_nonsense_gets_no_suggestion() -> None:
    assert suggest_timezones("qqqqqqqqqqqqqqqq", WINTER) == []
    assert suggest_timezones("", WINTER) == []
    assert suggest_timezones("UTC+15", WINTER) == []


def test_labels_show_the_offset_in_force() -> None:
    assert zone_label("Europe/Berlin", WINTER) == "Europe/Berlin (UTC+01:00)"
    assert zone_label("Europe/Berlin", SUMMER) == "Europe/Berlin (UTC+02:00)"
    assert zone_label("Asia/Kathmandu", WINTER) == "Asia/Kathmandu (UTC+05:45)"
    assert zone_label("America/St_Johns", WINTER) == "America/St_Johns (UTC-03:30)"
    assert zone_label("Etc/GMT-3", WINTER) == "UTC+03:00"
    assert zone_label("UTC", WINTER) == "UTC"
