"""The `newsbrief` command: a stable scripting contract over the core (see README, "CLI")."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from newsbrief.bot.cli import articles, feeds, stories, worker
from newsbrief.bot.errors import NewsbriefError

__all__ = ["Register", "main"]

Register = Callable[[Any], None]
"""Adds subcommands to argparse's subparsers: how outer layers (the bot) plug theirs in."""


def main(argv: Sequence[str] | None = None, more: Sequence[Register] = ()) -> int:
    """Run one command and return its exit status."""
    args = _parser(more).parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.handler(args))
    except NewsbriefError as error:
        print(f"newsbrief: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `newsbrief brief x | head`: the reader has all it wanted
        _silence_stdout()
        return 141


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so flushing it at exit raises no second BrokenPipeError."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real descriptor (captured output): nothing to flush
        pass


def _parser(more: Sequence[Register]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsbrief", description="Short, trustworthy news briefs with key quotes."
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=os.environ.get("NEWSBRIEF_CONFIG") or None,
        help="TOML settings file (default: $NEWSBRIEF_CONFIG)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    for register in (articles.register, stories.register, feeds.register, worker.register, *more):
        register(commands)
    return parser
