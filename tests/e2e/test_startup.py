"""Starting `newsbrief run` against the stand-in: a refused token, a wrong or PTB-style API URL,
Telegram unreachable for a while, and a restart right after a crash."""

from __future__ import annotations

import signal
import subprocess
import tempfile
from pathlib import Path

from botapi import BotApiStandIn

from e2e.processes import bot_environment, run_bot, start_bot, wait_while_running

WRONG_TOKEN = "987654321:AAWrongTokenTheStandInRejects_012345678"


def stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    """Stop a running bot as Ctrl-C does; return its output once it has exited cleanly."""
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    return out, err


def test_a_rejected_token_stops_the_bot_with_one_line_and_status_2(
    botapi: BotApiStandIn, tmp_path: Path
) -> None:
    done = run_bot(bot_environment(botapi, tmp_path, TELEGRAM_BOT_TOKEN=WRONG_TOKEN))
    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("newsbrief: error: ") and "rejected the bot token" in line
    secret = WRONG_TOKEN.split(":")[1]
    assert secret not in done.stderr and "Traceback" not in done.stderr


def test_a_404_on_getme_says_to_check_the_api_url(botapi: BotApiStandIn, tmp_path: Path) -> None:
    wrong = f"http://127.0.0.1:{botapi.port}/nowhere"
    done = run_bot(bot_environment(botapi, tmp_path, TELEGRAM_API_BASE_URL=wrong))
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert "check TELEGRAM_API_BASE_URL" in line and "invalid token" not in line.lower()
    assert botapi.token.split(":")[1] not in done.stderr


def test_the_api_url_may_be_written_as_python_telegram_bot_writes_it(
    botapi: BotApiStandIn, tmp_path: Path
) -> None:
    assert botapi.base_url.endswith("/bot")
    bot = start_bot(bot_environment(botapi, tmp_path, TELEGRAM_API_BASE_URL=botapi.base_url))
    try:
        wait_while_running(bot, lambda: botapi.polls_started >= 1, "it polled")
    finally:
        stop(bot)


def test_telegram_unreachable_at_start_is_retried_with_one_line_per_attempt(
    botapi: BotApiStandIn, tmp_path: Path
) -> None:
    botapi.go_offline()
    with tempfile.TemporaryFile("w+") as errors:

        def logged() -> str:
            errors.seek(0)
            return errors.read()

        def attempts() -> list[str]:
            return [line for line in logged().splitlines() if "unreachable" in line]

        bot = start_bot(bot_environment(botapi, tmp_path), stderr=errors)
        try:
            wait_while_running(bot, lambda: len(attempts()) >= 2, "two attempts to reach it")
            botapi.go_online()
            wait_while_running(bot, lambda: botapi.polls_started >= 1, "it polled")
        finally:
            stop(bot)
        assert "Traceback" not in logged()
        assert all("retrying in" in line for line in attempts())
        assert botapi.token.split(":")[1] not in logged()


def test_a_restart_right_after_a_crash_is_not_refused(
    botapi: BotApiStandIn, tmp_path: Path
) -> None:
    environment = bot_environment(botapi, tmp_path)
    crashed = start_bot(environment)
    wait_while_running(crashed, lambda: botapi.polls_started >= 1, "the first instance polled")
    crashed.kill()
    crashed.communicate()  # reaped, as a supervisor does: no process has its id any more
    polled = botapi.polls_started
    restarted = start_bot(environment)
    try:
        wait_while_running(restarted, lambda: botapi.polls_started > polled, "the restart polled")
    finally:
        stop(restarted)
