"""The `worker` subcommand: poll feeds and scan the article folder until stopped."""

from __future__ import annotations

import argparse
import signal
from typing import TYPE_CHECKING, Any

from newsbrief.bot.cli.common import print_report, settings_from

if TYPE_CHECKING:
    from newsbrief.bot.worker import Worker


def register(commands: Any) -> None:
    """Add this module's subcommands."""
    worker = commands.add_parser("worker", help="poll feeds and scan articles until stopped")
    worker.add_argument("--once", action="store_true", help="one feed poll and one scan, then exit")
    worker.set_defaults(handler=_worker)


def _worker(args: argparse.Namespace) -> int:
    import asyncio

    from newsbrief.bot.cli.feeds import print_poll
    from newsbrief.bot.services import build_services
    from newsbrief.bot.worker import Worker

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
    import asyncio

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await worker.run(stop)
