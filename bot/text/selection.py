"""Choose a brief's sentences from scored candidates: lead first, no repeats, nothing dangling.

The rules need no summarizer: a story's candidates are scored once at ingest (`briefs`) and
kept, so a view for any words is chosen later from the stored scores alone (`stories.views`).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from itertools import combinations
from typing import Any

from newsbrief.bot.text.algorithms import DEFAULT_ALGORITHM
from newsbrief.bot.text.coherence import Lean, without_connective

__all__ = [
    "Candidate",
    "ScoredStory",
    "choose",
    "focus_pattern",
    "focused_brief",
    "is_side",
    "jaccard",
]

# Two sentences whose content-word sets overlap this much say the same thing.
DUPLICATE_JACCARD = 0.5
DUPLICATE_CONTAINMENT = 0.8
# Two outlets often wrap one fact in different clauses ("Putin has said he is yet to meet
# Syria's Bashar Assad, who fled..." / "In his first comments..., Putin said that he hadn't yet
# met the former Syrian ruler, to whom..."): across articles, clauses are compared too.
CLAUSE_CONTAINMENT = 0.75
_PREFIX_MATCH = 5  # "syria" and "syrian", "russia" and "russian" name the same thing
DEDUP_POOL = 30  # repeats are grouped among this many best-ranked sentences
WORDS_PER_SENTENCE = 35  # a NewsRank brief of 3 sentences fits in about 105 words
# A story's brief stands for several reports, whose leads run long: 45 words a sentence (the
# best budget on the tuning half of AllSides; 35 cut the long leads that carry the core facts).
STORY_WORDS_PER_SENTENCE = 45
BUDGET_POOL = 12  # the brief is chosen among this many best-ranked sentences
# A topic brief's score bonus for a sentence naming the topic, and for one beside such a
# sentence or under a subheading naming it: mild when the story is about the topic, strong
# when the topic is only a side of it.
FOCUS_WEIGHTS = (0.5, 0.2)
SIDE_FOCUS_WEIGHTS = (3.0, 1.0)
REDUNDANCY = 2.0  # a set's score falls by this times the word overlap of outlets' sentences
ON_TOPIC_SHARE = 0.25

Clause = tuple[frozenset[str], frozenset[str]]
"""A clause long enough to state a fact, as (content terms, terms of its lower-case words)."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A sentence of one article that may go into the brief."""

    text: str
    article: int
    position: int  # rank among the article's eligible sentences
    paragraph: int
    words: int
    terms: frozenset[str]
    terms_list: tuple[str, ...]
    clauses: tuple[Clause, ...] = ()
    index: int = 0  # rank among all of the article's sentences, eligible or not
    lean: Lean | None = None  # what its opening needs from the sentence before it
    heading: str = ""  # the subheading it sits under, after the article's first sentence
    on_topic: bool = False  # it names the focus
    near_topic: bool = False  # it sits under a subheading that names the focus

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "article": self.article,
            "position": self.position,
            "paragraph": self.paragraph,
            "words": self.words,
            "terms": list(self.terms_list),
            "clauses": [[sorted(terms), sorted(plain)] for terms, plain in self.clauses],
            "index": self.index,
            "lean": None if self.lean is None else self.lean.value,
            "heading": self.heading,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Candidate:
        terms = tuple(data["terms"])
        return cls(
            text=data["text"],
            article=data["article"],
            position=data["position"],
            paragraph=data["paragraph"],
            words=data["words"],
            terms=frozenset(terms),
            terms_list=terms,
            clauses=tuple((frozenset(t), frozenset(p)) for t, p in data["clauses"]),
            index=data["index"],
            lean=None if data["lean"] is None else Lean(data["lean"]),
            heading=data["heading"],
        )


