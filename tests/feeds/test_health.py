"""Polling rules: intervals from server hints within bounds, backoff, disabling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newsbrief.bot.feeds.health import (
    HealthPolicy,
    after_failure,
    after_success,
    parse_max_age,
    parse_retry_after,
)

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
POLICY = HealthPolicy(
    interval=timedelta(minutes=15),
    min_interval=timedelta(minutes=5),
    max_interval=timedelta(hours=6),
    max_failures=4,
    jitter=0.1,
)


def test_a_healthy_feed_is_polled_at_its_interval() -> None:
    verdict = after_success(POLICY, NOW)
    assert verdict.next_poll == NOW + timedelta(minutes=15)
    assert verdict.failures == 0 and verdict.disabled_reason is None


@pytest.mark.parametrize(
    ("hints", "minutes"),
    [
        ({"ttl_minutes": 60}, 60),
        ({"ttl_minutes": 1}, 15),
        ({"cache_control": "public, max-age=1800"}, 30),
        ({"cache_control": "max-age=600, s-maxage=3600"}, 60),
        ({"cache_control": "no-cache, max-age=3600"}, 15),
        ({"retry_after": "7200"}, 120),
        ({"ttl_minutes": 100_000}, 360),
        ({"cache_control": "max-age=99999999999"}, 360),
    ],
)
def test_server_hints_stretch_the_interval_within_the_bounds(
    hints: dict[str, object], minutes: int
) -> None:
    verdict = after_success(POLICY, NOW, **hints)  # type: ignore[arg-type]
    assert verdict.next_poll == NOW + timedelta(minutes=minutes)


def test_jitter_only_adds_up_to_its_fraction() -> None:
    assert after_success(POLICY, NOW, rand=1.0).next_poll == NOW + timedelta(minutes=16.5)
    assert after_success(POLICY, NOW, rand=0.5).next_poll == NOW + timedelta(minutes=15.75)


def test_failures_back_off_exponentially_up_to_the_maximum() -> None:
    delays = []
    failures = 0
    for _ in range(3):
        verdict = after_failure(POLICY, NOW, failures_before=failures, reason="HTTP 500")
        failures = verdict.failures
        delays.append(verdict.next_poll - NOW)
    assert delays == [timedelta(minutes=15), timedelta(minutes=30), timedelta(minutes=60)]
    far = after_failure(POLICY, NOW, failures_before=2, reason="x")
    assert far.next_poll - NOW == timedelta(minutes=60)
    capped = after_failure(
        HealthPolicy(max_failures=100, max_interval=timedelta(hours=6)),
        NOW,
        failures_before=60,
        reason="x",
    )
    assert capped.next_poll - NOW == timedelta(hours=6) and capped.disabled_reason is None


def test_retry_after_on_a_failure_is_honoured() -> None:
    verdict = after_failure(POLICY, NOW, failures_before=0, reason="HTTP 503", retry_after="3600")
    assert verdict.next_poll == NOW + timedelta(hours=1)


def test_after_n_failures_in_a_row_the_feed_is_disabled_with_the_reason() -> None:
    verdict = after_failure(POLICY, NOW, failures_before=3, reason="HTTP 500")
    assert verdict.failures == 4
    assert verdict.disabled_reason == "4 failures in a row; last: HTTP 500"
    assert after_failure(POLICY, NOW, failures_before=2, reason="x").disabled_reason is None


def test_gone_disables_at_once() -> None:
    verdict = after_failure(POLICY, NOW, failures_before=0, reason="HTTP 410", gone=True)
    assert verdict.disabled_reason is not None and "410" in verdict.disabled_reason


def test_retry_after_is_read_as_seconds_or_a_date() -> None:
    assert parse_retry_after("120", NOW) == timedelta(seconds=120)
    assert parse_retry_after("Sat, 01 Jun 2024 13:00:00 GMT", NOW) == timedelta(hours=1)
    assert parse_retry_after("Sat, 01 Jun 2024 11:00:00 GMT", NOW) == timedelta(0)
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None


def test_max_age_reading() -> None:
    assert parse_max_age("max-age=60") == timedelta(seconds=60)
    assert parse_max_age('private, max-age="120"') == timedelta(seconds=120)
    assert parse_max_age("no-store") is None
    assert parse_max_age("public") is None
    assert parse_max_age(None) is None
