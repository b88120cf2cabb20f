"""Group articles about one event into stories, without chaining one event onto the next.

An article is described by the words of its title and lead (`Signature`), weighed by how rare
each word is in the store's own recent articles (`Commonness`: a new name weighs much on its
first day and little a month later; a shipped table stands in while the store is young). A
newcomer joins the story whose central articles (its `StoryCore`, at most `CORE_SIZE`) it
resembles most on average, if that is at least `SAME_STORY_SIMILARITY`; reports further apart
in time count for less, and no story spans more than its window, however many articles join.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from importlib.resources import files
from typing import Any

from sumy.utils import get_stop_words

WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")
LEAD_WORDS = 400  # an article's event is in its opening; its tail wanders into background
TITLE_REPEAT = 3  # a headline says what the event is: its words count thrice
NAME_WEIGHT = 2.0  # a capitalised word never written in lower case names someone or something
MAX_TERM_CHARS = 64
TOP_TERMS = 100  # a weighed article keeps its heaviest words
CANDIDATE_TERMS = 12  # an article looks for stories by its heaviest words only
CORE_SIZE = 3
SAME_STORY_SIMILARITY = 0.22
DECAY_DAYS = 4.0  # reports a day apart resemble each other e^(-1/4) as much
PRIOR_DOCUMENTS = 500.0  # the shipped table weighs as much as this many stored articles
COMMONNESS_DAYS = 30  # "recent articles": those published within this many days


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


@dataclass(frozen=True, slots=True)
class Signature:
    """What an article says, for matching: its words' counts and the names it mentions."""

    terms: dict[str, float]
    names: frozenset[str]

    def to_json(self) -> dict[str, Any]:
        return {"terms": self.terms, "names": sorted(self.names)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Signature:
        terms = data.get("terms", {})
        return cls(
            {str(t): float(n) for t, n in terms.items()} if isinstance(terms, dict) else {},
            frozenset(str(n) for n in data.get("names", ())),
        )


def signature(title: str, text: str) -> Signature:
    """Count an article's content words in its title and lead; names count more."""
    stop = _stop_words()
    headline = WORD.findall(title)
    words = headline * TITLE_REPEAT + WORD.findall(text)[:LEAD_WORDS]
    lowercase_seen = {w for w in words if w[0].islower()}
    counts: defaultdict[str, float] = defaultdict(float)
    names: set[str] = set()
    for word in words:
        lower = word.lower()
        if len(word) < 3 or len(word) > MAX_TERM_CHARS or lower in stop:
            continue
        stem = stem_word(word)
        if word[0].isupper() and lower not in lowercase_seen:
            names.add(stem)
            counts[stem] += NAME_WEIGHT
        else:
            counts[stem] += 1.0
    return Signature(dict(counts), frozenset(names))


@lru_cache(maxsize=1)
def _shipped_table() -> tuple[int, dict[str, int]]:
    """Word counts of a general news corpus (BBC, 2004-05): the cold-start fallback."""
    lines = files("newsbrief.bot.data").joinpath("document_frequency.txt").read_text().splitlines()
    documents = int(lines[0].split("\t")[1])
    counts = {t: int(n) for t, n in (line.split("\t") for line in lines[1:] if line)}
    return documents, counts


class Commonness:
    """How common each word is in recent articles: the store's counts over a shipped prior.

    A word's share of documents is estimated as (stored + PRIOR_DOCUMENTS x its shipped share)
    / (stored documents + PRIOR_DOCUMENTS): the shipped table decides while the store is young,
    the store's own articles once it holds many more than PRIOR_DOCUMENTS.
    """

    def __init__(self, documents: int = 0, counts: Mapping[str, int] | None = None) -> None:
        self.documents = documents
        self.counts: Counter[str] = Counter(counts or {})
        self._shipped_documents, self._shipped = _shipped_table()
        self._rarities: dict[str, float] = {}

    def knows(self, term: str) -> bool:
        """Say whether the store's count of a word has been loaded."""
        return term in self.counts

    def learn(self, counts: Mapping[str, int]) -> None:
        """Take the stored counts of more words (from the same recent days)."""
        for term, count in counts.items():
            self.counts[term] = count
        self._rarities.clear()

    def add(self, terms: Iterable[str]) -> None:
        """Count one more article holding these words."""
        self.documents += 1
        self.counts.update(set(terms))
        self._rarities.clear()

    def rarity(self, term: str) -> float:
        """Give a word's inverse document frequency: high for a word few recent articles use."""
        found = self._rarities.get(term)
        if found is None:
            shipped = (self._shipped.get(term, 0) + 1) / (self._shipped_documents + 1)
            share = (self.counts.get(term, 0) + PRIOR_DOCUMENTS * shipped + 0.5) / (
                self.documents + PRIOR_DOCUMENTS + 1
            )
            found = self._rarities[term] = -math.log(min(share, 1.0))
        return found

    def weigh(self, sig: Signature) -> dict[str, float]:
        """Turn an article's counts into a unit vector of its heaviest words."""
        weights = [(t, (1 + math.log(max(c, 1.0))) * self.rarity(t)) for t, c in sig.terms.items()]
        top = sorted(weights, key=lambda tw: (-tw[1], tw[0]))[:TOP_TERMS]
        norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
        return {t: w / norm for t, w in top}


def similarity(first: Mapping[str, float], second: Mapping[str, float]) -> float:
    """Cosine of two unit vectors."""
    small, large = sorted((first, second), key=len)
    return sum(w * large.get(t, 0.0) for t, w in small.items())


def decay(first: datetime | None, second: datetime | None) -> float:
    """Weigh a resemblance by how close in time two reports are (1 when either is undated)."""
    if first is None or second is None:
        return 1.0
    days = abs((first - second).total_seconds()) / 86400
    return math.exp(-days / DECAY_DAYS)


@dataclass(frozen=True, slots=True)
class CoreArticle:
    """One of a story's central articles: what it says and when."""

    signature: Signature
    published: datetime


@dataclass(frozen=True, slots=True)
class StoryCore:
    """A story as newcomers are matched against it: its central articles and its span."""

    members: tuple[CoreArticle, ...]
    first: datetime
    last: datetime

    @classmethod
    def founded(cls, sig: Signature, published: datetime) -> StoryCore:
        return cls((CoreArticle(sig, published),), published, published)

    def joined(self, sig: Signature, published: datetime) -> StoryCore:
        """Widen the span; the newcomer joins the core while it has room."""
        members = self.members
        if len(members) < CORE_SIZE:
            members = (*members, CoreArticle(sig, published))
        return StoryCore(members, min(self.first, published), max(self.last, published))

    def to_json(self) -> dict[str, Any]:
        return {
            "core": [
                {**m.signature.to_json(), "published": m.published.isoformat()}
                for m in self.members
            ]
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], first: datetime, last: datetime) -> StoryCore:
        """Read a stored core; a story stored before cores existed is its one old signature."""
        stored = data.get("core")
        if not isinstance(stored, list):
            return cls((CoreArticle(Signature.from_json(data), first),), first, last)
        members = tuple(
            CoreArticle(Signature.from_json(m), datetime.fromisoformat(m["published"]))
            for m in stored
        )
        return cls(members, first, last)


