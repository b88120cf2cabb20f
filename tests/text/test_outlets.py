"""Outlets: one identity however many hosts an outlet uses, and names that are never file names."""

from __future__ import annotations

import pytest

from newsbrief.bot.model import Source
from newsbrief.bot.text.outlets import known_name, name_key, outlet_from_url, outlet_identities


@pytest.mark.parametrize(
    ("url", "outlet"),
    [
        ("https://edition.cnn.com/2024/12/19/world/putin", "cnn.com"),
        ("https://www.cnn.com/x", "cnn.com"),
        ("http://news.bbc.co.uk/1/hi/world/4.stm", "bbc.co.uk"),
        ("https://www.bbc.com/news/world", "bbc.com"),
        ("https://www.abc.net.au/news/x", "abc.net.au"),
        ("https://indiatvnews.com/amp/news/world/x", "indiatvnews.com"),
        ("not a url", None),
        ("", None),
        (None, None),
        ("file:///tmp/004_c95f95febd55943f.txt", None),
    ],
)
def test_outlet_from_url_is_the_registrable_domain(url: str | None, outlet: str | None) -> None:
    assert outlet_from_url(url) == outlet


def test_one_outlet_however_many_hosts() -> None:
    sources = [
        Source("cnn.com", "https://edition.cnn.com/a"),
        Source("CNN", "https://www.cnn.com/b"),
        Source("bbc.co.uk", "http://news.bbc.co.uk/c"),
        Source("BBC News", "https://www.bbc.com/d"),
        Source("BBC"),  # a feed title or JSON `source` with no link
        Source("Daily Sabah", "https://www.dailysabah.com/e"),
    ]
    ids = outlet_identities(sources)
    assert ids[0] == ids[1]
    assert ids[2] == ids[3] == ids[4]
    assert len(set(ids)) == 3


def test_articles_with_no_outlet_are_each_their_own_source() -> None:
    sources = [Source(None, path="/a/000_9a2ab7da1ab80087.txt"), Source(None, path="/a/b.txt")]
    assert len(set(outlet_identities(sources))) == 2


@pytest.mark.parametrize(
    ("name", "key"),
    [("BBC News", "bbc"), ("bbc.co.uk", "bbc"), ("The Guardian", "guardian"), ("News", None)],
)
def test_a_name_reduces_to_its_distinctive_words(name: str, key: str | None) -> None:
    assert name_key(name) == key


def test_a_well_known_outlet_is_one_outlet_under_its_codes_and_domains() -> None:
    # PolNeAR names the New York Times `nyt`; AllSides and BASIL name it in full
    sources = [
        Source("NYT"),
        Source("New York Times"),
        Source("The New York Times", "https://www.nytimes.com/2016/x.html"),
        Source(None, "https://mobile.nytimes.com/2016/y.html"),
        Source("HuffPost"),
        Source("Huffington Post", "https://www.huffingtonpost.com/z"),
    ]
    ids = outlet_identities(sources)
    assert len(set(ids[:4])) == 1
    assert ids[4] == ids[5] != ids[0]


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("nyt", "New York Times"),
        ("wash-post", "Washington Post"),
        ("usa-today", "USA Today"),
        ("Daily Planet", None),
    ],
)
def test_known_names_for_codes(code: str, name: str | None) -> None:
    assert known_name(code) == name
