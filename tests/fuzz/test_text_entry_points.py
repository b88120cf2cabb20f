"""Hostile text through the text engine and the article loader: no crash, linear work."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from guards import finishes
from hypothesis import given
from hypothesis import strategies as st

from fuzz.strategies import (
    STORY,
    file_names,
    grown_text,
    nasty_text,
    safe_name,
    suffixes,
    utf8,
)
from newsbrief.bot.errors import ArticleError
from newsbrief.bot.feeds.parse import html_to_text
from newsbrief.bot.ingest.analysis import storable_article
from newsbrief.bot.ingest.article_files import load_articles, markdown_to_text
from newsbrief.bot.text.briefs import summarize
from newsbrief.bot.text.cleaning import clean_text
from newsbrief.bot.text.html_page import html_to_article_parts
from newsbrief.bot.text.quotes import find_quotes
from newsbrief.bot.text.sentences import sentence_spans


@given(grown_text())
def test_the_text_rules_are_linear_on_grown_hostile_text(text: str) -> None:
    spans = finishes(lambda: sentence_spans(text))
    assert all(0 <= start < end <= len(text) for start, end in spans)
    assert finishes(lambda: clean_text(text)).body is not None
    finishes(lambda: markdown_to_text(text))
    finishes(lambda: html_to_text(text))
    finishes(lambda: html_to_article_parts(text))


@given(grown_text())
def test_briefs_and_quotes_are_linear_and_verbatim_on_grown_hostile_text(text: str) -> None:
    text = text[:60_000]  # the summarizer's matrices cost the most per character
    for sentence in finishes(lambda: summarize(text)):
        assert sentence in text
    for quote in finishes(lambda: find_quotes(text)):
        assert text[quote.start : quote.end] == quote.text


@given(st.data(), file_names, suffixes)
def test_any_file_gives_articles_or_an_article_error(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, raw_name: bytes, suffix: str
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    content = data.draw(
        st.one_of(
            st.binary(max_size=400),
            nasty_text.map(lambda t: utf8(f"{t}\n\n{STORY}")),
            grown_text().map(utf8),
        )
    )
    path = Path(os.fsdecode(os.path.join(os.fsencode(folder), safe_name(raw_name, suffix))))
    path.write_bytes(content)
    try:
        articles = finishes(lambda: load_articles(path))
    except ArticleError as error:
        assert str(error)  # a reason that names the file
        return
    for article in articles:
        stored = storable_article(article)
        for value in (stored.title, stored.text, stored.outlet or "", stored.path or ""):
            assert "\x00" not in value
            value.encode("utf-8")
