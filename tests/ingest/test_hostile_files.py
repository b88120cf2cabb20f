"""One bad file never costs another: hostile names and fields are stored, special files skipped."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from factories import make_services, sample_folder, store_url
from guards import finishes
from sqlalchemy import select

from newsbrief.bot.cli import main
from newsbrief.bot.ingest.article_files import load_articles, markdown_to_text
from newsbrief.bot.services import Services
from newsbrief.bot.store.schema import ArticleRecord, SourceFile, Story

STORY = (
    "The council voted on Tuesday to rebuild the old bridge over the river. "
    "Work is due to start in the spring and to last two years, officials said. "
    "Residents have asked for a safer crossing since the floods of last winter."
)


@pytest.fixture
def services(tmp_path: Path):  # type: ignore[no-untyped-def]
    built = make_services(tmp_path)
    yield built
    built.close()


def _records(services: Services) -> list[ArticleRecord]:
    with services.database.transaction() as session:
        return list(session.scalars(select(ArticleRecord).order_by(ArticleRecord.id)))


def _json(item: dict[str, str]) -> str:
    return json.dumps(item)  # keeps "\ud800" as the escape a hostile file would carry


HOSTILE = {
    "lone surrogate": ("surrogate.json", _json({"title": "Bridge \ud800 vote", "text": STORY})),
    "NUL in the title": ("nul.json", _json({"title": "Bridge\u0000vote", "text": STORY})),
    "NUL in the text": ("nultext.json", _json({"title": "Bridge", "text": STORY + "\u0000"})),
    "URL over 2,048 characters": (
        "long_url.json",
        _json({"title": "Bridge", "url": "https://x.example/" + "a" * 3000, "text": STORY}),
    ),
    "outlet over 256 characters": (
        "outlet.json",
        _json({"title": "Bridge", "source": "Outlet " * 100, "text": STORY}),
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_field_is_made_storable_and_the_batch_is_kept(
    case: str, services: Services, tmp_path: Path
) -> None:
    folder = sample_folder(tmp_path)
    name, content = HOSTILE[case]
    (folder / name).write_text(content)
    report = services.ingestor.ingest_folder(folder)
    assert report.errors == [] and report.articles_added == 3
    records = _records(services)
    assert len(records) == 3
    for record in records:
        for value in (record.title, record.text, record.outlet or "", record.key):
            assert "\x00" not in value
            value.encode("utf-8")  # no lone surrogate left
    assert services.ingestor.ingest_folder(folder).files_unchanged == 3


def test_a_file_name_that_is_not_utf8_is_stored_with_escapes(
    services: Services, tmp_path: Path
) -> None:
    folder = sample_folder(tmp_path)
    with open(os.path.join(os.fsencode(folder), b"caf\xe9.txt"), "w") as handle:
        handle.write(f"Bridge vote\n\n{STORY}\n")
    report = services.ingestor.ingest_folder(folder)
    assert report.errors == [] and report.articles_added == 3
    paths = [r.path for r in _records(services)]
    assert any(p and p.endswith("caf\\xe9.txt") for p in paths)
    again = services.ingestor.ingest_folder(folder)
    assert (again.files_unchanged, again.errors) == (3, [])


def test_a_path_over_the_stored_width_is_kept_and_forgotten_when_deleted(
    services: Services, tmp_path: Path
) -> None:
    folder = sample_folder(tmp_path)
    deep = folder
    for n in range(6):
        deep = deep / (f"{n}" + "d" * 200)
    deep.mkdir(parents=True)
    (deep / "long.txt").write_text(f"Bridge vote\n\n{STORY}\n")
    report = services.ingestor.ingest_folder(folder)
    assert report.errors == [] and report.articles_added == 3
    assert services.ingestor.ingest_folder(folder).files_unchanged == 3
    (deep / "long.txt").unlink()
    gone = services.ingestor.ingest_folder(folder)
    assert gone.files_gone == 1 and len(_records(services)) == 2


def test_a_named_pipe_in_the_folder_is_skipped_not_waited_on(
    services: Services, tmp_path: Path
) -> None:
    folder = sample_folder(tmp_path)
    os.mkfifo(folder / "pipe.txt")
    done: list[object] = []
    worker = threading.Thread(target=lambda: done.append(services.ingestor.ingest_folder(folder)))
    worker.start()
    worker.join(timeout=120)  # a hang guard: the pipe has no writer, reading it never ends
    if worker.is_alive():
        with open(folder / "pipe.txt", "w"):  # let the reader go before failing
            pass
        pytest.fail("ingest waited on a named pipe")
    (report,) = done
    assert report.files_seen == 2 and report.articles_added == 2  # type: ignore[attr-defined]


def test_a_deleted_file_takes_its_article_out_of_the_stories(
    services: Services, tmp_path: Path
) -> None:
    folder = sample_folder(tmp_path)
    services.ingestor.ingest_folder(folder)
    with services.database.transaction() as session:
        (story,) = session.scalars(select(Story))
        assert len(story.sources) == 2
    removed, kept = sorted(folder.glob("*.txt"))
    removed.unlink()
    report = services.ingestor.ingest_folder(folder)
    assert report.files_gone == 1 and "1 gone" in report.summary()
    with services.database.transaction() as session:
        (story,) = session.scalars(select(Story))
        assert [s.path for s in story.sources] == [str(kept)]
        assert list(session.scalars(select(SourceFile.path))) == [str(kept)]
    kept.unlink()
    services.ingestor.ingest_folder(folder)
    with services.database.transaction() as session:
        assert list(session.scalars(select(Story))) == []
    assert _records(services) == []


def test_a_sibling_folder_with_the_same_prefix_is_not_forgotten(
    services: Services, tmp_path: Path
) -> None:
    folder = sample_folder(tmp_path)
    sibling = tmp_path / "articles-more"
    sibling.mkdir()
    (sibling / "bridge.txt").write_text(f"Bridge vote\n\n{STORY}\n")
    services.ingestor.ingest_folder(sibling)
    report = services.ingestor.ingest_folder(folder)
    assert report.files_gone == 0 and len(_records(services)) == 3


def test_items_skipped_from_a_json_list_count_as_failed_and_are_named(
    services: Services, tmp_path: Path
) -> None:
    folder = sample_folder(tmp_path)
    items = [{"title": "Bridge", "text": STORY}, {"title": "no text"}, 7]
    (folder / "list.json").write_text(json.dumps(items))
    report = services.ingestor.ingest_folder(folder)
    assert report.articles_added == 3 and len(report.errors) == 2
    assert any("list.json[1]" in e and "missing field 'text'" in e for e in report.errors)
    assert any("list.json[2]" in e and "expected a JSON object" in e for e in report.errors)
    again = services.ingestor.ingest_folder(folder)
    assert again.files_unchanged == 3 and "unchanged since" in again.errors[0]


def test_a_file_error_is_printed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", store_url(tmp_path))
    folder = sample_folder(tmp_path)
    (folder / "empty.md").write_text("  \n")
    assert main(["ingest", "--articles", str(folder)]) == 1
    assert capsys.readouterr().err.count("empty.md") == 1


HOSTILE_MARKDOWN = {
    "stars that never close": " *a" * 30_000,
    "underscores that never close": "_a " * 30_000,
    "links that never close": "[a](" * 30_000,
    "images that never close": "![" * 40_000,
    "brackets": "[" * 90_000,
    "a line of spaces": " " * 90_000 + "x",
    "a line of tabs": "\t" * 90_000 + "x",
    "fences that never close": "```a\n" * 20_000,
    "a heading with a gap": "# a" + " " * 90_000 + "b",
    "backticks": "`" * 90_000,
}


@pytest.mark.parametrize("case", list(HOSTILE_MARKDOWN))
def test_hostile_markdown_is_read_in_linear_time(case: str, tmp_path: Path) -> None:
    file = tmp_path / "hostile.md"
    file.write_text(f"Bridge vote\n\n{STORY}\n\n{HOSTILE_MARKDOWN[case]}\n")
    (article,) = finishes(lambda: load_articles(file))
    assert "Residents have asked for a safer crossing" in article.text


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("**bold *it* more** and __this__", "bold it more and this"),
        ("**a * b** and ~~gone~~", "a * b and gone"),
        ("*it **b** it* and `code`", "it b it and code"),
        ("[a link](http://x.example/(a)) and ![img](http://x/a.png)", "a link and "),
        (
            "x\n\n## Section ##\n\n<http://x.example/a> end",
            "x\n\nSection\n\nhttp://x.example/a end",
        ),
        ("x\n```py\ncode\n```\ny", "x\n\ny"),
    ],
)
def test_markdown_keeps_its_words(markdown: str, text: str) -> None:
    assert markdown_to_text(markdown) == text
