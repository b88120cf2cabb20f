"""Hostile input all the way into the store (SQLite or PostgreSQL), through the CLI too."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest
from factories import make_services, store_url
from guards import finishes
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from fuzz.strategies import (
    STORY,
    file_names,
    grown_text,
    json_values,
    nasty_text,
    opml,
    safe_name,
    suffixes,
    urls,
    utf8,
    xml_urls,
)
from newsbrief.bot.cli import main
from newsbrief.bot.model import Article
from newsbrief.bot.services import Services
from newsbrief.bot.store.schema import ArticleRecord, FeedRecord
from newsbrief.bot.urls import is_fetchable_url

GOOD_FILES = 3


def _count(services: Services, model: type) -> int:
    with services.database.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_hostile_file_costs_none_of_the_good_ones_beside_it(tmp_path: Path) -> None:
    services = make_services(tmp_path)
    runs = [0]

    @settings(max_examples=15)
    @given(file_names, suffixes, st.one_of(st.binary(max_size=300), nasty_text.map(utf8)))
    def one_folder(raw_name: bytes, suffix: str, content: bytes) -> None:
        runs[0] += 1
        folder = tmp_path / f"folder{runs[0]}"
        folder.mkdir()
        for n in range(GOOD_FILES):
            (folder / f"good{n}.txt").write_text(f"Bridge story {runs[0]}.{n}\n\n{STORY} {n}.\n")
        hostile = os.path.join(os.fsencode(folder), safe_name(raw_name, suffix))
        with open(hostile, "wb") as handle:
            handle.write(content + utf8(f"\n\n{STORY} hostile {runs[0]}."))
        before = _count(services, ArticleRecord)
        report = finishes(lambda: services.ingestor.ingest_folder(folder))
        assert report.files_seen == GOOD_FILES + 1
        assert _count(services, ArticleRecord) - before >= GOOD_FILES
        again = finishes(lambda: services.ingestor.ingest_folder(folder))
        assert again.files_unchanged == GOOD_FILES + 1  # recorded, not retried
        assert again.articles_added == again.articles_updated == 0

    try:
        one_folder()
    finally:
        services.close()


def test_any_article_fields_reach_the_store_or_are_reported(tmp_path: Path) -> None:
    services = make_services(tmp_path)

    @settings(max_examples=20)
    @given(
        st.lists(
            st.builds(
                Article,
                title=nasty_text,
                text=st.one_of(nasty_text, grown_text()).map(lambda t: f"{STORY}\n\n{t}"),
                outlet=st.none() | nasty_text,
                url=st.none() | urls,
                path=st.none() | nasty_text,
                topics=st.lists(nasty_text, max_size=2).map(tuple),
            ),
            min_size=1,
            max_size=3,
        )
    )
    def some_articles(articles: list[Article]) -> None:
        report = finishes(lambda: services.ingestor.ingest_articles(articles))
        assert report.errors == []
        assert report.articles_added + report.articles_updated + report.articles_unchanged == len(
            articles
        )

    try:
        some_articles()
    finally:
        services.close()


@pytest.fixture
def cli_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", store_url(tmp_path))
    for name in ("NEWSBRIEF_CONFIG", "NEWSBRIEF_FEEDS", "NEWSBRIEF_ARTICLES_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("cli_store")
def test_an_opml_import_keeps_every_good_outline_beside_bad_ones(tmp_path: Path) -> None:
    imported = [0]

    @settings(max_examples=10)
    @given(st.lists(xml_urls, min_size=1, max_size=5))
    def one_import(hostile: list[str]) -> None:
        imported[0] += 1
        good = [f"https://fuzz.example/{imported[0]}/{n}.xml" for n in range(3)]
        file = tmp_path / f"feeds{imported[0]}.opml"
        file.write_bytes(opml([good[0], *hostile, good[1], good[2]]))
        status = finishes(lambda: main(["feeds", "import", str(file)]))
        assert status in (0, 1)
        services = make_services(tmp_path)
        try:
            with services.database.transaction() as session:
                stored = set(session.scalars(select(FeedRecord.url)))
        finally:
            services.close()
        assert set(good) <= stored
        assert all(is_fetchable_url(url) for url in stored)

    one_import()


@given(st.lists(st.one_of(st.binary(max_size=200), json_values.map(json.dumps).map(utf8))))
def test_summarize_answers_every_line_with_one_valid_json_line(
    lines: list[bytes],
) -> None:
    good = json.dumps({"id": "good", "text": STORY}).encode()
    lines = [line.replace(b"\n", b" ").replace(b"\r", b" ") for line in lines] + [good]
    data = b"\n".join(lines) + b"\n"
    stdin, stdout = sys.stdin, sys.stdout
    sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    sys.stdout = io.StringIO()
    try:
        finishes(lambda: main(["summarize"]))
        out = sys.stdout.getvalue()
    finally:
        sys.stdin, sys.stdout = stdin, stdout
    out.encode("utf-8")
    answers = [json.loads(line) for line in out.splitlines()]
    expected = [line for line in lines if line.strip()]
    assert len(answers) == len(expected)
    assert answers[-1]["id"] == "good" and answers[-1]["summary"]
