"""Loading article files: fixture files with their expected result beside them, plus edge cases.

Each `tests/fixtures/articles/NAME` has `NAME.expected`, JSON holding either
`{"error": "<part of the reason>"}` or `{"articles": [...]}` where each article states its
`title`, `published` (ISO or null), `outlet`, `url`, and either the exact `text` or lists of
strings the text `contains` / `excludes`; `notes` lists strings the notes must mention.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from paths import FIXTURES, SAMPLES

from newsbrief.bot.errors import ArticleError, UnsupportedFile
from newsbrief.bot.ingest.article_files import (
    ARTICLE_SUFFIXES,
    date_from_name,
    iter_article_files,
    load_articles,
    load_folder,
    outlet_from_name,
)

ARTICLES = FIXTURES / "articles"
CASES = sorted(p for p in ARTICLES.iterdir() if p.suffix != ".expected")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_fixture(path: Path) -> None:
    expected: dict[str, Any] = json.loads(path.with_name(path.name + ".expected").read_text())
    if "error" in expected:
        with pytest.raises(ArticleError) as caught:
            load_articles(path)
        assert caught.value.where.startswith(str(path))
        assert expected["error"] in caught.value.reason
        return
    articles = load_articles(path)
    assert len(articles) == len(expected["articles"])
    for article, want in zip(articles, expected["articles"], strict=True):
        assert article.title == want["title"]
        assert _iso(article.published) == want["published"]
        assert article.outlet == want["outlet"]
        assert article.url == want["url"]
        assert article.path == str(path)
        if "text" in want:
            assert article.text == want["text"]
        for part in want.get("contains", []):
            assert part in article.text
        for part in want.get("excludes", []):
            assert part not in article.text
        for part in want.get("notes", []):
            assert any(part in note for note in article.notes), article.notes
        if not want.get("notes"):
            assert article.notes == ()


NAMES = [
    # a well-known outlet's code gives the name readers know (PolNeAR's publisher codes)
    ("wash-post_2016-09-26_one-tweet-sums-up.txt", "Washington Post", "2016-09-26"),
    ("nyt_2016-10-05_debate.html", "New York Times", "2016-10-05"),
    ("west-journal_2015-12-02_x.txt", "Western Journal", "2015-12-02"),
    ("huff-post_2016-09-10_x.txt", "HuffPost", "2016-09-10"),
    ("daily-planet_2016-09-10_x.txt", "Daily Planet", "2016-09-10"),  # any other: its words
    ("abc_2016-09-10_x.txt", "ABC", "2016-09-10"),
    ("2016-10-05-debate-night.md", None, "2016-10-05"),
    ("report_2016-10-05.txt", None, "2016-10-05"),  # no slug after the date: not that shape
    ("004_c95f95febd55943f.txt", None, None),
    ("in_the_news_2016-10-05_x.txt", None, "2016-10-05"),  # not one leading token
    ("nyt_2016-02-30_x.txt", None, None),
    ("scan_20161005_x.txt", None, None),
]


@pytest.mark.parametrize(("name", "outlet", "day"), NAMES, ids=[n for n, _, _ in NAMES])
def test_outlet_and_date_from_a_file_name(name: str, outlet: str | None, day: str | None) -> None:
    assert outlet_from_name(Path(name)) == outlet
    found = date_from_name(Path(name))
    assert (found.date().isoformat() if found else None) == day


def test_every_fixture_has_its_expectation() -> None:
    for path in CASES:
        assert path.with_name(path.name + ".expected").exists(), path


def test_text_paragraphs_are_normalised() -> None:
    for path in CASES:
        expected = json.loads(path.with_name(path.name + ".expected").read_text())
        if "error" in expected:
            continue
        for article in load_articles(path):
            assert article.title.strip()
            for paragraph in article.text.split("\n\n"):
                assert paragraph == " ".join(paragraph.split())


def test_sample_with_breadcrumb_caption_and_trailers() -> None:
    (article,) = load_articles(SAMPLES / "000_9a2ab7da1ab80087.txt")
    assert article.title == (
        "Putin breaks silence on Syria crisis: "
        "'Haven't met Assad since granting him asylum in Moscow'"
    )
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0].startswith("In his first comments on Assad’s downfall")
    assert paragraphs[1].startswith("They want to present everything")  # dateline dropped
    assert "Image Source" not in article.text
    assert "Bocharov Ruchei" not in article.text  # the caption
    assert "News World" not in article.text
    for trailer in ("With inputs from", "ALSO READ", "Latest World News"):
        assert trailer not in article.text
    assert "Putin plans to meet Assad" in paragraphs  # a sub-heading stays a paragraph
    assert paragraphs[-1].startswith("Still, Putin denied")


def test_sample_with_date_prefix() -> None:
    (article,) = load_articles(SAMPLES / "004_c95f95febd55943f.txt")
    assert _iso(article.published) == "2024-12-19T00:00:00+00:00"
    assert article.text.startswith("Russian President Vladimir Putin has said he is yet to meet")
    assert article.title.startswith("Russian President Vladimir Putin has said")
    assert len(article.title) <= 101
    assert article.text.endswith('I cannot say right now," he admitted.')


def test_unknown_suffix_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "notes.docx"
    path.write_text("Some text. More text.")
    with pytest.raises(UnsupportedFile, match=r"unsupported file type '\.docx'"):
        load_articles(path)


def test_huge_file_is_refused_without_reading_past_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("".join(f"Sentence number {i} is here. " for i in range(1000)))
    with pytest.raises(ArticleError, match="larger than the 1,000-byte cap"):
        load_articles(path, max_bytes=1000)
    assert load_articles(path, max_bytes=100_000)


def test_missing_file_is_an_article_error(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="cannot read"):
        load_articles(tmp_path / "gone.txt")


def test_json_list_skips_bad_items_but_keeps_good_ones(tmp_path: Path) -> None:
    path = tmp_path / "mixed.json"
    items = [{"title": "No text"}, {"title": "Fine", "text": "This one is fine. It has text."}]
    path.write_text(json.dumps(items))
    (article,) = load_articles(path)
    assert article.title == "Fine"
    path.write_text(json.dumps(items[:1]))
    with pytest.raises(ArticleError, match="missing field 'text'") as caught:
        load_articles(path)
    assert caught.value.where == f"{path}[0]"


def test_json_wrapper_with_articles_list(tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    path.write_text(
        json.dumps({"status": "ok", "articles": [{"text": "Rain is due. Bring a coat."}]})
    )
    (article,) = load_articles(path)
    assert article.title == "Rain is due"


def test_iter_article_files_is_recursive_sorted_and_skips_hidden(tmp_path: Path) -> None:
    for name in (
        "b.txt",
        "a.md",
        "sub/c.HTML",
        "sub/d.json",
        ".hidden.txt",
        ".git/e.txt",
        "notes.docx",
        "sub/.cache/f.txt",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_article_files(tmp_path)]
    assert found == ["a.md", "b.txt", "sub/c.HTML", "sub/d.json"]
    assert {".txt", ".md", ".html", ".htm", ".json"} == ARTICLE_SUFFIXES


def test_one_bad_file_never_stops_the_others() -> None:
    articles, errors = load_folder(ARTICLES)
    failing = {p.name for p in CASES if "error" in json.loads(Path(f"{p}.expected").read_text())}
    assert {Path(e.where.split("[")[0]).name for e in errors} == failing
    assert len(articles) >= len(CASES) - len(failing)


@pytest.mark.parametrize(
    ("first", "title"),
    [
        # PolNeAR files open with their headline as a sentence (nyt 2016-09-19, wash-post
        # 2016-10-05); an abbreviation does not end it
        ("Old Hands Help Russia Navigate U.S. Media.", "Old Hands Help Russia Navigate U.S. Media"),
        (
            "International Monetary Fund slashes prospect for U.S. growth.",
            "International Monetary Fund slashes prospect for U.S. growth",
        ),
        ("E.U. leaders weigh plans for greater military coordination.", None),
        # usa-today 2016-07-29; nyt 2016-07-11 (a headline, then its section's label)
        ("Oops! Gunplay didn't disrupt GOP convention.", None),
        (
            "From failed hopefuls, bold ideas worth another look;\n\nYour Money.",
            "From failed hopefuls, bold ideas worth another look",
        ),
        # usa-today 2016-02-09: a kicker in capitals, then the headline
        (
            "NEW HAMPSHIRE PRIMARY // GAME ON;\n\nWhat each candidate needs in Tuesday showdown.",
            "What each candidate needs in Tuesday showdown",
        ),
    ],
)
def test_a_title_from_the_first_sentence_is_not_cut_at_an_abbreviation(
    tmp_path: Path, first: str, title: str | None
) -> None:
    path = tmp_path / "nyt_2016-09-19_old-hands.txt"
    path.write_text(f"{first}\n\nLast week, I caught Larry King on his post-CNN media perch.\n")
    (article,) = load_articles(path)
    assert article.title == (title or first.rstrip("."))
