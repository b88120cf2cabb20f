"""Who said what: a person's latest key quotes across stories, from the quotes stored at ingest.

A name matches a speaker when each of its words is one of the speaker's ("putin" finds
"Vladimir Putin"; "v. putin" too, an initial matching a word's first letter), ignoring case,
accents and a possessive "'s".
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from newsbrief.bot.model import StoryQuote
from newsbrief.bot.store import repository
from newsbrief.bot.store.schema import Story

MAX_NAME_CHARS = 64
CANDIDATE_STORIES = 60
PER_STORY = 2
_WORD = re.compile(r"\w+\.?")
_POSSESSIVE = re.compile(r"[’']s\b")


@dataclass(frozen=True, slots=True)
class SaidQuote:
    """One quote of a person, with the story it is from and who reported it."""

    text: str
    speaker: str
    story_id: int
    story_title: str
    published: datetime
    outlets: tuple[str, ...]
    url: str | None


@dataclass(frozen=True, slots=True)
class Sayings:
    """A person's latest quotes, newest story first; `name` as the stories spell it."""

    name: str
    quotes: tuple[SaidQuote, ...]


def name_words(text: str) -> tuple[str, ...]:
    """Words of a name, compared without case, accents or a possessive."""
    decomposed = unicodedata.normalize("NFKD", _POSSESSIVE.sub("", text[:MAX_NAME_CHARS]))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return tuple(_WORD.findall(plain))


def speaker_matches(query: tuple[str, ...], speaker: str) -> bool:
    """Tell whether every word of the asked name is a word (or initial) of the speaker."""
    words = name_words(speaker)
    if not query or not words:
        return False
    for asked in query:
        if asked.endswith(".") or len(asked) == 1:
            initial = asked.rstrip(".")
            if not any(w.startswith(initial) for w in words):
                return False
        elif asked not in (w.rstrip(".") for w in words):
            return False
    return True


def latest_sayings(session: Session, name: str, *, limit: int = 8) -> Sayings | None:
    """Find the latest quotes of the person `name`; None when no stored story quotes them."""
    query = name_words(name)
    if not query:
        return None
    needle = max((w.rstrip(".") for w in query), key=len)
    found: list[SaidQuote] = []
    for story in repository.stories_quoting(session, needle, limit=CANDIDATE_STORIES):
        taken = 0
        for quote in story.quotes:
            speaker = quote.speaker or ""
            if taken == PER_STORY or not speaker_matches(query, speaker):
                continue
            found.append(_said(quote, speaker, story))
            taken += 1
        if len(found) >= limit:
            break
    if not found:
        return None
    spelled = Counter(q.speaker for q in found).most_common(1)[0][0]
    return Sayings(spelled, tuple(found[:limit]))


def _said(quote: StoryQuote, speaker: str, story: Story) -> SaidQuote:
    outlets = tuple(s for s in quote.sources if s)
    url = next(
        (s.url for s in story.sources if s.url and (not outlets or s.name in outlets)),
        None,
    )
    return SaidQuote(quote.text, speaker, story.id, story.title, story.last_published, outlets, url)
