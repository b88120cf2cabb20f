"""Hostile inputs for every entry point: text, bytes, file names, JSON, feed XML, OPML, URLs."""

from __future__ import annotations

import json
import os
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from hypothesis import strategies as st

GROWN_CHARS = 200_000
"""Inputs are grown to this size, where quadratic work takes minutes and linear work < 1 s."""

STORY = (
    "The council voted on Tuesday to rebuild the old bridge over the river. "
    "Work is due to start in the spring and to last two years, officials said. "
    "Residents have asked for a safer crossing since the floods of last winter."
)

# Characters that break naive code: NUL, controls, lone surrogates, markup, quotes, spaces.
NASTY = (
    "\x00\x01\x0b\x0c\x1b\x7f\u0085\u2028\u2029\ufeff\u200b\u00ad\ud800\udfff\U0001f600"
    " \t\n\r<>&\"'`*_~[](){}#!?.…,;:-—|/\\=+%@^"
    "。！？「」“”‘’«»"
)
nasty_text = st.text(
    alphabet=st.one_of(st.sampled_from(NASTY), st.characters(codec=None)), max_size=60
)
words = st.text(alphabet=st.sampled_from("abcdefghij ABC"), min_size=1, max_size=12)
fragment = st.one_of(nasty_text.filter(bool), words)


@st.composite
def grown_text(draw: st.DrawFn) -> str:
    """A short hostile fragment repeated up to ~200 KB, maybe inside ordinary prose."""
    piece = draw(fragment)
    repeated = piece * (GROWN_CHARS // len(piece))
    where = draw(st.sampled_from(["alone", "after", "before"]))
    if where == "after":
        return f"{STORY}\n\n{repeated}"
    if where == "before":
        return f"{repeated}\n\n{STORY}"
    return repeated


def utf8(text: str) -> bytes:
    """Encode as a hostile file would carry it: lone surrogates as their raw bytes."""
    return text.encode("utf-8", "surrogatepass")


file_names = st.one_of(
    st.binary(min_size=1, max_size=40),
    st.text(max_size=40).map(lambda t: t.encode("utf-8", "surrogateescape")),
).map(lambda b: b.replace(b"/", b"_").replace(b"\x00", b"_").lstrip(b".") or b"x")
suffixes = st.sampled_from([".txt", ".md", ".html", ".htm", ".json"])


def safe_name(raw: bytes, suffix: str) -> bytes:
    """Make a file name the file system takes: no slash or NUL, at most 200 bytes."""
    return raw[:200] + os.fsencode(suffix)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | nasty_text,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(["title", "text", "url", "id", "date", "x"]), children)
    ),
    max_leaves=12,
)


def good_json_item(n: int) -> dict[str, Any]:
    return {"title": f"Bridge story {n}", "text": f"{STORY} Item {n}."}


def rss(items: list[dict[str, str]]) -> bytes:
    """Write RSS 2.0 with each field escaped, so hostile text arrives as text."""
    parts = [
        "<item>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in item.items()) + "</item>"
        for item in items
    ]
    body = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
    body += "<title>Fuzz</title><link>https://fuzz.example/</link>" + "".join(parts)
    return (body + "</channel></rss>").encode("utf-8", "surrogatepass")


def good_rss_item(n: int) -> dict[str, str]:
    return {
        "title": f"Bridge story {n}",
        "link": f"https://fuzz.example/news/{n}",
        "guid": f"fuzz-guid-{n}",
        "description": f"{STORY} Item {n}.",
    }


def json_feed(items: list[Any]) -> bytes:
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Fuzz", "items": items}
    return json.dumps(feed).encode()


def good_json_feed_item(n: int) -> dict[str, Any]:
    return {
        "id": f"fuzz-{n}",
        "url": f"https://fuzz.example/json/{n}",
        "title": f"Bridge story {n}",
        "content_text": f"{STORY} Item {n}.",
    }


def opml(urls: list[str]) -> bytes:
    outlines = "".join(f"<outline type='rss' text='x' xmlUrl={quoteattr(u)}/>" for u in urls)
    return f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>'.encode()


# URL-ish text: real schemes, hosts and ports mixed with hostile characters.
urls = st.one_of(
    nasty_text,
    st.builds(
        lambda scheme, host, port, path: f"{scheme}{host}{port}{path}",
        st.sampled_from(["http://", "https://", "HTTP://", "file://", "gopher://", "", "http:"]),
        st.one_of(st.sampled_from(["example.com", "[::1", "[::1]", "127.0.0.1", ""]), words),
        st.one_of(st.just(""), st.integers(-5, 99999).map(lambda p: f":{p}"), nasty_text),
        st.one_of(st.just("/feed"), nasty_text.map(lambda t: "/" + t)),
    ),
)
# URLs an OPML file can carry at all (XML 1.0 has no control characters or lone surrogates).
xml_urls = urls.map(lambda u: "".join(c for c in u if c.isprintable() or c == " "))
