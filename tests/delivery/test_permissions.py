"""Who may change a chat's daily brief."""

from __future__ import annotations

import pytest

from newsbrief.bot.delivery.permissions import may_change_subscription


@pytest.mark.parametrize(
    ("chat", "status", "anonymous", "allowed"),
    [
        ("private", None, False, True),
        ("group", "creator", False, True),
        ("supergroup", "administrator", False, True),
        ("group", "member", False, False),
        ("supergroup", "restricted", False, False),
        ("group", "left", False, False),
        ("group", None, False, False),
        ("supergroup", None, True, True),
    ],
)
def test_only_group_administrators_may_change(
    chat: str, status: str | None, anonymous: bool, allowed: bool
) -> None:
    assert may_change_subscription(chat, status, anonymous_admin=anonymous) is allowed