def central_order(members: Sequence[Signature], commonness: Commonness) -> list[int]:
    """Order a story's articles by how much they resemble the others, most central first."""
    vectors = [commonness.weigh(m) for m in members]
    if len(vectors) < 3:
        return list(range(len(vectors)))
    totals = [
        sum(similarity(v, w) for j, w in enumerate(vectors) if j != i)
        for i, v in enumerate(vectors)
    ]
    return sorted(range(len(vectors)), key=lambda i: (-totals[i], i))


@dataclass
class _Entry:
    core: StoryCore
    vectors: list[dict[str, float]] | None = None  # weighed when first a candidate


@dataclass
class StoryIndex:
    """Recent stories, found by the words their central articles share with a newcomer."""

    window: timedelta
    commonness: Commonness = field(default_factory=Commonness)
    _stories: dict[int, _Entry] = field(default_factory=dict)
    _by_term: defaultdict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    def add(self, story_id: int, core: StoryCore) -> None:
        """Remember a story (or its new state after an article joined it)."""
        self._stories[story_id] = _Entry(core)
        for member in core.members:
            for term in member.signature.terms:
                self._by_term[term].add(story_id)

    def __contains__(self, story_id: object) -> bool:
        return story_id in self._stories

    def core(self, story_id: int) -> StoryCore:
        """Return a known story's core and span."""
        return self._stories[story_id].core

    def last_seen(self, story_id: int) -> datetime:
        """Return when a known story was last reported."""
        return self._stories[story_id].core.last

    def join(self, story_id: int, sig: Signature, when: datetime) -> None:
        """Add an article to a known story."""
        self.add(story_id, self._stories[story_id].core.joined(sig, when))

    def match(self, sig: Signature, when: datetime | None) -> int | None:
        """Find the story a newcomer belongs to, if any; an undated article may join any."""
        vector = self.commonness.weigh(sig)
        heaviest = sorted(vector, key=lambda t: -vector[t])[:CANDIDATE_TERMS]
        candidates = set().union(*(self._by_term.get(t, ()) for t in heaviest))
        best: tuple[float, int] | None = None
        for story_id in sorted(candidates):
            entry = self._stories[story_id]
            core = entry.core
            if when is not None and max(core.last, when) - min(core.first, when) > self.window:
                continue
            if entry.vectors is None:
                entry.vectors = [self.commonness.weigh(m.signature) for m in core.members]
            score = sum(
                similarity(vector, v) * decay(when, m.published)
                for v, m in zip(entry.vectors, core.members, strict=True)
            ) / len(entry.vectors)
            if score >= SAME_STORY_SIMILARITY and (best is None or score > best[0]):
                best = (score, story_id)
        return None if best is None else best[1]
