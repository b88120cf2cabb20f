"""Inline button data: what each button does, written into it and read back strictly.

A button carries its whole meaning (subscribe to Syria, show page 2 of /digest), so an old
keyboard still does what its label says, whatever happened since it was sent. Anything that
does not parse (forged, from an older version, too long) reads as None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

CALLBACK_MAX_BYTES = 64
"""Telegram's limit on an inline button's callback data."""

_TOPIC = re.compile(r"([su]):([a-z0-9_]{1,32})")
_LEGACY_TOGGLE = re.compile(r"t:([a-z0-9_]{1,32})")
_PAGE = re.compile(r"p:(?:t:([a-z0-9_]{1,32})|(d)):(\d{1,3})")
_FORGET = re.compile(r"f:(yes|no)")


def _checked(data: str) -> str:
    if len(data.encode()) > CALLBACK_MAX_BYTES:
        raise ValueError(f"button data {data!r} is over {CALLBACK_MAX_BYTES} bytes")
    return data


def _fits(data: str | None) -> str | None:
    if data is None or len(data.encode()) > CALLBACK_MAX_BYTES:
        return None
    return data


@dataclass(frozen=True, slots=True)
class TopicButton:
    """Subscribe to a topic, or unsubscribe from it."""

    topic: str
    subscribe: bool

    def data(self) -> str:
        """Encode the button."""
        data = f"{'s' if self.subscribe else 'u'}:{self.topic}"
        if _TOPIC.fullmatch(data) is None:
            raise ValueError(f"topic {self.topic!r} cannot go in a button")
        return _checked(data)

    @classmethod
    def parse(cls, data: str | None) -> TopicButton | None:
        """Read a topic button; anything else gives None."""
        match = _TOPIC.fullmatch(_fits(data) or "")
        return cls(match.group(2), match.group(1) == "s") if match else None


def legacy_toggle_topic(data: str | None) -> str | None:
    """Read the topic of a blind toggle button that older versions sent (``t:syria``)."""
    match = _LEGACY_TOGGLE.fullmatch(_fits(data) or "")
    return match.group(1) if match else None


class PagedKind(Enum):
    """What a paged digest shows: one topic, or everything the chat reads."""

    TOPIC = "t"
    MINE = "d"


@dataclass(frozen=True, slots=True)
class PageButton:
    """Show page `page` (from 0) of a topic's digest or of the chat's own digest."""

    kind: PagedKind
    page: int
    topic: str = ""

    def data(self) -> str:
        """Encode the button."""
        if not 0 <= self.page <= 999:
            raise ValueError(f"page {self.page} is out of range")
        if self.kind is PagedKind.MINE:
            return f"p:d:{self.page}"
        data = f"p:t:{self.topic}:{self.page}"
        if _PAGE.fullmatch(data) is None:
            raise ValueError(f"topic {self.topic!r} cannot go in a button")
        return _checked(data)

    @classmethod
    def parse(cls, data: str | None) -> PageButton | None:
        """Read a page button; anything else gives None."""
        match = _PAGE.fullmatch(_fits(data) or "")
        if match is None:
            return None
        page = int(match.group(3))
        if match.group(2):
            return cls(PagedKind.MINE, page)
        return cls(PagedKind.TOPIC, page, match.group(1))


@dataclass(frozen=True, slots=True)
class ForgetButton:
    """Confirm or call off `/stop`."""

    confirm: bool

    def data(self) -> str:
        """Encode the button."""
        return f"f:{'yes' if self.confirm else 'no'}"

    @classmethod
    def parse(cls, data: str | None) -> ForgetButton | None:
        """Read a confirmation button; anything else gives None."""
        match = _FORGET.fullmatch(_fits(data) or "")
        return cls(match.group(1) == "yes") if match else None
