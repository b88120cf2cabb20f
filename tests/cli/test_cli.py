import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from factories import sample_folder
from paths import SAMPLES

from newsbrief.handlers.cli import main


@pytest.fixture(autouse=True)
def _own_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    for name in (
        "NEWSBRIEF_CONFIG",
        "NEWSBRIEF_DATABASE_URL",
        "NEWSBRIEF_ARTICLES_DIR",
        "TELEGRAM_BOT_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)


def test_brief_works_on_a_fresh_install_with_no_configuration(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "fresh")}
    done = subprocess.run(
        [sys.executable, "-m", "newsbrief.handlers", "brief", "syria", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    digest = json.loads(done.stdout)
    assert digest["topic"] == "syria" and digest["generated_at"]
    (story,) = digest["stories"]
    assert set(story) == {"title", "published", "sources", "brief", "quotes"}
    assert len(story["sources"]) == 2
    assert all(set(s) == {"name", "url", "path"} for s in story["sources"])
    assert story["quotes"][0]["speaker"] == "Vladimir Putin"
    assert set(story["quotes"][0]) == {"text", "speaker", "sources"}
    assert "store is empty" in done.stderr
    # one quotation split around "Putin said" is one key quote, and a second one is different
    first, second = story["quotes"][:2]
    assert (
        "defeat for Russia ... I assure you it is not ... we have achieved our goals"
        in (first["text"])
    )
    assert second["text"] != first["text"] and "defeat for Russia" not in second["text"]
    # sources are outlets, named from the articles' links, never file names; a quote lists
    # the outlets whose text holds it
    names = [source["name"] for source in story["sources"]]
    assert sorted(names) == ["dailysabah.com", "indiatvnews.com"]
    assert first["sources"] == ["dailysabah.com"]
    assert not any(name.endswith(".txt") for q in story["quotes"] for name in q["sources"])


def test_ingest_says_what_it_did_and_names_bad_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = sample_folder(tmp_path)
    (folder / "empty.md").write_text("   \n")
    status = main(["ingest", "--articles", str(folder)])
    out, err = capsys.readouterr()
    assert status == 1
    assert "articles: 2 new" in out and "stories: 1 new" in out
    assert "empty.md" in err and "empty" in err
    assert main(["ingest", "--articles", str(folder)]) == 1
    out, err = capsys.readouterr()
    assert "3 unchanged" in out
    assert "empty.md" in err and "unchanged since" in err


def test_ingest_of_a_missing_folder_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", "--articles", str(tmp_path / "nope")]) == 2
    assert "nope does not exist" in capsys.readouterr().err


def test_brief_prints_a_readable_digest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", "--articles", str(sample_folder(tmp_path))]) == 0
    capsys.readouterr()
    assert main(["brief", "kursk"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Kursk — latest stories")
    assert "Kursk region" in out and "Vladimir Putin" in out


def test_a_bad_setting_stops_the_command_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSBRIEF_DIGEST_STORIES", "lots")
    assert main(["brief", "syria"]) == 2
    assert "digest_stories" in capsys.readouterr().err


def _summarize(
    lines: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *args: str,
) -> tuple[int, list[dict[str, object]]]:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    status = main(["summarize", *args])
    return status, [json.loads(x) for x in capsys.readouterr().out.splitlines()]


def test_summarize_answers_each_line_and_a_bad_line_does_not_stop_the_rest(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = SAMPLES.glob("004_*.txt")
    article = next(iter(text)).read_text()
    lines = [
        json.dumps({"id": 1, "title": "Putin", "text": article}),
        "{not json",
        json.dumps({"id": "x", "text": 5}),
        json.dumps({"id": 3, "text": article}),
    ]
    status, out = _summarize(lines, monkeypatch, capsys)
    assert status == 1
    assert [o.get("id") for o in out] == [1, None, "x", 3]
    assert "error" in out[1] and "error" in out[2] and "text" in str(out[2]["error"])
    assert len(out[0]["summary"]) == 3  # type: ignore[arg-type]
    assert len(out[0]["quotes"]) == 2  # type: ignore[arg-type]
    for quote in out[0]["quotes"]:  # type: ignore[attr-defined]
        assert quote["speaker"] == "Vladimir Putin"
        assert all(part in article for part in quote["text"].split(" ... "))


def test_summarize_options(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    article = next(SAMPLES.glob("004_*.txt"))
    line = json.dumps({"id": 1, "text": article.read_text()})
    status, (out,) = _summarize(
        [line], monkeypatch, capsys, "--sentences", "1", "--quotes", "all", "--algorithm", "lexrank"
    )
    assert status == 0
    assert len(out["summary"]) == 1  # type: ignore[arg-type]
    assert len(out["quotes"]) >= 6  # type: ignore[arg-type]


def test_the_demo_runs_with_no_token(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 0
    out = capsys.readouterr().out
    assert "No TELEGRAM_BOT_TOKEN" in out
    assert "$ newsbrief brief syria" in out and "$ newsbrief brief kursk" in out
