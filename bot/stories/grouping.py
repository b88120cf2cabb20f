"""Group articles about the same event into stories: shared names and vocabulary, close in time."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from importlib.resources import files
from typing import Any

from sumy.utils import get_stop_words

WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")
TOP_TERMS = 40
TOP_NAMES = 25
SAME_STORY_SIMILARITY = 0.30
MIN_SHARED_NAMES = 3
NAME_WEIGHT = 2.0
TITLE_REPEAT = 2


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    extra = {
        "said",
        "says",
        "say",
        "told",
        "would",
        "could",
        "also",
        "year",
        "years",
        "new",
        "one",
        "two",
        "first",
        "last",
        "people",
        "time",
        "mr",
        "mrs",
        "ms",
        "thursday",
        "monday",
        "tuesday",
        "wednesday",
        "friday",
        "saturday",
        "sunday",
        "news",
    }
    return frozenset(get_stop_words("english")) | extra


def stem_word(word: str) -> str:
    """Fold case, possessives and plurals so that wordings of one name meet."""
    word = word.lower().replace("’", "'").removesuffix("'s")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


class _BackgroundIdf:
    """Inverse document frequency from a general news corpus, so common words weigh little."""

    def __init__(self, documents: int, counts: dict[str, int]) -> None:
        self.documents = documents
        self.counts = counts

    def __call__(self, stem: str) -> float:
        return math.log((self.documents + 1) / (self.counts.get(stem, 0) + 1))


@lru_cache(maxsize=1)
def _inverse_document_frequency() -> _BackgroundIdf:
    lines = files("newsbrief.bot.data").joinpath("document_frequency.txt").read_text().splitlines()
    documents = int(lines[0].split("\t")[1])
    counts = {t: int(n) for t, n in (line.split("\t") for line in lines[1:] if line)}
    return _BackgroundIdf(documents, counts)


@dataclass(frozen=True, slots=True)
class Signature:
    """What an article or story is about: weighted terms (unit length) and the names it mentions."""

    terms: dict[str, float]
    names: frozenset[str]

    def to_json(self) -> dict[str, Any]:
        return {"terms": self.terms, "names": sorted(self.names)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Signature:
        return cls(dict(data.get("terms", {})), frozenset(data.get("names", ())))

    def similarity(self, other: Signature) -> float:
        """Cosine of the two term vectors."""
        small, large = sorted((self.terms, other.terms), key=len)
        return sum(w * large.get(t, 0.0) for t, w in small.items())

    def merged(self, other: Signature) -> Signature:
        """Describe a story that now holds both."""
        combined: Counter[str] = Counter(self.terms)
        combined.update(other.terms)
        return Signature(_normalised(combined, TOP_TERMS * 2), self.names | other.names)


def _normalised(weights: Counter[str] | dict[str, float], keep: int) -> dict[str, float]:
    top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:keep]
    norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
    return {t: round(w / norm, 5) for t, w in top}


def signature(title: str, text: str) -> Signature:
    """Describe an article for matching: its content words and the names it mentions."""
    stop = _stop_words()
    words = WORD.findall(f"{title}\n" * TITLE_REPEAT + text)
    lowercase_seen = {w for w in words if w[0].islower()}
    counts: defaultdict[str, float] = defaultdict(float)
    name_counts: Counter[str] = Counter()
    for word in words:
        lower = word.lower()
        if len(word) < 3 or lower in stop:
            continue
        stem = stem_word(word)
        if word[0].isupper() and lower not in lowercase_seen:
            name_counts[stem] += 1
            counts[stem] += NAME_WEIGHT
        else:
            counts[stem] += 1
    idf = _inverse_document_frequency()
    weights = {t: (1.0 + math.log(c)) * idf(t) for t, c in counts.items()}
    names = frozenset(n for n, _ in name_counts.most_common(TOP_NAMES))
    return Signature(_normalised(weights, TOP_TERMS), names)


@dataclass(slots=True)
class _Entry:
    signature: Signature
    first: datetime
    last: datetime


@dataclass
class StoryIndex:
    """Recent stories, found by the names they share with a new article, within a time window."""

    window: timedelta
    _stories: dict[int, _Entry] = field(default_factory=dict)
    _by_name: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    def add(self, story_id: int, sig: Signature, first: datetime, last: datetime) -> None:
        """Remember a story (or its new state after an article joined it)."""
        self._stories[story_id] = _Entry(sig, first, last)
        for name in sig.names:
            self._by_name[name].add(story_id)

    def __contains__(self, story_id: object) -> bool:
        return story_id in self._stories

    def signature(self, story_id: int) -> Signature:
        """Return what a known story is about now."""
        return self._stories[story_id].signature

    def last_seen(self, story_id: int) -> datetime:
        """Return when a known story was last reported."""
        return self._stories[story_id].last

    def join(self, story_id: int, sig: Signature, when: datetime) -> Signature:
        """Add an article to a known story; return the story's new signature."""
        entry = self._stories[story_id]
        merged = entry.signature.merged(sig)
        self.add(story_id, merged, min(entry.first, when), max(entry.last, when))
        return merged

    def match(self, sig: Signature, when: datetime | None) -> int | None:
        """Find the most similar story in the window; an undated article may join any."""
        shared: Counter[int] = Counter()
        for name in sig.names:
            shared.update(self._by_name.get(name, ()))
        best: tuple[float, int] | None = None
        for story_id, count in shared.items():
            if count < MIN_SHARED_NAMES:
                continue
            entry = self._stories[story_id]
            if when is not None and not (
                entry.first - self.window <= when <= entry.last + self.window
            ):
                continue
            score = sig.similarity(entry.signature)
            if score >= SAME_STORY_SIMILARITY and (best is None or score > best[0]):
                best = (score, story_id)
        return None if best is None else best[1]