@dataclass(frozen=True, slots=True)
class ScoredStory:
    """A story's candidate sentences ranked by an algorithm: all a brief for any focus needs."""

    algorithm: str
    titles: tuple[str, ...]  # each article's title
    candidates: tuple[Candidate, ...]
    scores: tuple[float, ...]
    order: tuple[int, ...]  # candidate indices, best first

    def to_json(self) -> dict[str, Any]:
        return {
            "algorithm": self.algorithm,
            "titles": list(self.titles),
            "candidates": [c.to_json() for c in self.candidates],
            "scores": list(self.scores),
            "order": list(self.order),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScoredStory:
        return cls(
            algorithm=data["algorithm"],
            titles=tuple(data["titles"]),
            candidates=tuple(Candidate.from_json(c) for c in data["candidates"]),
            scores=tuple(data["scores"]),
            order=tuple(data["order"]),
        )


def with_focus(candidates: Sequence[Candidate], focus: Collection[str] | None) -> list[Candidate]:
    """Mark the candidates that name the focus, or sit under a subheading that does."""
    pattern = focus_pattern(focus) if focus else None
    if pattern is None:
        return list(candidates)
    marked = []
    for c in candidates:
        on_topic = pattern.search(c.text) is not None
        near_topic = bool(c.heading) and pattern.search(c.heading) is not None
        flagged = on_topic or near_topic
        marked.append(replace(c, on_topic=on_topic, near_topic=near_topic) if flagged else c)
    return marked


def choose(
    story: ScoredStory,
    sentences: int,
    focus: Collection[str] | None = None,
    *,
    lead_first: bool = False,
) -> list[str]:
    """Brief a scored story, favouring the sentences that name the focus if one is given."""
    return focused_brief(story, sentences, focus, lead_first=lead_first)[0]


def focused_brief(
    story: ScoredStory,
    sentences: int,
    focus: Collection[str] | None = None,
    *,
    lead_first: bool = False,
) -> tuple[list[str], bool]:
    """Brief a scored story for a focus, and tell whether the focus is only a side of it."""
    candidates = with_focus(story.candidates, focus)
    if not candidates:
        return [], False
    leads = _leads(candidates)
    about: Collection[int] = leads
    side = False
    if focus:
        about = _about(candidates, leads, story.titles, focus)
        side = not about
    if sentences <= 0:
        return [], side
    order, scores = list(story.order), list(story.scores)
    if story.algorithm != DEFAULT_ALGORITHM:
        return _plain_brief(candidates, order, sentences, focus=bool(focus)), side
    if focus:
        scores = _favour_topic(candidates, scores, SIDE_FOCUS_WEIGHTS if side else FOCUS_WEIGHTS)
        order = sorted(range(len(candidates)), key=lambda i: (-scores[i], i))
    several = len(story.titles) > 1
    lead = _lead(candidates, leads, about) if several or lead_first else None
    chosen = _select(candidates, order, scores, sentences, lead, side=side)
    return _read_in_order(candidates, chosen), side


def is_side(candidates: Sequence[Candidate], titles: Sequence[str], focus: Collection[str]) -> bool:
    """Tell whether a topic is only a side of a story: no lead or headline names it, and less
    than a quarter of its sentences do (a press conference on Syria that touched on Kursk)."""
    focused = with_focus(candidates, focus)
    return bool(focused) and not _about(focused, _leads(focused), titles, focus)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _duplicates(a: frozenset[str], b: frozenset[str]) -> bool:
    """Tell whether two sentences (as content-word sets) say the same thing."""
    if not a or not b:
        return False
    common = len(a & b)
    return (
        common / len(a | b) >= DUPLICATE_JACCARD
        or common / min(len(a), len(b)) >= DUPLICATE_CONTAINMENT
    )


def _same_term(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= _PREFIX_MATCH and long.startswith(short)


def _shared(a: frozenset[str], b: frozenset[str]) -> set[str]:
    return {x for x in a if x in b or any(_same_term(x, y) for y in b)}


def _same_fact(first: Candidate, second: Candidate) -> bool:
    """Tell whether two outlets' sentences share a clause that states the same fact."""
    for terms_a, plain_a in first.clauses:
        for terms_b, plain_b in second.clauses:
            shared = _shared(terms_a, terms_b)
            if len(shared) / min(len(terms_a), len(terms_b)) >= CLAUSE_CONTAINMENT and (
                shared & (plain_a | plain_b)
            ):
                return True
    return False


def _repeats(first: Candidate, second: Candidate) -> bool:
    """Tell whether a brief holding one of these sentences needs not the other."""
    if _duplicates(first.terms, second.terms):
        return True
    return first.article != second.article and _same_fact(first, second)


def _repeat_groups(candidates: list[Candidate], best: list[int]) -> dict[int, int]:
    """Group the best candidates that repeat each other, also through a third sentence.

    One outlet may state a fact twice in different words, and another outlet once: if either
    of the first outlet's wordings is taken, the second outlet's is a repeat.
    """
    parent = {i: i for i in best}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for n, i in enumerate(best):
        for j in best[n + 1 :]:
            if root(i) != root(j) and _repeats(candidates[i], candidates[j]):
                parent[root(j)] = root(i)
    return {i: root(i) for i in best}


def focus_pattern(focus: Collection[str]) -> re.Pattern[str] | None:
    """Match any focus phrase as whole words, plurals and possessives included."""
    phrases = sorted({" ".join(f.lower().split()) for f in focus if f.strip()}, key=len)
    if not phrases:
        return None
    body = "|".join(r"\s+".join(map(re.escape, p.split())) for p in reversed(phrases))
    return re.compile(rf"(?<![\w-])(?:{body})(?:s|es|'s|’s)?(?![\w-])", re.I)


def _about(
    candidates: list[Candidate],
    leads: dict[int, int],
    titles: Sequence[str],
    focus: Collection[str],
) -> set[int]:
    """The articles whose lead or headline names the focus; all when a quarter of the story does.

    None means the topic is a side of the story: its brief opens on the sentences that name it.
    """
    if _mostly_on_topic(candidates):
        return set(leads)
    pattern = focus_pattern(focus)
    return {
        a
        for a, i in leads.items()
        if candidates[i].on_topic or (pattern is not None and pattern.search(titles[a]))
    }


def _select(
    candidates: list[Candidate],
    order: list[int],
    scores: list[float],
    sentences: int,
    lead: int | None,
    *,
    side: bool = False,
) -> list[int]:
    """Choose the brief's sentences: the lead if given, then the best set that fits."""
    if lead is not None:
        order = [lead] + [i for i in order if i != lead]
    group = _repeat_groups(candidates, order[: max(DEDUP_POOL, sentences * 6)])
    chosen = _within_budget(candidates, order, scores, group, sentences, lead, side=side)
    if chosen is None:
        chosen = _greedy(candidates, order, group, sentences, coherent=True)
    return chosen


def _plain_brief(
    candidates: list[Candidate], order: list[int], sentences: int, *, focus: bool
) -> list[str]:
    """Brief with a sumy algorithm as it ranks: the best in turn, in document order."""
    if focus:  # on-topic sentences first, each kept in the algorithm's order
        order = sorted(order, key=lambda i: not candidates[i].on_topic)
    group = _repeat_groups(candidates, order[: max(DEDUP_POOL, sentences * 6)])
    chosen = _greedy(candidates, order, group, sentences, coherent=False)
    # Within one article: document order. Across articles: leads first, then by rank.
    rank = {i: r for r, i in enumerate(chosen)}
    chosen.sort(key=lambda i: (candidates[i].position, rank[i]))
    return [candidates[i].text for i in chosen]


def _favour_topic(
    candidates: list[Candidate], scores: list[float], weights: tuple[float, float]
) -> list[float]:
    """Raise sentences that name the focus, and a little those beside one or under a heading."""
    on_topic, near_topic = weights
    near = {(c.article, c.paragraph) for c in candidates if c.on_topic}
    return [
        score
        + (
            on_topic
            if c.on_topic
            else near_topic * (c.near_topic or (c.article, c.paragraph) in near)
        )
        for c, score in zip(candidates, scores, strict=True)
    ]


def _central_article(candidates: list[Candidate], among: Collection[int]) -> int:
    """Find the article that shares most with the others: TF-IDF cosine to their sum."""
    if len(among) == 1:
        return next(iter(among))
    df: Counter[str] = Counter()
    for c in candidates:
        df.update(c.terms)
    n = len(candidates)
    vectors: dict[int, defaultdict[str, float]] = {a: defaultdict(float) for a in among}
    total: defaultdict[str, float] = defaultdict(float)
    for c in candidates:
        weights = {t: math.log((n + 1.0) / (df[t] + 0.5)) for t in c.terms_list}
        for term in c.terms_list:
            total[term] += weights[term]
            if c.article in vectors:
                vectors[c.article][term] += weights[term]

    def closeness(article: int) -> float:
        own = vectors[article]
        rest = {t: total[t] - own.get(t, 0.0) for t in total}
        dot = sum(v * rest.get(t, 0.0) for t, v in own.items())
        norms = math.sqrt(sum(v * v for v in own.values())) * math.sqrt(
            sum(v * v for v in rest.values())
        )
        return dot / norms if norms else 0.0

    return max(sorted(among), key=closeness)


def _leads(candidates: list[Candidate]) -> dict[int, int]:
    """Map each article to its lead: its first eligible sentence."""
    return {c.article: i for i, c in reversed(list(enumerate(candidates))) if c.position == 0}


def _lead(candidates: list[Candidate], leads: dict[int, int], about: Collection[int]) -> int | None:
    """The lead of the most central article among those `about` the brief's subject.

    A lead that needs the sentence before it cannot open a brief; with a focus, only an
    article whose headline or lead names the topic gives the lead (or any, when a quarter of
    the story is on it).
    """
    among = {a for a in about if a in leads and not _needs_sentence_before(candidates[leads[a]])}
    if not among:
        return None
    return leads[_central_article(candidates, among)]


def _mostly_on_topic(candidates: list[Candidate]) -> bool:
    return sum(c.on_topic for c in candidates) >= ON_TOPIC_SHARE * len(candidates)


def _clash(candidates: list[Candidate], group: dict[int, int], i: int, j: int) -> bool:
    return group.get(i, i) == group.get(j, j) or _repeats(candidates[i], candidates[j])


def _predecessors(candidates: list[Candidate]) -> dict[int, int]:
    """Map each candidate leaning on a pronoun to the candidate right before it, if eligible."""
    at = {(c.article, c.index): i for i, c in enumerate(candidates)}
    return {
        i: at.get((c.article, c.index - 1), -1)
        for i, c in enumerate(candidates)
        if _needs_sentence_before(c)
    }


def _needs_sentence_before(candidate: Candidate) -> bool:
    return candidate.lean is not None and candidate.lean.needs_sentence_before


def _coherent(chosen: Collection[int], needs: dict[int, int]) -> bool:
    """Tell whether every pronoun-led sentence chosen has the sentence before it chosen too."""
    return all(needs[i] in chosen for i in chosen if i in needs)


def _greedy(
    candidates: list[Candidate],
    order: list[int],
    group: dict[int, int],
    sentences: int,
    *,
    coherent: bool,
) -> list[int]:
    """Take the best candidates in turn, skipping repeats (and, if coherent, lone pronouns)."""
    needs = _predecessors(candidates) if coherent else {}
    chosen: list[int] = []
    for i in order:
        if i in needs and needs[i] not in chosen:
            continue
        if not any(_clash(candidates, group, i, j) for j in chosen):
            chosen.append(i)
            if len(chosen) == sentences:
                break
    return chosen


def _within_budget(
    candidates: list[Candidate],
    order: list[int],
    scores: list[float],
    group: dict[int, int],
    sentences: int,
    lead: int | None,
    *,
    side: bool = False,
) -> list[int] | None:
    """Take the best-scoring set of the top candidates that repeats nothing and fits the budget.

    A brief is read at a glance in a chat, so it gets `WORDS_PER_SENTENCE` words a sentence; a
    few long sentences (a caption glued to the next line, a quote-laden paragraph) would take
    the room of several facts. The lead, when given, is in every set; a sentence opening on a
    pronoun only comes with the sentence before it; outlets' sentences that share words cost
    (they tend to say one thing twice); for a `side` topic of the story, the sets with the most
    sentences naming it come first. A story told by several outlets gets
    `STORY_WORDS_PER_SENTENCE` instead, but for a side topic, whose few sentences on it must
    not make room for the story's own news. With no set inside the budget, the shortest set is
    taken; with no full set that repeats nothing, None (the caller falls back to taking the
    best in turn).
    """
    pool = order[:BUDGET_POOL]
    size = min(sentences, len(pool))
    if size <= 0:
        return None
    needs = _predecessors(candidates)
    story = not side and len({c.article for c in candidates}) > 1
    budget = (STORY_WORDS_PER_SENTENCE if story else WORDS_PER_SENTENCE) * sentences
    clashes = {(i, j) for i, j in combinations(pool, 2) if _clash(candidates, group, i, j)}
    fixed = (lead,) if lead is not None else ()
    rest = [i for i in pool if i != lead]
    overlap = {
        (i, j): _overlap(candidates[i], candidates[j]) for i, j in combinations(sorted(pool), 2)
    }
    best: tuple[int, ...] | None = None
    best_key = (0, False, 0.0)
    for extra in combinations(rest, size - len(fixed)):
        combo = fixed + extra
        if any(pair in clashes or pair[::-1] in clashes for pair in combinations(combo, 2)):
            continue
        if not _coherent(combo, needs):
            continue
        words = sum(candidates[i].words for i in combo)
        fits = words <= budget
        on_topic = sum(candidates[i].on_topic for i in combo) if side else 0
        value = sum(scores[i] for i in combo) - REDUNDANCY * sum(
            overlap[pair] for pair in combinations(sorted(combo), 2)
        )
        key = (on_topic, fits, value if fits else -float(words))
        if best is None or key > best_key:
            best, best_key = combo, key
    if best is None or len(best) < min(sentences, len(candidates)):
        return None
    return list(best)


def _overlap(first: Candidate, second: Candidate) -> float:
    """How much of the shorter of two sentences the other already says (shared content terms)."""
    if not first.terms or not second.terms:
        return 0.0
    if first.article == second.article:
        return 0.0
    return jaccard(first.terms, second.terms)


def _read_in_order(candidates: list[Candidate], chosen: list[int]) -> list[str]:
    """Lay the chosen sentences out as a reader takes them.

    The first chosen (the lead) comes first with the rest of its article, then each other
    article's sentences, best first; within an article, in document order, so a sentence that
    leans on the one before follows it. An opening connective with nothing before it to link
    to is dropped.
    """
    first_rank: dict[int, int] = {}
    for rank, i in enumerate(chosen):
        first_rank.setdefault(candidates[i].article, rank)
    laid = sorted(chosen, key=lambda i: (first_rank[candidates[i].article], candidates[i].index))
    out: list[str] = []
    for n, i in enumerate(laid):
        c = candidates[i]
        before = candidates[laid[n - 1]] if n else None
        follows = before is not None and (before.article, before.index) == (c.article, c.index - 1)
        loose = c.lean is Lean.CONNECTIVE and not follows
        out.append(without_connective(c.text) if loose else c.text)
    return out
