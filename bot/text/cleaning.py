"""Turn scraped plain text into an article body and the metadata the text gives.

Every rule here is general: it names a kind of page furniture (a breadcrumb glued to a repeated
headline, a photo caption with its credit, a "Read more" trailer, a dateline, a date prefix),
never a particular site or file. Section sub-headings are kept as paragraphs of their own; they
have no final punctuation, so the summarizer never picks them as sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime

from newsbrief.bot.text.credits import BYLINE, CREDIT
from newsbrief.bot.text.outlets import outlet_from_url

__all__ = [
    "CleanText",
    "TextMeta",
    "clean_paragraphs",
    "clean_text",
    "has_sentence",
    "is_plausible_date",
    "is_trailer",
    "outlet_from_url",
    "parse_date",
    "split_paragraphs",
]


@dataclass(frozen=True, slots=True)
class CleanText:
    """An article body (paragraphs separated by blank lines) and what the text says about it."""

    title: str | None
    body: str
    published: datetime | None = None
    outlet: str | None = None
    url: str | None = None


# --- dates -------------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"  # noqa: E501
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_TIME = r"(?:(?:,|\s+at|\s*\|)?\s*\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?(?:\s*(?:utc|gmt|z|[+-]\d{2}:?\d{2}))?)?"  # noqa: E501
# The date expressions the text rules recognise; `parse_date` turns a match into a datetime.
DATE_PATTERN = (
    r"(?:\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{4}/\d{2}/\d{2}"
    rf"|{_WEEKDAY}\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}{_TIME}"
    rf"|{_WEEKDAY}{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}{_TIME})"
)
_ISO = re.compile(
    r"(\d{4})[-/](\d{2})[-/](\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*"
    r"(z|utc|gmt|[+-]\d{2}:?\d{2})?)?$",
    re.I,
)
_WORDY = re.compile(
    rf"(?:{_WEEKDAY})(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})|({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?)"
    r",?\s+(\d{4})(?:(?:,|\s+at|\s*\|)?\s*(\d{1,2})[:.](\d{2})(?::(\d{2}))?\s*([ap])?\.?m?\.?"
    r"(?:\s*(utc|gmt|z|[+-]\d{2}:?\d{2}))?)?$",
    re.I,
)
EARLIEST_DATE = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(days=2)


def _zone(text: str | None) -> tzinfo:
    if not text or text.lower() in {"z", "utc", "gmt"}:
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


def parse_date(text: str, *, now: datetime | None = None) -> datetime | None:
    """Read a published date; UTC when no zone is given, None when unreadable or absurd."""
    text = text.strip().rstrip(".,;|")
    if not text or len(text) > 80:
        return None
    found: datetime | None = None
    try:
        if m := _ISO.match(text):
            y, mo, d, hh, mm, ss, zone = m.groups()
            found = datetime(
                int(y),
                int(mo),
                int(d),
                int(hh or 0),
                int(mm or 0),
                int(ss or 0),
                tzinfo=_zone(zone),
            )
        elif m := _WORDY.match(text):
            d1, mon1, mon2, d2, y, hh, mm, ss, ampm, zone = m.groups()
            month = _MONTHS[(mon1 or mon2).rstrip(".").lower()]
            hour = int(hh or 0)
            if ampm:
                hour = hour % 12 + (12 if ampm.lower() == "p" else 0)
            found = datetime(
                int(y),
                month,
                int(d1 or d2),
                hour,
                int(mm or 0),
                int(ss or 0),
                tzinfo=_zone(zone),
            )
        else:
            found = parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    if found.tzinfo is None:
        found = found.replace(tzinfo=UTC)
    return found if is_plausible_date(found, now=now) else None


def is_plausible_date(when: datetime, *, now: datetime | None = None) -> bool:
    """Tell whether an aware time can be a publication date: since 1990, at most 2 days ahead."""
    return EARLIEST_DATE <= when <= (now or datetime.now(UTC)) + FUTURE_TOLERANCE


# --- urls --------------------------------------------------------------------------------------

_URL = re.compile(r"https?://[^\s<>\"')\]]+", re.I)


# --- paragraphs --------------------------------------------------------------------------------

_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n[ \t\u00a0]*\n\s*")
_FINAL = re.compile(r"[.!?…][\"'”’)\]]*$")
_ANY_FINAL = re.compile(r"[.!?…][\"'”’)\]]*(?:\s|$)")


def _normalise(line: str) -> str:
    return _SPACES.sub(" ", line).strip()


def split_paragraphs(raw: str) -> list[str]:
    """Split text into whitespace-normalised paragraphs, rejoining hard-wrapped lines.

    Blank lines always end a paragraph. Inside a block, a line break is kept as a paragraph
    break unless the line looks wrapped: it has no final punctuation and is either long or
    followed by a lower-case continuation.
    """
    text = _CONTROL.sub("", _INVISIBLE.sub("", raw.replace("\r\n", "\n").replace("\r", "\n")))
    paragraphs: list[str] = []
    for block in _BLANK_LINES.split(text):
        current = ""
        for line in block.split("\n"):
            line = _normalise(line)
            if not line:
                continue
            if (
                current
                and not _FINAL.search(current)
                and (len(current) >= 60 or line[0].islower())
                and not _URL.match(line)
            ):
                current = f"{current} {line}"
                continue
            if current:
                paragraphs.append(current)
            current = line
        if current:
            paragraphs.append(current)
    return paragraphs


def has_sentence(text: str) -> bool:
    """Tell whether text holds at least one sentence: words ending in final punctuation."""
    return any(
        len(p.split()) >= 3 and _ANY_FINAL.search(p) for p in text.split("\n\n") if p.strip()
    )


# --- furniture: header lines, captions, trailers ---------------------------------------------

_DATE_PREFIX = re.compile(
    r"^(?:(?:date|dated|published|published on|posted|posted on|updated|updated on|last updated"
    r"|first published)\s*:?\s*(?:on\s+)?)?"
    rf"({DATE_PATTERN})\s*(?:[|•·,–—-]\s*|(?=[A-Z\"“‘'])|$)",
    re.I,
)
_LOOKS_LIKE_DATE = re.compile(rf"{DATE_PATTERN}\s*$", re.I)
_DATE_KEYWORD = re.compile(r"^(?:date|dated|published|posted|updated|last updated)\b", re.I)
_HEADER_FIELD = re.compile(
    r"^(title|headline|source|outlet|publisher|url|link|canonical|author|by|byline"
    r"|date|published|updated|posted)\s*:\s*(.{1,300})$",
    re.I,
)
_BARE_URL = re.compile(r"^(?:<)?(https?://\S+?)(?:>)?$", re.I)
_TRAILER = re.compile(
    r"^(?:also read|read more|read also|more from|related(?: articles?| stories| news)?\b\s*:?"
    r"|see also|recommended|must read|don'?t miss|trending"
    r"|latest(?: \w+){0,3} news$|top stories$|more stories$|most read$"
    r"|\(?with inputs? from\b|follow us on\b|follow [\w ]{1,40} on (?:twitter|facebook|x|instagram)"
    r"|subscribe\b|sign up\b|click here\b|tap here\b|download the\b.{0,40}\bapp"
    r"|advertisement$|advertisement\s*[-–—:]|sponsored\b|scroll to continue|continue reading"
    r"|share this\b|share on\b|share:|tags?\s*:|topics?\s*:|copyright\b|all rights reserved"
    r"|(?:\(?(?:this|the) (?:story|article|report) (?:has been|was|is) "
    r"(?:published|edited|auto-generated)\b.{0,80}from a (?:syndicated|wire|agency) feed)"
    r"|the post .{1,300}? appeared first on\b|read the full (?:story|article)\b|read full article\b"
    r"|(?:\[(?:…|\.\.\.)\]|…|\.\.\.)$)",
    re.I,
)
_TRAILER_CHARS = 300
_INLINE_TRAILER = re.compile(
    r"\s*\((?:with inputs? from|inputs from|additional reporting by)[^()]{1,80}\)\s*$", re.I
)
_AGENCIES = r"Reuters|AP|AFP|PTI|IANS|ANI|UNI|CNN|Bloomberg|UPI|dpa|Xinhua|AA"
_AGENCY = rf"\((?:{_AGENCIES})\)"
_AGENCY_NAME = re.compile(rf"\(({_AGENCIES})\)")
_DATE_AFTER_PLACE = rf"(?:,\s*(?i:{_MONTH})\s+\d{{1,2}}(?:,\s*\d{{4}})?)?"
# A place in capitals ("NEW DELHI:", "LONDON, Dec 19 (Reuters) -"), or any place with an agency.
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z.'’-]+(?:[ -][A-Z][A-Z.'’-]+){0,3}(?:,\s*[A-Z][\w.'’-]*(?:\s[A-Z][\w.'’-]*)?)?"
    rf"{_DATE_AFTER_PLACE}\s*(?:{_AGENCY}\s*)?"
    rf"|[A-Z][\w.'’-]*(?:[ -][A-Z][\w.'’-]*){{0,3}}{_DATE_AFTER_PLACE}\s*{_AGENCY}\s*)"
    r"(?::|\s[-–—]{1,2})\s+(?=[A-Z“\"‘'])"
)
# A place in title case with a colon ("Moscow: They want..."): only before several sentences.
_SOFT_DATELINE = re.compile(r"^[A-Z][a-z’'-]+(?: [A-Z][a-z’'-]+)?:\s+(?=[A-Z“\"‘'])")
_LABEL = re.compile(r"^[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3}:\s")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*(?:\s+[A-Z“\"‘']|\s*$)")
_HEADLINE_MAX = 200


def is_trailer(paragraph: str) -> bool:
    """Tell whether a paragraph is a page's or feed's trailer ("Read more", "The post ... appeared
    first on ...", "Share this", a lone ellipsis), not article text."""
    return len(paragraph) <= _TRAILER_CHARS and _TRAILER.match(paragraph) is not None


def _is_headline(line: str) -> bool:
    words = line.split()
    return (
        2 <= len(words) <= 30
        and len(line) <= _HEADLINE_MAX
        and (not line.endswith((".", ",", ";", ":")) or line.endswith("..."))
        and not _URL.match(line)
    )


def _self_repeat(p: str) -> bool:
    """Tell whether a paragraph is printed twice over: `X X` or `X <credit> X`."""
    n = len(p)
    if n < 40:
        return False
    probe = p[:20]
    start = p.find(probe, n // 2 - 80 if n // 2 > 100 else 1)
    while start != -1:
        tail = p[start:]
        if len(tail) >= 20 and p.startswith(tail.rstrip(" .")) and start - len(tail) <= 80:
            return True
        start = p.find(probe, start + 1)
    return False


@dataclass(slots=True)
class TextMeta:
    """What header, date and source lines said about an article."""

    title: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    outlet: str | None = None
    url: str | None = None


def _take_header_field(p: str, meta: TextMeta, in_head: bool) -> bool:
    """Read a `Key: value` line into meta; tell whether the line is consumed."""
    m = _HEADER_FIELD.match(p)
    if not m:
        return False
    key, value = m.group(1).lower(), m.group(2).strip()
    if key in {"source", "outlet", "publisher"}:
        if len(value) > 60 or (_FINAL.search(value) and not _URL.match(value)):
            return False
        if _URL.match(value):
            meta.url = meta.url or value
        else:
            meta.outlet = meta.outlet or value
        return True
    if key in {"date", "published", "updated", "posted"}:
        found = parse_date(value)
        if found is None:  # an absurd date is still a date line, not article text
            return len(value) <= 40 and _LOOKS_LIKE_DATE.match(value) is not None
        if key == "updated":
            meta.updated = meta.updated or found
        else:
            meta.published = meta.published or found
        return True
    if not in_head:
        return False
    if key in {"title", "headline"}:
        meta.title = meta.title or value
        return True
    if key in {"url", "link", "canonical"}:
        if not _URL.match(value):
            return False
        meta.url = meta.url or value
        return True
    return len(value.split()) <= 8  # author / byline


def _strip_date_prefix(p: str, meta: TextMeta) -> str:
    m = _DATE_PREFIX.match(p)
    if not m:
        return p
    found = parse_date(m.group(1))
    if found is None:
        return p
    keyword = _DATE_KEYWORD.match(p)
    if keyword and keyword.group(0).lower() in {"updated", "last updated"}:
        meta.updated = meta.updated or found
    else:
        meta.published = meta.published or found
    return p[m.end() :].strip()


def _strip_byline(p: str, meta: TextMeta) -> str | None:
    """Drop a `By NAME` line, keeping a date or text glued after it; None if nothing is left."""
    m = BYLINE.match(p)
    if not m or (len(p.split()) > 12 and m.group("rest") is None):
        return p
    rest = (m.group("rest") or "").strip()
    if not rest:
        return None
    after = _strip_date_prefix(rest, meta)
    if after != rest:
        return after or None
    return p if len(rest.split()) > 6 else None


def clean_paragraphs(paragraphs: list[str], *, head: int = 6) -> tuple[list[str], TextMeta]:
    """Drop page furniture from paragraphs and read metadata from the first `head` of them."""
    meta = TextMeta()
    kept: list[str] = []
    seen: set[str] = set()
    for index, p in enumerate(paragraphs):
        in_head = index < head and not any(has_sentence(k) for k in kept)
        if in_head:
            for _ in range(3):  # "Published ... | Updated ..."
                before, p = p, _strip_date_prefix(p, meta)
                if p == before:
                    break
            if not p:
                continue
            url = _BARE_URL.match(p)
            if url:
                meta.url = meta.url or url.group(1)
                continue
            stripped = _strip_byline(p, meta)
            if stripped is None:
                continue
            p = stripped
        if _take_header_field(p, meta, in_head):
            continue
        if is_trailer(p):
            continue
        if (len(p) <= 400 and CREDIT.search(p) and not _FINAL.search(p)) or _self_repeat(p):
            continue
        if len(p) <= 40 and parse_date(p) is not None and in_head:
            meta.published = meta.published or parse_date(p)
            continue
        p = _INLINE_TRAILER.sub("", p)
        if not p:
            continue
        if len(p.split()) >= 8:  # a repeated sentence, not a repeated sub-heading in a list
            key = p.casefold()
            if key in seen:
                continue
            seen.add(key)
        kept.append(p)
    return kept, meta


def _pick_title(kept: list[str], meta: TextMeta) -> tuple[str | None, list[str]]:
    """Find the headline among the leading paragraphs; drop breadcrumbs glued to it."""
    title: str | None = meta.title
    rest = kept
    if title is None and len(kept) >= 2 and _is_headline(kept[0]):
        title, rest = kept[0], kept[1:]
        # A breadcrumb or section label glued in front of the headline repeated below it.
        for later in kept[1:4]:
            if _is_headline(later) and len(later) >= 15 and title.endswith(" " + later):
                title = later
                break
    if title is None:
        return None, kept
    folded = title.casefold()
    return title, [p for i, p in enumerate(rest) if i >= 4 or p.casefold() != folded]


def _drop_dateline(body: list[str]) -> str | None:
    """Cut a dateline ("MOSCOW: ", "LONDON (Reuters) - ") opening one of the first paragraphs;
    give the agency it names, the outlet of the text.

    Speaker labels in a transcript ("JAKE TAPPER: ...") look the same, so when several
    paragraphs open with a label and a colon, colon datelines are left alone.
    """
    transcript = sum(1 for p in body if _LABEL.match(p)) >= 2
    for index, p in enumerate(body[:3]):
        m = _DATELINE.match(p)
        if not m and index < 2:
            m = _SOFT_DATELINE.match(p)
            if m and len(_SENTENCE_END.findall(p, m.end())) < 2:
                m = None
        if m and transcript and m.group(0).rstrip().endswith(":"):
            m = None
        if m and has_sentence(p[m.end() :]):
            body[index] = p[m.end() :]
            agency = _AGENCY_NAME.search(m.group(0))
            return agency.group(1) if agency else None
    return None


def clean_text(raw: str) -> CleanText:
    """Clean plain text into a body and read its title, date, outlet and URL where given."""
    kept, meta = clean_paragraphs(split_paragraphs(raw))
    title, body = _pick_title(kept, meta)
    agency = _drop_dateline(body)
    outlet = meta.outlet or outlet_from_url(meta.url) or agency
    return CleanText(
        title=title,
        body="\n\n".join(body),
        published=meta.published or meta.updated,
        outlet=outlet,
        url=meta.url,
    )
