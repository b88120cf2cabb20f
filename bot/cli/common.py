"""What every subcommand shares: settings, argument types, progress and reports."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from newsbrief.bot.ingest.pipeline import IngestReport
    from newsbrief.config.settings import Settings


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def quote_count(value: str) -> int | None:
    if value == "all":
        return None
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError("must be a number >= 0 or 'all'")
    return number


def settings_from(args: argparse.Namespace, **overrides: Any) -> Settings:
    from newsbrief.config.settings import load_settings

    return load_settings(args.config, **overrides)


def progress_bar(stream: TextIO) -> Any:
    if not stream.isatty():
        return None

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} files")
        if done == total:
            stream.write("\n")
        stream.flush()

    return show


def print_report(report: IngestReport, label: str) -> None:
    print(f"{label}: {report.summary()}")
    for error in report.errors:
        print(f"  skipped: {error}", file=sys.stderr)
