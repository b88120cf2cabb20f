"""`newsbrief run` as a real process against the stand-in: its environment, start and waits."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from botapi import BotApiStandIn
from factories import sample_folder, store_url

RUN = [sys.executable, "-m", "newsbrief.handlers", "run"]
STARTUP_SECONDS = 60.0
"""A generous hang guard for a process that imports everything and migrates a store."""


def bot_environment(botapi: BotApiStandIn, tmp_path: Path, **extra: str) -> dict[str, str]:
    """Point a bot process at the stand-in and a store in `tmp_path`, polling by default."""
    environment = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": botapi.token,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{botapi.port}",
        "NEWSBRIEF_DATABASE_URL": store_url(tmp_path),
        "NEWSBRIEF_ARTICLES_DIR": str(sample_folder(tmp_path)),
        "NEWSBRIEF_BOT_INGESTS": "false",
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
        **extra,
    }
    environment.pop("NEWSBRIEF_CONFIG", None)
    return environment


def start_bot(
    environment: dict[str, str], *args: str, stderr: IO[str] | int = subprocess.PIPE
) -> subprocess.Popen[str]:
    """Start `newsbrief run` with its output captured (stderr to a file if given one)."""
    return subprocess.Popen(
        [*RUN, *args], env=environment, stdout=subprocess.PIPE, stderr=stderr, text=True
    )


def run_bot(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `newsbrief run` to its end (it is expected to stop on its own)."""
    return subprocess.run(
        RUN, env=environment, capture_output=True, text=True, timeout=STARTUP_SECONDS, check=False
    )


def wait_while_running(
    process: subprocess.Popen[str], condition: Callable[[], bool], what: str
) -> None:
    """Wait until `condition` holds, failing if the process ends first or it never does."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the bot ended before {what}: {process.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
