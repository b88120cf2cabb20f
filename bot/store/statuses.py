"""Stored statuses as enums: the column keeps the value's string (`shapes.StoredEnum`), code
sees the member. Nothing here loads SQLAlchemy, so the CLI can name them at once."""

from __future__ import annotations

from enum import StrEnum


class DigestStatus(StrEnum):
    """Where a subscriber's daily digest of one local day stands."""

    CLAIMED = "claimed"
    SENT = "sent"
    EMPTY = "empty"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    LAPSED = "lapsed"
    """Claimed, never finished, and found by a recovering instance past the grace window."""


class FeedOrigin(StrEnum):
    """How a feed came to be subscribed."""

    CLI = "cli"
    OPML = "opml"
    SETTINGS = "settings"
    TELEGRAM = "telegram"
