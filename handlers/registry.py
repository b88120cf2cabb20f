"""Commands as data: each handler module lists its commands; the root turns them into handlers."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from telegram import BotCommand
from telegram.ext import CommandHandler, filters

from newsbrief.handlers.groups import admins_only_in_groups
from newsbrief.handlers.runtime import Callback, Context

MAX_MENU_COMMANDS = 100
"""Telegram's limit on a command list."""

_NAME = re.compile(r"[a-z0-9_]{1,32}")


@dataclass(frozen=True, slots=True)
class Command:
    """A slash command: its name, what it does, its menu text and who may use it.

    `admin`: the bot's admins only. `changes_chat`: it changes the chat's daily brief, which in
    a group only the group's administrators may do.
    """

    name: str
    callback: Callback
    description: str
    admin: bool = False
    changes_chat: bool = False

    def __post_init__(self) -> None:
        if _NAME.fullmatch(self.name) is None:
            raise ValueError(f"command {self.name!r} must be 1-32 of a-z, 0-9, _")
        if not 1 <= len(self.description) <= 256:
            raise ValueError(f"command {self.name!r} needs a description of 1-256 characters")


def check_unique(commands: Iterable[Command]) -> None:
    """Refuse two commands with one name (a topic named like a bot command, say)."""
    seen: set[str] = set()
    for command in commands:
        if command.name in seen:
            raise ValueError(f"command /{command.name} is defined twice")
        seen.add(command.name)


def command_handlers(
    commands: Iterable[Command], admin_ids: Collection[int]
) -> list[CommandHandler[Context, None]]:
    """Make a handler per command; admin commands only match admins (others fall through)."""
    admins = filters.User(user_id=admin_ids)
    return [
        CommandHandler(
            c.name,
            admins_only_in_groups(c.callback) if c.changes_chat else c.callback,
            filters=admins if c.admin else None,
        )
        for c in commands
    ]


def menu(commands: Sequence[Command], *, admin: bool = False) -> list[BotCommand]:
    """The command menu: the public commands (and admin ones if asked), at most 100."""
    return [BotCommand(c.name, c.description) for c in commands if admin or not c.admin][
        :MAX_MENU_COMMANDS
    ]
