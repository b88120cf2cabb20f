"""Feed parsing: sample feeds with their expectations beside them, then the rules one by one."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from guards import finishes
from paths import FIXTURES

from newsbrief.bot.feeds.parse import (
    FeedEntry,
    FeedFormatError,
    check_xml_safety,
    entry_article,
    html_to_text,
    is_teaser,
    parse_feed,
)

FEEDS = FIXTURES / "feeds"
SAMPLES = sorted(p for p in FEEDS.iterdir() if not p.name.endswith(".expected"))
NOW = datetime(2024, 6, 5, 12, 0, tzinfo=UTC)


def _check_entry(entry: FeedEntry, expected: dict[str, Any], feed_url: str) -> None:
    for name in ("title", "link", "guid", "author", "summary"):
        if name in expected:
            assert getattr(entry, name) == expected[name], name
    if "published" in expected:
        published = entry.published.isoformat() if entry.published else None
        assert published == expected["published"]
        assert entry.published is None or entry.published.tzinfo is not None
    if "content_starts" in expected:
        assert entry.text.startswith(expected["content_starts"])
    if "content_paragraphs" in expected:
        assert len(entry.content.split("\n\n")) == expected["content_paragraphs"]
    if "teaser" in expected:
        assert entry.teaser is expected["teaser"]
    if "article" in expected:
        made = entry_article(entry, outlet=None, feed_url=feed_url)
        assert (made is not None) is expected["article"]


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.name for p in SAMPLES])
def test_sample_feeds_parse_as_stated_beside_them(sample: Path) -> None:
    expected = json.loads(sample.with_name(sample.name + ".expected").read_text())
    url = "https://feeds.example/" + sample.name
    if "error" in expected:
        with pytest.raises(FeedFormatError, match=expected["error"]):
            parse_feed(sample.read_bytes(), url, now=NOW)
        return
    parsed = parse_feed(sample.read_bytes(), url, now=NOW)
    assert parsed.version == expected["version"]
    if "title" in expected:
        assert parsed.title == expected["title"]
    if "ttl_minutes" in expected:
        assert parsed.ttl_minutes == expected["ttl_minutes"]
    assert len(parsed.entries) == len(expected["entries"])
    for entry, wanted in zip(parsed.entries, expected["entries"], strict=True):
        _check_entry(entry, wanted, url)
    for wanted in expected["problems"]:
        assert any(p.startswith(wanted) for p in parsed.problems), (wanted, parsed.problems)
    if not expected["problems"]:
        assert parsed.problems == []


def test_a_body_that_names_a_local_file_is_parsed_as_text_never_opened(tmp_path: Path) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_text('<rss version="2.0"><channel><title>secret</title></channel></rss>')
    with pytest.raises(FeedFormatError):
        parse_feed(str(secret).encode(), "https://feeds.example/x", now=NOW)


def test_entities_in_a_utf16_document_type_are_refused_too() -> None:
    body = '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE r [<!ENTITY a "b">]><rss/>'
    with pytest.raises(FeedFormatError, match="declares entities"):
        check_xml_safety(body.encode("utf-16"))


DECLARES = b'<!DOCTYPE r [<!ENTITY a "b">]><rss version="2.0"><channel/></rss>'
HIDDEN_DECLARATIONS = {
    "after 70 KB of white space": b" \n" * 35_000 + DECLARES,
    "after a processing instruction holding a tag": b'<?xml version="1.0"?><?x <rss?>' + DECLARES,
    "after a comment holding a tag": b"<!-- <rss> -->" + DECLARES,
    "after 70 KB of comment": b"<!--" + b"x" * 70_000 + b"-->" + DECLARES,
    "in UTF-16 after 70 KB of white space": (" " * 70_000 + DECLARES.decode()).encode("utf-16"),
}


@pytest.mark.parametrize("case", list(HIDDEN_DECLARATIONS))
def test_entity_declarations_pushed_out_of_sight_are_refused_too(case: str) -> None:
    with pytest.raises(FeedFormatError, match="refused for safety"):
        parse_feed(HIDDEN_DECLARATIONS[case], "https://x.example/rss", now=NOW)


def test_a_feed_after_white_space_and_comments_is_still_read() -> None:
    item = "<item><title>One</title><link>https://x.example/1</link></item>"
    body = f' \n<!-- a --><?xml-stylesheet href="s.xsl"?><rss version="2.0"><channel>{item}'
    parsed = parse_feed(f"{body}</channel></rss>".encode(), "https://x.example/rss", now=NOW)
    assert [e.title for e in parsed.entries] == ["One"]


def test_entity_text_inside_the_feed_body_is_not_mistaken_for_a_declaration() -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>XML tips</title><item>'
        b"<title>Entities</title><link>https://x.example/e</link>"
        b"<description><![CDATA[Write <!ENTITY x 'y'> in a DTD.]]></description>"
        b"</item></channel></rss>"
    )
    (entry,) = parse_feed(body, "https://x.example/rss", now=NOW).entries
    assert entry.title == "Entities"


def test_an_empty_body_is_an_error() -> None:
    with pytest.raises(FeedFormatError, match="empty"):
        parse_feed(b"  \n", "https://x.example/rss")


def test_json_that_is_not_a_json_feed_is_an_error() -> None:
    with pytest.raises(FeedFormatError, match="JSON Feed version"):
        parse_feed(b'{"hello": "world"}', "https://x.example/feed.json")
    with pytest.raises(FeedFormatError, match="invalid JSON"):
        parse_feed(b"{" * 100_000, "https://x.example/feed.json")


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("a &amp; b<br>c", "a & b\n\nc"),
        ("<script>var x = 1;</script><p>Kept</p>", "Kept"),
        ("<p>Body.</p><p>Continue reading…</p>", "Body."),
        ("<p>Body.</p><p>The post Body appeared first on Site.</p>", "Body."),
        ("plain  text\nwith   spaces", "plain text with spaces"),
        ("<!-- hidden --><div>Shown</div>", "Shown"),
    ],
)
def test_html_to_text(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


def test_teasers_are_short_or_have_few_sentences() -> None:
    assert is_teaser("One sentence only.")
    assert is_teaser("Long words " * 50 + ". Two.")
    assert not is_teaser("This is a full sentence with enough words to count. " * 10)


def test_an_entry_without_a_link_is_keyed_by_its_feed_and_item() -> None:
    entry = FeedEntry("T", None, "g-1", None, None, "Some text.", "")
    article = entry_article(entry, outlet="Out", feed_url="https://f.example/rss")
    assert article is not None and article.url is None
    assert article.path == "feed:https://f.example/rss#guid:g-1"
    assert (
        entry_article(FeedEntry("T", None, None, None, None, "", ""), outlet=None, feed_url="u")
        is None
    )


def test_fetched_page_text_replaces_the_teaser() -> None:
    entry = FeedEntry("T", "https://f.example/a", None, NOW, None, "Teaser.", "")
    article = entry_article(entry, outlet="Out", feed_url="u", text="The whole story.")
    assert article is not None and article.text == "The whole story."
    assert article.published == NOW and article.outlet == "Out"


HOSTILE_MARKUP = {
    "an unclosed script, again and again": "<script>x" * 33_000,
    "unclosed comments": "<!--" * 100_000,
    "tags that never close": "<p class=a" * 40_000,
    "a closed script among open ones": "<script>x" * 20_000 + "</script>kept. " * 3,
}


@pytest.mark.parametrize("case", list(HOSTILE_MARKUP))
def test_hostile_markup_in_a_json_feed_is_read_in_linear_time(case: str) -> None:
    item = {"id": "1", "url": "https://x.example/1", "content_html": HOSTILE_MARKUP[case]}
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": [item]})
    parsed = finishes(lambda: parse_feed(body.encode(), "https://x.example/feed", now=NOW))
    assert len(parsed.entries) == 1


def test_scripts_and_comments_are_dropped_and_open_ones_kept_as_text() -> None:
    markup = "<p>Hello <SCRIPT>bad()</script>world.</p><!-- note --><p>Two &amp; three.</p>"
    assert html_to_text(markup) == "Hello world.\n\nTwo & three."
    assert html_to_text("a <style>x</STYLE > b <!-- open") == "a b <!-- open"
