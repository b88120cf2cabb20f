"""`newsbrief stories`: the stored stories on the scripting contract, driven through the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from factories import BBC, sample_folder, store_url

from newsbrief.handlers.cli import main

STORY_KEYS = {"id", "title", "published", "articles", "brief", "quotes"}
ARTICLE_KEYS = {"path", "url", "title", "source", "published"}


@pytest.fixture(autouse=True)
def _own_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", store_url(tmp_path))
    for name in ("NEWSBRIEF_CONFIG", "NEWSBRIEF_ARTICLES_DIR", "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def _two_stories(tmp_path: Path) -> Path:
    """The Putin samples (2024-12-19) and a BBC business article dated by its file name."""
    folder = sample_folder(tmp_path)
    bbc = (BBC / "business" / "003.txt").read_text(encoding="utf-8")
    (folder / "bbc_2024-12-27_yukos-unit-buyer.txt").write_text(bbc, encoding="utf-8")
    assert main(["ingest", "--articles", str(folder)]) == 0
    return folder


def _stories_json(*args: str) -> list[dict[str, Any]]:
    """Run the installed command in its own process, as a script would."""
    done = subprocess.run(
        [sys.executable, "-m", "newsbrief.handlers", "stories", "--json", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    listing = json.loads(done.stdout)
    assert set(listing) == {"stories"}
    stories: list[dict[str, Any]] = listing["stories"]
    return stories


def test_stories_lists_the_stored_stories_newest_first_in_the_promised_shape(
    tmp_path: Path,
) -> None:
    _two_stories(tmp_path)
    newer, older = _stories_json()
    for story in (newer, older):
        assert set(story) == STORY_KEYS
        assert all(set(a) == ARTICLE_KEYS for a in story["articles"])
        assert all(set(q) == {"text", "speaker", "sources"} for q in story["quotes"])
        assert story["brief"] and all(isinstance(s, str) for s in story["brief"])
    assert newer["title"] == "Yukos unit buyer faces loan claim"
    assert newer["published"] == "2024-12-27T00:00:00+00:00"
    (article,) = newer["articles"]
    assert article["source"] == "BBC" and article["url"] is None
    assert article["path"].endswith("bbc_2024-12-27_yukos-unit-buyer.txt")
    assert "Putin" in older["title"] and older["published"] == "2024-12-19T00:00:00+00:00"
    assert len(older["articles"]) == 2, "the two outlets on one press conference are one story"
    assert any(q["speaker"] == "Vladimir Putin" for q in older["quotes"])
    assert newer["id"] != older["id"]


def test_stories_filters_by_topic_and_date(tmp_path: Path) -> None:
    _two_stories(tmp_path)
    (syria,) = _stories_json("--topic", "syria")
    assert "Putin" in syria["title"]
    (recent,) = _stories_json("--since", "2024-12-20")
    assert recent["title"] == "Yukos unit buyer faces loan claim"
    assert _stories_json("--since", "2025-01-01T00:00+01:00") == []


def test_stories_prints_readable_text_and_names_a_bad_topic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _two_stories(tmp_path)
    capsys.readouterr()
    assert main(["stories"]) == 0
    out = capsys.readouterr().out
    assert out.index("1. Yukos unit buyer faces loan claim") < out.index("2. Putin")
    assert "2 sources" in out
    assert main(["stories", "--topic", "nosuchtopic"]) == 2
    assert "unknown topic 'nosuchtopic'" in capsys.readouterr().err


def test_stories_only_reads_an_empty_store(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stories"]) == 0
    assert "No stories stored yet" in capsys.readouterr().out
    assert main(["stories", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"stories": []}
    assert main(["stories"]) == 0
    assert "No stories stored yet" in capsys.readouterr().out, "listing ingested the samples"
