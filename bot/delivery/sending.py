"""What sending one chat's messages can come to, and the `Sender` that daily digests go through.

The core decides what to send and records what happened; a `Sender` (Telegram's lives in
`handlers/delivery.py`) only talks to the messenger and turns its answers into a `DeliveryResult`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class DeliveryStatus(StrEnum):
    """How sending to one chat ended."""

    DELIVERED = "delivered"
    """Every message was sent."""
    PARTIAL = "partial"
    """The messenger refused some messages (logged); the others were sent."""
    DEACTIVATE = "deactivate"
    """The chat cannot be reached any more (blocked, deactivated, kicked): stop sending to it."""
    FAILED = "failed"
    """Gave up for now (flood control or network); worth trying again later."""
    WITHDRAWN = "withdrawn"
    """Not sent: the fence said the message was no longer the caller's to send."""


@dataclass(frozen=True, slots=True)
class MessageFailure:
    """A message that was not sent: its index in the list and the messenger's reason."""

    index: int
    error: str


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """What happened to one chat's messages."""

    chat_id: int
    status: DeliveryStatus
    sent_message_ids: tuple[int, ...] = ()
    failures: tuple[MessageFailure, ...] = ()
    migrated_to: int | None = None
    reason: str | None = None

    @property
    def deactivate(self) -> bool:
        """Tell whether the caller should stop sending to this chat."""
        return self.status is DeliveryStatus.DEACTIVATE

    @property
    def current_chat_id(self) -> int:
        """The chat id to use from now on (the supergroup's after a migration)."""
        return self.migrated_to if self.migrated_to is not None else self.chat_id


Fence = Callable[[], Awaitable[bool]]
"""Asked right before each message goes out: is it still ours to send? (See `claims.Claim`.)"""


class Sender(Protocol):
    """Sends messages to chats within the messenger's limits, saying what happened."""

    @property
    def overall_rate(self) -> float:
        """Messages a second this sender sends at most, all chats together."""
        ...

    @property
    def concurrency(self) -> int:
        """Chats worth sending to at once."""
        ...

    def share(self, instances: int) -> None:
        """Pace at an equal share of the bot's limit: `instances` processes send for one bot."""
        ...

    async def send(
        self, chat_id: int, messages: Sequence[str], *, fence: Fence | None = None
    ) -> DeliveryResult:
        """Send `messages` to `chat_id` in order; say what happened instead of raising.

        With a `fence`, ask it as late as possible before each message (after any wait for a
        turn) and stop, `WITHDRAWN`, when it says no.
        """
        ...
