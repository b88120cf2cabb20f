"""Subcommands that keep running: the worker, the Telegram bot and the offline chat."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from typing import Any

from bot.cli.articles import run_demo
from bot.cli.common import print_report, settings_from
from bot.cli.feeds import print_poll
from bot.services import build_services
from bot.worker import Worker


def register(commands: Any) -> None:
    """Add this module's subcommands."""
    worker = commands.add_parser("worker", help="poll feeds and scan articles until stopped")
    worker.add_argument("--once", action="store_true", help="one feed poll and one scan, then exit")
    worker.set_defaults(handler=_worker)

    run = commands.add_parser("run", help="run the Telegram bot (a demo without a token)")
    run.add_argument("--webhook-url", metavar="URL", help="take updates by webhook at this URL")
    run.add_argument("--listen", metavar="HOST", help="address the webhook server listens on")
    run.add_argument("--port", type=int, metavar="N", help="port the webhook server listens on")
    run.set_defaults(handler=_run)

    chat = commands.add_parser("chat", help="talk to the bot offline in this terminal")
    chat.set_defaults(handler=_chat)


def _worker(args: argparse.Namespace) -> int:
    services = build_services(settings_from(args))
    worker = Worker(services)
    try:
        if args.once:
            poll, scan = asyncio.run(worker.once())
            print_poll(poll, "feeds")
            if scan is None:
                print("articles: another worker is scanning the folder")
            else:
                print_report(scan, str(services.articles_dir))
            return 0
        print(f"newsbrief worker {worker.holder}: polling feeds and {services.articles_dir}")
        asyncio.run(_work_until_signalled(worker))
        return 0
    finally:
        services.close()


async def _work_until_signalled(worker: Worker) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await worker.run(stop)


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
    from handlers.app import run_bot  # the core never imports Telegram; only this command does

    run_bot(settings, build_services(settings))
    return 0


def _chat(args: argparse.Namespace) -> int:
    from handlers.chat import run_chat

    return run_chat(settings_from(args))
