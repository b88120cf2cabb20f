"""Who may change a chat's daily brief: anyone in a private chat, a group's administrators."""

from __future__ import annotations

PRIVATE = "private"
MANAGERS = frozenset({"creator", "administrator"})
"""Member statuses (as the Bot API names them) allowed to change a group's subscription."""


def may_change_subscription(
    chat_type: str, member_status: str | None, *, anonymous_admin: bool = False
) -> bool:
    """Tell whether a member may change the chat's subscription.

    `anonymous_admin` is a message a group's administrator sent as the group itself.
    """
    if chat_type == PRIVATE:
        return True
    return anonymous_admin or member_status in MANAGERS
