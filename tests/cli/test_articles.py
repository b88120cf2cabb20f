"""The article commands on hostile input: each bad line, pipe, setting or path gets one line."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from factories import sample_folder, store_url
from paths import SAMPLES

from newsbrief.bot.cli import main

ARTICLE = next(SAMPLES.glob("004_*.txt")).read_text()


@pytest.fixture(autouse=True)
def _own_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", store_url(tmp_path))
    for name in ("NEWSBRIEF_CONFIG", "NEWSBRIEF_ARTICLES_DIR", "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def summarize_bytes(
    data: bytes, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[dict[str, object]]]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    status = main(["summarize"])
    out = capsys.readouterr().out
    out.encode("utf-8")  # the output is valid UTF-8 whatever came in
    return status, [json.loads(line) for line in out.splitlines()]


def test_summarize_gives_each_bad_line_its_error_and_goes_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    good = json.dumps({"id": "good", "text": ARTICLE}).encode()
    lines = [
        json.dumps({"id": "surrogate", "text": "Hello \ud800 there. " + ARTICLE}).encode(),
        b'{"id": "latin1", "text": "caf\xe9 au lait. The minister said so on Tuesday."}',
        b'{"text": "No id. The minister said so on Tuesday, officials added."}',
        json.dumps({"id": "zh", "text": "我们今天去北京开会。会议讨论了经济问题。"}).encode(),
        b'{"id": "\\udc80", "text": 5}',
        good,
    ]
    status, out = summarize_bytes(b"\n".join(lines) + b"\n", monkeypatch, capsys)
    assert status == 1
    assert [o["id"] for o in out] == ["surrogate", None, None, "zh", "\udc80", "good"]
    assert "summary" in out[0] and "error" not in out[0]
    assert out[1]["error"] == "line 2: not valid UTF-8 (byte 30)"
    assert out[2]["error"] == "line 3: missing 'id'"
    assert "no sentence fit to brief" in str(out[3]["error"])
    assert "'text' must be a string" in str(out[4]["error"])
    assert len(out[5]["summary"]) == 3  # type: ignore[arg-type]


def test_brief_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
        "NEWSBRIEF_DATABASE_URL": store_url(tmp_path),
    }
    done = subprocess.run(
        f"{sys.executable} -m newsbrief.handlers brief syria | head -c 1",
        shell=True,
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )
    assert done.stdout == "S"
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr


def test_articles_naming_a_file_says_it_is_not_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = next(sample_folder(tmp_path).glob("*.txt"))
    assert main(["ingest", "--articles", str(file)]) == 2
    err = capsys.readouterr().err
    assert "is a file, not a folder" in err and "does not exist" not in err


BAD_SETTINGS = {
    "invalid TOML": ({"NEWSBRIEF_CONFIG": "{config}"}, "invalid TOML"),
    "a mysql:// store": (
        {"NEWSBRIEF_DATABASE_URL": "mysql://user@host/db"},
        "database_url: Value error, unsupported database 'mysql'",
    ),
    "an unreachable PostgreSQL": (
        {"NEWSBRIEF_DATABASE_URL": "postgresql://postgres:secret@127.0.0.1:1/none"},
        "database_url: cannot open the store at postgresql://postgres:***@127.0.0.1:1/none",
    ),
    "a feed URL with no host": (
        {"NEWSBRIEF_FEEDS": '["http://"]'},
        "feeds: Value error, not a feed URL",
    ),
    "a variable that does not parse": ({"NEWSBRIEF_FEEDS": "[not json"}, '"feeds"'),
}


@pytest.mark.parametrize("case", list(BAD_SETTINGS))
def test_a_bad_setting_exits_2_with_one_line_naming_it(
    case: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("feeds = [\n")
    variables, named = BAD_SETTINGS[case]
    for name, value in variables.items():
        monkeypatch.setenv(name, value.format(config=config))
    assert main(["brief", "syria"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("newsbrief: error: ") and err.count("\n") == 1
    assert named in err and "secret" not in err
