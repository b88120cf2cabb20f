"""Find an HTML page's article text and metadata, offline and within bounded work.

trafilatura finds the main text; the page's own `<meta>` tags give the precise published time
(trafilatura's date is a day only). When trafilatura finds nothing, a plain dump of the page's
text blocks stands in. The text then goes through the same furniture rules as plain text.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime

import lxml.etree  # type: ignore[import-untyped]
import lxml.html  # type: ignore[import-untyped]
import trafilatura

from newsbrief.bot.text.cleaning import CleanText, clean_paragraphs, outlet_from_url, parse_date
from newsbrief.bot.text.markup import ELEMENT_TAG

__all__ = ["MAX_HTML_CHARS", "html_to_article_parts", "looks_like_html"]

log = logging.getLogger(__name__)

# Bounds the work on hostile pages; callers cap file sizes before this.
MAX_HTML_CHARS = 5_000_000
_MAX_TREE_ELEMENTS = 60_000
_MAX_META_CHARS = 500

_TAG = re.compile(r"<(?:!doctype|html|head|body|div|p|meta|title|article|script|br)\b", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_SPACES = re.compile(r"\s+")
_COPYRIGHT = re.compile(
    r"(?:©|\(c\)|\bcopyright\b)\s{0,3}(\d{4})(?:\s{0,3}[-–]\s{0,3}(\d{4}))?", re.I
)
_COPYRIGHT_TAIL = 200_000  # notices sit in the footer; bounds the work on huge pages
_DROPPED_TAGS = ("script", "style", "noscript", "template", "svg", "head", "nav", "footer", "form")
_BLOCK_TAGS = frozenset(
    ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "figcaption")
)
_THIRD_PARTY_ERRORS = (
    RecursionError,
    ValueError,
    TypeError,
    AttributeError,
    IndexError,
    KeyError,
    lxml.etree.Error,
)
_PUBLISHED_KEYS = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "publishdate",
    "pubdate",
    "date",
    "dc.date.issued",
    "dc.date",
    "sailthru.date",
    "parsely-pub-date",
)


def looks_like_html(text: str) -> bool:
    """Tell whether text is an HTML page rather than prose with a stray tag."""
    head = text[:2000].lstrip().lower()
    if head.startswith(("<!doctype html", "<html", "<?xml")) and "<html" in text[:5000].lower():
        return True
    if not _TAG.search(text[:5000]):
        return False
    if _TAG.match(text.lstrip()[:200]):
        return True
    sample = text[:20000]
    tags = sum(len(m.group(0)) for m in ELEMENT_TAG.finditer(sample))
    return tags > 0.2 * len(sample)


def _parse(html: str) -> lxml.html.HtmlElement | None:
    html = _XML_DECLARATION.sub("", html[:MAX_HTML_CHARS], count=1)
    if not html.strip():
        return None
    parser = lxml.html.HTMLParser(
        remove_comments=True, remove_pis=True, no_network=True, huge_tree=False
    )
    try:
        tree = lxml.html.document_fromstring(html, parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None
    return tree if isinstance(tree, lxml.html.HtmlElement) else None


def _clip(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = _SPACES.sub(" ", value[:_MAX_META_CHARS]).strip()
    return value or None


def _json_ld_dates(tree: lxml.html.HtmlElement) -> list[str]:
    found: list[str] = []
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        text = script.text or ""
        if len(text) > 200_000 or "datePublished" not in text:
            continue
        try:
            data = json.loads(text)
        except ValueError:
            continue
        stack = [data]
        while stack and len(found) < 5:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item[:50])
            elif isinstance(item, dict):
                value = item.get("datePublished")
                if isinstance(value, str):
                    found.append(value)
                stack.extend(v for v in item.values() if isinstance(v, dict | list))
    return found


def _meta(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """Read `<meta>`, canonical link and `<time>` values, keyed in lower case."""
    values: dict[str, str] = {}
    for meta in tree.iterfind(".//meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = _clip(meta.get("content"))
        if key and content:
            values.setdefault(key.strip().lower()[:100], content)
    for link in tree.iterfind(".//link[@rel]"):
        if (link.get("rel") or "").lower() == "canonical" and (href := _clip(link.get("href"))):
            values.setdefault("canonical", href)
    for time in tree.iterfind(".//time[@datetime]"):
        if value := _clip(time.get("datetime")):
            values.setdefault("time", value)
            break
    for index, value in enumerate(_json_ld_dates(tree)):
        values.setdefault(f"ld:datepublished:{index}", value)
    return values


def _published(values: dict[str, str], fallback: str | None) -> datetime | None:
    keys = [*_PUBLISHED_KEYS, *(k for k in values if k.startswith("ld:")), "time"]
    for key in keys:
        if key in values and (found := parse_date(values[key])):
            return found
    return parse_date(fallback) if fallback else None


def _text_dump(tree: lxml.html.HtmlElement) -> list[str]:
    """List the page's text blocks, for pages where trafilatura finds no main text."""
    for tag in _DROPPED_TAGS:
        for element in tree.findall(f".//{tag}"):
            element.drop_tree()
    blocks: list[str] = []
    for element in tree.iter(*_BLOCK_TAGS):
        if any(child.tag in _BLOCK_TAGS for child in element.iterdescendants()):
            continue
        text = _SPACES.sub(" ", element.text_content()).strip()
        if text:
            blocks.append(text)
    if not blocks:
        body = tree.find("body")
        text = (body if body is not None else tree).text_content()
        blocks = [line for line in (_SPACES.sub(" ", x).strip() for x in text.split("\n")) if line]
    return blocks


