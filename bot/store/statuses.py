"""Stored statuses as enums: the column keeps the value's string, code sees the member."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


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


class StoredEnum(TypeDecorator[StrEnum]):
    """Keep a StrEnum member as its string value and hand the member back."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> StrEnum | None:
        return None if value is None else self.enum(value)
