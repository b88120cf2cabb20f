"""A digest as the messages that carry it: what is sent, and kept while a digest is under way."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from newsbrief.bot.model import Digest


@dataclass(frozen=True, slots=True)
class Rendered:
    """A chat's digest messages and the stories they carry."""

    messages: list[str]
    story_ids: frozenset[int]

    @property
    def empty(self) -> bool:
        """Tell whether there is no story to send."""
        return not self.story_ids

    def to_json(self) -> dict[str, Any]:
        """Keep for a digest's recovery (`digest_deliveries.rendering`)."""
        return {"messages": list(self.messages), "stories": sorted(self.story_ids)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Rendered:
        """Read back what `to_json` kept."""
        return cls(list(data["messages"]), frozenset(data["stories"]))


DailyRenderer = Callable[[Sequence[Digest], date], Rendered]
"""Render one subscriber's digests for a local day, leaving out those without stories."""
