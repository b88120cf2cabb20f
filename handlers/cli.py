"""The `newsbrief` command: the core's subcommands plus the bot's own, `run` and `chat`.

Telegram is imported only when one of these two runs, so every other command starts fast.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Any

from newsbrief.bot import cli
from newsbrief.bot.cli.articles import run_demo
from newsbrief.bot.cli.common import settings_from

__all__ = ["main"]

LOGGER = "newsbrief"


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit status."""
    return cli.main(argv, more=[register])


def register(commands: Any) -> None:
    """Add the subcommands that talk to Telegram or play it offline."""
    run = commands.add_parser("run", help="run the Telegram bot (a demo without a token)")
    run.add_argument("--webhook-url", metavar="URL", help="take updates by webhook at this URL")
    run.add_argument("--listen", metavar="HOST", help="address the webhook server listens on")
    run.add_argument("--port", type=int, metavar="N", help="port the webhook server listens on")
    run.set_defaults(handler=_run)

    chat = commands.add_parser("chat", help="talk to the bot offline in this terminal")
    chat.set_defaults(handler=_chat)


def _run(args: argparse.Namespace) -> int:
    flags = {
        "webhook_url": args.webhook_url,
        "webhook_listen": args.listen,
        "webhook_port": args.port,
    }
    telegram = {key: value for key, value in flags.items() if value is not None}
    settings = settings_from(args, **({"telegram": telegram} if telegram else {}))
    if settings.telegram.token is None:
        if sys.stdin.isatty():
            print("No TELEGRAM_BOT_TOKEN set: chatting with the bot offline instead.\n")
            return _chat(args)
        print("No TELEGRAM_BOT_TOKEN set: showing the briefing engine on the sample articles.\n")
        return run_demo(args)
    from newsbrief.bot.services import build_services
    from newsbrief.handlers.app import run_bot

    if not logging.getLogger().isEnabledFor(logging.INFO):
        logging.getLogger(LOGGER).setLevel(logging.INFO)  # a bot says what its runs did

    run_bot(settings, build_services(settings))
    return 0


def _chat(args: argparse.Namespace) -> int:
    from newsbrief.handlers.chat import run_chat

    return run_chat(settings_from(args))
