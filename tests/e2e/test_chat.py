"""`newsbrief chat`: the same bot, offline, typed at through an in-process Bot API."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from factories import sample_folder

from newsbrief.config.settings import load_settings
from newsbrief.handlers.chat import as_text, chat


def script(*lines: str) -> Callable[[str], str]:
    """Type these lines, then end the input."""
    queue = list(lines)

    def read(prompt: str) -> str:
        if not queue:
            raise EOFError
        return queue.pop(0)

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