def html_to_article_parts(html: str, *, url: str | None = None) -> CleanText:
    """Find the main text and the title, date, outlet and URL of an HTML page."""
    tree = _parse(html)
    if tree is None:
        return CleanText(title=None, body="", url=url, outlet=outlet_from_url(url))
    values = _meta(tree)
    small = sum(1 for _ in tree.iter()) <= _MAX_TREE_ELEMENTS
    text = _main_text(tree, url) if small else None
    title = values.get("og:title") or values.get("twitter:title")
    published = _published(values, None)
    outlet = values.get("og:site_name")
    if small and (title is None or published is None or outlet is None):
        # trafilatura's metadata search is thorough but slow; only pages that lack tags need it.
        facts = _metadata(tree, url)
        title = title or facts[0]
        published = published or _published({}, facts[1])
        outlet = outlet or facts[2]
    paragraphs = text.split("\n") if text else _text_dump(tree)
    kept, found = clean_paragraphs([p for p in map(_normalise, paragraphs) if p], head=4)
    title = title or found.title
    if kept and title and kept[0].casefold() == title.casefold():
        kept = kept[1:]
    page_url = url or values.get("canonical") or values.get("og:url")
    return CleanText(
        title=title,
        body="\n\n".join(kept),
        published=published or found.published or found.updated,
        outlet=outlet or found.outlet or outlet_from_url(page_url),
        url=page_url or found.url,
    )


def _normalise(line: str) -> str:
    return _SPACES.sub(" ", line).strip()


def _main_text(tree: lxml.html.HtmlElement, url: str | None) -> str | None:
    try:
        doc = trafilatura.bare_extraction(
            tree, url=url, include_comments=False, with_metadata=False, deduplicate=False
        )
    except _THIRD_PARTY_ERRORS as error:
        log.warning("trafilatura failed on %s: %r", url or "a page", error)
        return None
    if doc is None or isinstance(doc, dict) or not doc.text or not doc.text.strip():
        return None
    return str(doc.text)


def _metadata(tree: lxml.html.HtmlElement, url: str | None) -> tuple[str | None, ...]:
    """Ask trafilatura for (title, date, site name) when the page's tags did not say."""
    try:
        doc = trafilatura.extract_metadata(tree, default_url=url)
    except _THIRD_PARTY_ERRORS as error:
        log.warning("trafilatura metadata failed on %s: %r", url or "a page", error)
        return (None, None, None)
    date = _clip(doc.date)
    if date and _is_copyright_year(tree, date):
        date = None
    return (_clip(doc.title), date, _clip(doc.sitename))


def _is_copyright_year(tree: lxml.html.HtmlElement, date: str) -> bool:
    """Tell whether a January 1st date is only the year of the page's copyright notice."""
    if not date.endswith("-01-01"):
        return False
    year = date[:4]
    text = tree.text_content()[-_COPYRIGHT_TAIL:]
    return any(m.group(1) == year or m.group(2) == year for m in _COPYRIGHT.finditer(text))
