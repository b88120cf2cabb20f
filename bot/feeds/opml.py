"""Read and write OPML 2.0 subscription lists, with entity declarations refused outright.

Reading uses the standard library's expat with every DTD entity declaration an error, so
neither external entities nor entity-expansion bombs get anywhere. An outline's topic is its
`category` attribute, else the text of the folder outline it sits in.
"""

from __future__ import annotations

import xml.parsers.expat
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.etree import ElementTree

from newsbrief.bot.errors import NewsbriefError

__all__ = ["OpmlError", "OpmlFeed", "parse_opml", "to_opml"]

MAX_OPML_BYTES = 5_000_000
MAX_DEPTH = 50


class OpmlError(NewsbriefError):
    """An OPML file that cannot be read, or that tries entity tricks."""


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    """One subscription in an OPML file."""

    url: str
    title: str | None = None
    topic: str | None = None


def _refuse_entities(*_args: object) -> None:
    raise OpmlError("the OPML file declares entities; refused for safety")


def parse_opml(data: bytes) -> list[OpmlFeed]:
    """List the feeds of an OPML file (outlines with an xmlUrl), in file order, once each."""
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError(f"OPML file larger than {MAX_OPML_BYTES} bytes")
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = _refuse_entities
    parser.UnparsedEntityDeclHandler = _refuse_entities
    parser.ExternalEntityRefHandler = _refuse_entities  # type: ignore[assignment]
    feeds: list[OpmlFeed] = []
    seen: set[str] = set()
    folders: list[str | None] = []
    root: list[str] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        if not root:
            root.append(name)
        if len(folders) > MAX_DEPTH:
            raise OpmlError("outlines nested too deeply")
        if name != "outline":
            return
        label = (attributes.get("text") or attributes.get("title") or "").strip() or None
        url = (attributes.get("xmlUrl") or attributes.get("xmlurl") or "").strip()
        if url:
            topic = _topic(attributes.get("category")) or next(
                (f for f in reversed(folders) if f), None
            )
            if url not in seen:
                seen.add(url)
                feeds.append(OpmlFeed(url, label, topic))
        folders.append(None if url else label)

    def end(name: str) -> None:
        if name == "outline" and folders:
            folders.pop()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as error:
        raise OpmlError(f"not well-formed OPML: {error}") from None
    if root and root[0] != "opml":
        raise OpmlError(f"not an OPML file: the root element is <{root[0]}>")
    return feeds


def _topic(category: str | None) -> str | None:
    """Take the last path step of an OPML category (`/news/syria` -> `syria`)."""
    if not category:
        return None
    first = category.split(",")[0].strip().strip("/")
    return first.rsplit("/", 1)[-1].strip() or None


def to_opml(feeds: Iterable[OpmlFeed], *, title: str = "newsbrief feeds") -> bytes:
    """Write feeds as OPML 2.0, each in a folder outline named after its topic."""
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = title
    ElementTree.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC))
    body = ElementTree.SubElement(root, "body")
    folders: dict[str, ElementTree.Element] = {}
    for feed in feeds:
        parent = body
        if feed.topic:
            if feed.topic not in folders:
                folders[feed.topic] = ElementTree.SubElement(body, "outline", text=feed.topic)
            parent = folders[feed.topic]
        attributes = {"type": "rss", "text": feed.title or feed.url, "xmlUrl": feed.url}
        if feed.topic:
            attributes["category"] = f"/{feed.topic}"
        ElementTree.SubElement(parent, "outline", attributes)
    ElementTree.indent(root)
    written: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return written + b"\n"
