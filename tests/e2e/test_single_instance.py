"""`newsbrief run` as a real process: a second poller on the same token and store refuses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from botapi import BotApiStandIn
from factories import sample_folder, store_url

from newsbrief.bot.store.database import Database
from newsbrief.bot.store.leases import current_holder
from newsbrief.handlers.polling_lease import lease_name


def _environment(botapi: BotApiStandIn, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": botapi.token,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{botapi.port}",
        "NEWSBRIEF_DATABASE_URL": store_url(tmp_path),
        "NEWSBRIEF_ARTICLES_DIR": str(sample_folder(tmp_path)),
        "NEWSBRIEF_BOT_INGESTS": "false",
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
    }


def _start(environment: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "newsbrief.handlers", "run"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_second_polling_instance_refuses_and_the_first_lets_go_on_exit(
    botapi: BotApiStandIn, tmp_path: Path
) -> None:
    environment = _environment(botapi, tmp_path)
    first = _start(environment)
    try:
        deadline = time.monotonic() + 60
        while botapi.polls_started < 1:
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the first instance never polled"
            time.sleep(0.05)
        second = subprocess.run(
            [sys.executable, "-m", "newsbrief.handlers", "run"],
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert second.returncode == 2
        assert "already polling Telegram with this bot token" in second.stderr
        assert botapi.token not in second.stderr + second.stdout
    finally:
        first.send_signal(signal.SIGINT)
        out, err = first.communicate(timeout=30)
    assert first.returncode == 0, err
    assert botapi.token not in out + err
    database = Database(store_url(tmp_path))
    try:
        with database.transaction() as session:
            assert current_holder(session, lease_name(botapi.token), now=datetime.now(UTC)) is None
    finally:
        database.close()
