"""Helpers for several bot instances on one store: due subscribers in bulk, and a tally."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import harness
from botapi import SentMessage

from newsbrief.bot.services import Services

FIRST_CHAT = 5_000_000
HEADER = "Your daily brief"


def seed_due_subscribers(services: Services, count: int, slot: datetime) -> list[int]:
    """Store `count` subscribers (UTC) whose brief falls at `slot`; return their chat ids."""
    chats = range(FIRST_CHAT, FIRST_CHAT + count)
    return harness.seed_due_subscribers(services, slot, chats, _topics)


def _topics(n: int) -> tuple[str, ...]:
    return ("syria", "kursk") if n % 2 else ("syria",)


@dataclass(frozen=True, slots=True)
class Tally:
    """What the subscribers received: briefs per chat, repeated messages, chats with none."""

    briefs: Counter[int]
    duplicates: int
    lost: int

    @property
    def chats_with_two(self) -> int:
        """Chats that got more than one brief."""
        return sum(1 for n in self.briefs.values() if n > 1)


def tally(messages: Iterable[SentMessage], chats: list[int]) -> Tally:
    """Count daily briefs per chat and messages that arrived more than once."""
    wanted = set(chats)
    ours = [m for m in messages if m.chat_id in wanted]
    briefs = Counter(m.chat_id for m in ours if m.visible_text.startswith(HEADER))
    copies = Counter((m.chat_id, m.text) for m in ours)
    return Tally(
        briefs=briefs,
        duplicates=sum(n - 1 for n in copies.values()),
        lost=sum(1 for chat in chats if briefs[chat] == 0),
    )
