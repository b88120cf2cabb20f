"""`newsbrief chat`: the same bot, offline, typed at through an in-process Bot API."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from factories import sample_folder

from newsbrief.config.settings import load_settings
from newsbrief.handlers.chat import LineReader, as_text, chat


def script(*lines: str) -> LineReader:
    """Type these lines, then end the input."""
    queue = list(lines)

    async def read(prompt: str) -> str | None:
        return queue.pop(0) if queue else None

    return read


def test_html_is_shown_as_text_with_links_spelled_out() -> None:
    shown = as_text('<b>Title</b> &amp; <a href="https://e.com/a?b=1&amp;c=2">BBC</a>')
    assert shown == "Title & BBC (https://e.com/a?b=1&c=2)"


async def test_a_terminal_chat_uses_the_same_commands_buttons_and_digests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    settings = load_settings(data_dir=tmp_path / "data", articles_dir=sample_folder(tmp_path))
    out = io.StringIO()
    await chat(settings, script("/start", "1", "/syria", "", "what now", "/mytopics"), out)
    text = out.getvalue()
    assert "articles: 2 new" in text
    assert "Welcome to newsbrief." in text and "[1] ➕ Syria" in text
    assert "(Syria added to your daily brief.)" in text and "[1] ✅ Syria" in text
    assert "Putin breaks silence on Syria crisis" in text and "— Vladimir Putin" in text
    assert "/follow what now to follow these words" in text
    assert "Topics: Syria" in text
    assert not (tmp_path / "data").exists()  # the chat keeps its store to itself


async def test_a_button_number_beyond_the_list_is_not_taken_as_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    settings = load_settings(data_dir=tmp_path / "data", articles_dir=sample_folder(tmp_path))
    out = io.StringIO()
    await chat(settings, script("7", "/start", "99", "0"), out)
    text = out.getvalue()
    assert "There are no buttons to press yet." in text
    assert "There is no button 99: the last buttons were 1 to " in text
    assert "There is no button 0" in text
    assert "/follow 99" not in text and "/follow 7" not in text


class Terminal:
    """`newsbrief chat` in a process of its own, its output collected as it comes."""

    def __init__(self, tmp_path: Path) -> None:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("TELEGRAM_BOT_TOKEN", "NEWSBRIEF_CONFIG", "NEWSBRIEF_DATABASE_URL")
        }
        env.update(
            XDG_DATA_HOME=str(tmp_path / "xdg"),
            NEWSBRIEF_ARTICLES_DIR=str(sample_folder(tmp_path)),
            PYTHONUNBUFFERED="1",
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "newsbrief.handlers", "chat"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        self.output = bytearray()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        while chunk := self.process.stdout.read1(4096):
            self.output.extend(chunk)

    def wait_for_prompt(self, timeout: float = 120.0) -> None:
        """Wait (a generous hang guard) until the chat asks for a line."""
        deadline = time.monotonic() + timeout
        while b"you> " not in self.output:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"no prompt: {bytes(self.output)!r}")
            time.sleep(0.05)

    def finish(self, timeout: float = 30.0) -> tuple[int, str, str]:
        """Wait for the chat to end; kill it if it hangs (and fail)."""
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError("the chat did not end") from None
        self.reader.join(5)
        assert self.process.stderr is not None and self.process.stdout is not None
        err = self.process.stderr.read().decode()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        return code, self.output.decode(), err


def test_ctrl_c_at_the_prompt_leaves_at_once(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path)
    terminal.wait_for_prompt()
    terminal.process.send_signal(signal.SIGINT)  # stdin stays open: nobody presses Enter
    code, out, err = terminal.finish()
    assert code == 130
    assert out.endswith("you> \n")
    assert "Traceback" not in err


def test_ctrl_d_at_the_prompt_leaves_with_a_newline(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path)
    terminal.wait_for_prompt()
    assert terminal.process.stdin is not None
    terminal.process.stdin.close()
    code, out, err = terminal.finish()
    assert code == 0
    assert out.endswith("you> \n")
    assert "Traceback" not in err
