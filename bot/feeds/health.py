"""When to poll a feed next and when to give up on it: pure rules, no I/O.

A healthy feed is polled every `interval`, or less often when the server asks (RSS `ttl`,
`Cache-Control: max-age`, `Retry-After`), always within [min_interval, max_interval]. A failing
feed backs off exponentially; after `max_failures` failures in a row, or at once on 410 Gone, it
is disabled with the reason kept for the admins. Jitter spreads feeds that share an interval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

__all__ = [
    "HealthPolicy",
    "Verdict",
    "after_failure",
    "after_success",
    "parse_max_age",
    "parse_retry_after",
]

_MAX_AGE = re.compile(r"(?:^|[,\s])(s-maxage|max-age)\s*=\s*\"?(\d{1,10})", re.I)
_NO_CACHE = re.compile(r"(?:^|[,\s])(?:no-cache|no-store)\b", re.I)
_MAX_BACKOFF_DOUBLINGS = 20


@dataclass(frozen=True, slots=True)
class HealthPolicy:
    """The polling rules: the usual interval, its bounds, failures tolerated, and jitter."""

    interval: timedelta = timedelta(minutes=15)
    min_interval: timedelta = timedelta(minutes=5)
    max_interval: timedelta = timedelta(hours=24)
    max_failures: int = 10
    jitter: float = 0.1

    def clamp(self, delay: timedelta) -> timedelta:
        """Keep a delay within the configured bounds."""
        return max(self.min_interval, min(self.max_interval, delay))


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one poll means for a feed: when to poll next, its failure count, and if it is off."""

    next_poll: datetime
    failures: int
    disabled_reason: str | None = None


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Read `Retry-After` as seconds or as an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=min(int(value), 10**8))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(timedelta(0), when - now)


def parse_max_age(cache_control: str | None) -> timedelta | None:
    """Read how long a response may be cached from `Cache-Control`; None when it does not say."""
    if not cache_control or _NO_CACHE.search(cache_control):
        return None
    ages = {name.lower(): int(seconds) for name, seconds in _MAX_AGE.findall(cache_control)}
    seconds = ages.get("s-maxage", ages.get("max-age"))
    return None if seconds is None else timedelta(seconds=min(seconds, 10**8))


def _jittered(delay: timedelta, policy: HealthPolicy, rand: float) -> timedelta:
    """Add up to `jitter` of the delay, so feeds polled together drift apart."""
    return delay * (1 + policy.jitter * min(max(rand, 0.0), 1.0))


def after_success(
    policy: HealthPolicy,
    now: datetime,
    *,
    ttl_minutes: int | None = None,
    cache_control: str | None = None,
    retry_after: str | None = None,
    rand: float = 0.0,
) -> Verdict:
    """Schedule a feed that answered: its interval, stretched by the server's hints, bounded."""
    hints = [
        policy.interval,
        timedelta(minutes=ttl_minutes) if ttl_minutes else None,
        parse_max_age(cache_control),
        parse_retry_after(retry_after, now),
    ]
    delay = policy.clamp(max(h for h in hints if h is not None))
    return Verdict(next_poll=now + _jittered(delay, policy, rand), failures=0)


def after_failure(
    policy: HealthPolicy,
    now: datetime,
    *,
    failures_before: int,
    reason: str,
    gone: bool = False,
    retry_after: str | None = None,
    rand: float = 0.0,
) -> Verdict:
    """Back a failing feed off exponentially; disable it when gone or failing too long."""
    failures = failures_before + 1
    doublings = min(failures - 1, _MAX_BACKOFF_DOUBLINGS)
    delay = policy.interval * (2**doublings)
    waited = parse_retry_after(retry_after, now)
    if waited is not None:
        delay = max(delay, waited)
    next_poll = now + _jittered(policy.clamp(delay), policy, rand)
    if gone:
        return Verdict(next_poll, failures, f"gone: the server answered 410 ({reason})")
    if failures >= policy.max_failures:
        return Verdict(next_poll, failures, f"{failures} failures in a row; last: {reason}")
    return Verdict(next_poll, failures)
