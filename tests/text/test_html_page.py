"""HTML pages to article parts: metadata, fallbacks, hostile input, and extraction quality."""

from __future__ import annotations

import gzip
import json
import re
import statistics
from collections import Counter
from datetime import UTC, datetime

import pytest
from paths import EVAL

from newsbrief.bot.text.html_page import (
    MAX_HTML_CHARS,
    html_to_article_parts,
    looks_like_html,
)

EXTRACTION = EVAL / "article-extraction"
PARA = (
    "<p>The minister said the plan would work. Critics said it would not, and asked for a "
    "vote. The vote is due on Monday.</p>"
)


def _page(head: str = "", body: str = PARA) -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body><article>{body}</article></body></html>"


def test_metadata_comes_from_meta_tags() -> None:
    head = (
        '<meta property="og:title" content="Plan approved">'
        '<meta property="og:site_name" content="The Gazette">'
        '<meta property="article:published_time" content="2024-03-01T09:30:00+01:00">'
        '<link rel="canonical" href="https://gazette.example/plan">'
    )
    parts = html_to_article_parts(_page(head))
    assert parts.title == "Plan approved"
    assert parts.outlet == "The Gazette"
    assert parts.url == "https://gazette.example/plan"
    assert parts.published is not None
    assert parts.published.isoformat() == "2024-03-01T09:30:00+01:00"
    assert parts.body.startswith("The minister said the plan would work.")


def test_date_from_json_ld_and_outlet_from_given_url() -> None:
    head = (
        '<script type="application/ld+json">{"@graph": [{"datePublished": "2023-05-02"}]}</script>'
    )
    parts = html_to_article_parts(_page(head), url="https://www.news.example/a")
    assert parts.published == datetime(2023, 5, 2, tzinfo=UTC)
    assert parts.url == "https://www.news.example/a"
    assert parts.outlet == "news.example"


def test_fragment_falls_back_to_a_text_dump() -> None:
    parts = html_to_article_parts("<p>Short note. It is brief.</p><script>var x = 1;</script>")
    assert parts.body == "Short note. It is brief."


@pytest.mark.parametrize(
    "text, expected",
    [
        ("<html><body><p>x</p></body></html>", True),
        ("<p>A paragraph of text.</p>", True),
        ("Plain prose that mentions <b> once in a long line of words.", False),
        ("No tags at all.", False),
    ],
)
def test_looks_like_html(text: str, expected: bool) -> None:
    assert looks_like_html(text) is expected


HOSTILE = {
    "deep nesting": "<html><body>" + "<div>" * 100_000 + PARA + "</div>" * 100_000,
    "wide tree": "<html><body>" + "<span>x</span>" * 200_000 + PARA,
    "huge attribute": "<html><body><div data-x='" + "a" * 3_000_000 + "'>" + PARA + "</div>",
    "entity flood": "<html><body><p>" + "&amp;&#x41;&lt;" * 200_000 + "</p>" + PARA,
    "entity bomb": (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><html><body><p>&b;</p>' + PARA
    ),
    "script and style": "<html><head><script>"
    + "var a=1;" * 300_000
    + "</script><style>"
    + "a{}" * 100_000
    + "</style></head><body>"
    + PARA,
    "unclosed tags": "<html><body>" + "<p><b><i>" * 30_000 + PARA,
    "angle junk": "<<<<>>>>" * 10_000,
    "empty": "",
    "oversized": "<html><body>" + PARA * 60_000,
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_html_neither_crashes_nor_hangs(name: str) -> None:
    """A hang is caught by the per-test timeout; the time it takes is in bench/bench_text.py."""
    parts = html_to_article_parts(HOSTILE[name])
    assert len(parts.body) <= MAX_HTML_CHARS
    assert "&b;" not in parts.body or "aaaaaaaaaa" not in parts.body
    assert "var a=1" not in parts.body


_TOKEN = re.compile(r"\w+")


def _shingle_scores(true: str, pred: str) -> tuple[float, float, float]:
    """Score like the benchmark's evaluate.py: 4-token shingles, normalised per page."""

    def shingles(text: str) -> Counter[tuple[str, ...]]:
        tokens = _TOKEN.findall(text)
        return Counter(tuple(tokens[i : i + 4]) for i in range(max(1, len(tokens) - 3)))

    t, p = shingles(true), shingles(pred)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


@pytest.mark.slow
def test_article_extraction_benchmark_f1() -> None:
    truth = json.loads((EXTRACTION / "ground-truth.json").read_text())
    precisions, recalls = [], []
    for key, gold in truth.items():
        html = gzip.decompress((EXTRACTION / "html" / f"{key}.html.gz").read_bytes())
        body = html_to_article_parts(html.decode("utf-8", errors="replace"), url=gold["url"]).body
        tp, fp, fn = _shingle_scores(gold["articleBody"], body)
        if tp + fp > 0:
            precisions.append(tp / (tp + fp))
        if tp + fn > 0:
            recalls.append(tp / (tp + fn))
    precision, recall = statistics.mean(precisions), statistics.mean(recalls)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.94, (f1, precision, recall)


def test_a_copyright_year_is_not_a_publication_date() -> None:
    footer = "<footer>© 2015 Example News. All rights reserved.</footer>"
    page = f"<!DOCTYPE html><html><body><article>{PARA}</article>{footer}</body></html>"
    assert html_to_article_parts(page).published is None
    dated = page.replace("<footer>", "<p>Published March 3, 2021.</p><footer>")
    assert html_to_article_parts(dated).published == datetime(2021, 3, 3, tzinfo=UTC)
