"""Hostile feeds, OPML and URLs: no crash, the good items beside a bad one kept, linear work."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from guards import finishes
from hypothesis import given
from hypothesis import strategies as st

from fuzz.strategies import (
    good_json_feed_item,
    good_rss_item,
    grown_text,
    json_feed,
    json_values,
    nasty_text,
    opml,
    rss,
    urls,
    xml_urls,
)
from newsbrief.bot.errors import InvalidUrl
from newsbrief.bot.feeds.opml import OpmlError, parse_opml
from newsbrief.bot.feeds.parse import FeedFormatError, ParsedFeed, parse_feed
from newsbrief.bot.urls import canonical_url, checked_url

NOW = datetime(2024, 6, 5, 12, 0, tzinfo=UTC)
FEED_URL = "https://fuzz.example/feed"


def parsed_or_refused(body: bytes) -> ParsedFeed | None:
    try:
        return finishes(lambda: parse_feed(body, FEED_URL, now=NOW))
    except FeedFormatError:
        return None


def assert_storable(parsed: ParsedFeed) -> None:
    for entry in parsed.entries:
        for value in (entry.title, entry.summary, entry.content, entry.guid or "", entry.key):
            assert "\x00" not in value
            value.encode("utf-8")
        if entry.link is not None:
            checked_url(entry.link)


@given(st.binary(max_size=2000))
def test_any_body_is_a_feed_or_a_format_error(body: bytes) -> None:
    parsed = parsed_or_refused(body)
    if parsed is not None:
        assert_storable(parsed)


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "title": nasty_text,
            "link": st.one_of(urls, nasty_text),
            "guid": nasty_text,
            "description": st.one_of(nasty_text, grown_text()),
            "pubDate": nasty_text,
        },
    ),
    st.integers(0, 3),
)
def test_a_hostile_rss_item_costs_none_of_the_good_ones(
    hostile: dict[str, str], place: int
) -> None:
    items = [good_rss_item(n) for n in range(3)]
    items.insert(place, hostile)
    parsed = parsed_or_refused(rss(items))
    if parsed is None:  # text XML cannot carry (a NUL, a lone surrogate): the file is unreadable
        return
    assert_storable(parsed)
    titles = {entry.title for entry in parsed.entries}
    assert {f"Bridge story {n}" for n in range(3)} <= titles


@given(json_values, st.integers(0, 3))
def test_a_hostile_json_feed_item_costs_none_of_the_good_ones(hostile: object, place: int) -> None:
    items: list[object] = [good_json_feed_item(n) for n in range(3)]
    items.insert(place, hostile)
    parsed = parsed_or_refused(json_feed(items))
    assert parsed is not None
    assert_storable(parsed)
    titles = {entry.title for entry in parsed.entries}
    assert {f"Bridge story {n}" for n in range(3)} <= titles


@given(st.lists(xml_urls, max_size=6), st.integers(0, 3))
def test_opml_lists_every_outline_and_bad_urls_are_refused_one_by_one(
    hostile: list[str], place: int
) -> None:
    good = [f"https://fuzz.example/{n}.xml" for n in range(3)]
    try:
        feeds = finishes(lambda: parse_opml(opml(good[:place] + hostile + good[place:])))
    except OpmlError:
        pytest.fail("an outline's URL made the whole file unreadable")
    listed = [feed.url for feed in feeds]
    assert set(good) <= set(listed)
    for url in listed:
        try:
            checked_url(url)
        except InvalidUrl:
            assert url not in good


@given(st.binary(max_size=3000))
def test_any_opml_bytes_give_feeds_or_an_opml_error(data: bytes) -> None:
    with contextlib.suppress(OpmlError):
        finishes(lambda: parse_opml(data))


@given(urls)
def test_url_validation_accepts_only_fetchable_urls_and_never_crashes(text: str) -> None:
    canonical_url(text)
    try:
        url = checked_url(text)
    except InvalidUrl as error:
        assert str(error)
        return
    parts = urlsplit(url)
    assert parts.scheme.lower() in ("http", "https")
    assert parts.hostname and parts.port != 0
    assert url.isprintable() and not any(c.isspace() for c in url)
    assert len(url) <= 2048
    assert checked_url(canonical_url(url)) == canonical_url(url)
