"""Extractive briefs: pick a few sentences of an article or a multi-outlet story.

Every algorithm runs through sumy on documents built with this project's offline tokenizer,
sumy's Snowball stemmer and sumy's English stop words. Before scoring, sentences that make poor
brief lines are set aside (headlines, captions, photo credits, datelines, bylines, bare quote
fragments, cut-off tails). NewsRank's brief of a story told by several outlets starts from the
lead of the most central one, then takes the best-scoring set that fits a word budget, repeats
nothing and leans on nothing it lacks (`coherence`); a topic focus raises the sentences that
name the topic. The sumy algorithms take their best sentences in turn, skipping repeats.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import combinations
from typing import Any

import numpy as np
from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.nlp.stemmers import Stemmer
from sumy.summarizers.edmundson import EdmundsonSummarizer
from sumy.summarizers.kl import KLSummarizer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.sum_basic import SumBasicSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer
from sumy.utils import get_stop_words

from newsbrief.bot.text.algorithms import ALGORITHMS, DEFAULT_ALGORITHM
from newsbrief.bot.text.coherence import Lean, lean, without_connective
from newsbrief.bot.text.credits import is_credit_or_byline
from newsbrief.bot.text.newsrank import NewsRankSummarizer
from newsbrief.bot.text.sentences import SentenceTokenizer, sentence_spans

__all__ = ["ALGORITHMS", "DEFAULT_ALGORITHM", "brief_story", "is_side_topic", "summarize"]

_SUMY: dict[str, Callable[[Callable[[str], str]], Any]] = {
    "lexrank": LexRankSummarizer,
    "textrank": TextRankSummarizer,
    "luhn": LuhnSummarizer,
    "lsa": LsaSummarizer,
    "sumbasic": SumBasicSummarizer,
    "kl": KLSummarizer,
    "edmundson": lambda stem: EdmundsonSummarizer(
        stem, cue_weight=0.0, key_weight=0.0, title_weight=1.0, location_weight=1.0
    ),
}

# Two sentences whose content-word sets overlap this much say the same thing.
DUPLICATE_JACCARD = 0.5
DUPLICATE_CONTAINMENT = 0.8
# Two outlets often wrap one fact in different clauses ("Putin has said he is yet to meet
# Syria's Bashar Assad, who fled..." / "In his first comments..., Putin said that he hadn't yet
# met the former Syrian ruler, to whom..."): across articles, clauses are compared too.
CLAUSE_CONTAINMENT = 0.75
MIN_CLAUSE_TERMS = 5  # shorter clauses ("Putin said on Thursday") are attributions, not facts
_CLAUSE_BREAK = re.compile(r"[,;:()—–]|\s(?:who|whom|which|whose|while|but|after)\s")
_PREFIX_MATCH = 5  # "syria" and "syrian", "russia" and "russian" name the same thing
DEDUP_POOL = 30  # repeats are grouped among this many best-ranked sentences
WORDS_PER_SENTENCE = 35  # a NewsRank brief of 3 sentences fits in about 105 words
# A story's brief stands for several reports, whose leads run long: 45 words a sentence (the
# best budget on the tuning half of AllSides; 35 cut the long leads that carry the core facts).
STORY_WORDS_PER_SENTENCE = 45
BUDGET_POOL = 12  # the brief is chosen among this many best-ranked sentences
MIN_WORDS = 5  # shorter sentences carry too little to stand in a brief
MIN_QUOTE_WORDS = 6  # a bare quotation shorter than this is a fragment
# A topic brief's score bonus for a sentence naming the topic, and for one beside such a
# sentence or under a subheading naming it: mild when the story is about the topic, strong
# when the topic is only a side of it.
FOCUS_WEIGHTS = (0.5, 0.2)
SIDE_FOCUS_WEIGHTS = (3.0, 1.0)
REDUNDANCY = 2.0  # a set's score falls by this times the word overlap of outlets' sentences
ON_TOPIC_SHARE = 0.25
MAX_SUBHEADING_WORDS = 12  # a story this much on a topic is briefed from its lead for it

_FINAL = re.compile(r"[.!?…][\"'”’»)\]]*$")
# A dateline glued to the first sentence: `date 2024-12-19 `, `MOSCOW (Reuters) - `, `(CNN) `,
# `Moscow: `. It is trimmed off the sentence, which stays verbatim from there.
_DATELINE = re.compile(
    r"^(?:date\s+\d{4}-\d\d-\d\d\s+|"
    r"[A-Z][A-Za-z .,'-]{0,40}\((?:Reuters|AP|AFP|CNN|UPI|Bloomberg)\)\s*[-–—]*\s*|"
    r"\((?:CNN|Reuters|AP|AFP)\)\s*[-–—]*\s*|"
    r"[A-Z][a-z]+(?:\s[A-Z][a-z]+)?:\s(?=[A-Z]))"
)
_QUOTE_OPEN = "\"'“‘«"
# A sentence starts with a capital, a figure or an opening mark (after a list's bullet); one
# that starts in lower case or on a dash is the tail of a sentence the splitter cut
# ("-- all of whom previously introduced ... are looking at").
_START = re.compile(r"(?:[-•*]\s+)?[\"'“‘«(\[]*[A-Z0-9£$€]")
_QUOTE_CLOSE = "\"'”’»"


@dataclass(slots=True)
class _Candidate:
    """A sentence of one article that may go into the brief."""

    text: str
    article: int
    position: int  # rank among the article's eligible sentences
    paragraph: int
    words: tuple[str, ...]
    terms: frozenset[str]
    terms_list: list[str]
    clauses: tuple[tuple[frozenset[str], frozenset[str]], ...] = ()  # (terms, plain-word terms)
    index: int = 0  # rank among all of the article's sentences, eligible or not
    lean: Lean | None = None  # what its opening needs from the sentence before it
    on_topic: bool = False  # it names the focus
    near_topic: bool = False  # it sits under a subheading that names the focus


@cache
def _stemmer() -> Callable[[str], str]:
    stemmer = Stemmer("english")
    return lru_cache(maxsize=1 << 16)(stemmer)


@cache
def _stop_words() -> frozenset[str]:
    return frozenset(get_stop_words("english"))


@cache
def _tokenizer() -> SentenceTokenizer:
    return SentenceTokenizer()


def _summarizer(algorithm: str) -> Any:
    stemmer = _stemmer()
    if algorithm == DEFAULT_ALGORITHM:
        summarizer: Any = NewsRankSummarizer(stemmer)
    elif algorithm in _SUMY:
        summarizer = _SUMY[algorithm](stemmer)
    else:
        raise ValueError(f"unknown algorithm {algorithm!r}; choose one of {', '.join(ALGORITHMS)}")
    if algorithm == "edmundson":
        summarizer.null_words = _stop_words()
        summarizer.bonus_words = ()
        summarizer.stigma_words = ()
    else:
        summarizer.stop_words = _stop_words()
    return summarizer


def _normalized(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _is_eligible(
    sentence: str,
    words: Sequence[str],
    title_terms: frozenset[str],
    terms: frozenset[str],
    title: str | None,
) -> bool:
    """Tell whether a sentence may stand in a brief: not a headline, caption or fragment."""
    if len(words) < MIN_WORDS or not _FINAL.search(sentence) or not _START.match(sentence):
        return False
    if is_credit_or_byline(sentence):
        return False
    if title is not None and (
        _normalized(sentence) == _normalized(title) or _jaccard(terms, title_terms) >= 0.8
    ):
        return False
    if sentence[:1] in _QUOTE_OPEN:
        if sentence[1:].lstrip()[:1] in ".…":
            return False  # a dangling `"... piece`
        if len(words) < MIN_QUOTE_WORDS + 2 and (
            sentence[-1] in _QUOTE_CLOSE or not any(q in sentence[1:] for q in '"”»')
        ):
            return False  # a bare quotation, or the opening piece of one, with no attribution
    return True


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
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


def _clauses(
    sentence: str, scorer: NewsRankSummarizer
) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """Split a sentence into clauses long enough to state a fact, as (terms, plain terms)."""
    tokenizer = _tokenizer()
    found = []
    for clause in _CLAUSE_BREAK.split(sentence):
        words = tokenizer.to_words(clause)
        terms = frozenset(scorer.terms(words))
        if len(terms) >= MIN_CLAUSE_TERMS:
            plain = frozenset(scorer.terms([w for w in words if not w[:1].isupper()]))
            found.append((terms, plain))
    return tuple(found)


def _same_term(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= _PREFIX_MATCH and long.startswith(short)


def _shared(a: frozenset[str], b: frozenset[str]) -> set[str]:
    return {x for x in a if x in b or any(_same_term(x, y) for y in b)}


def _same_fact(first: _Candidate, second: _Candidate) -> bool:
    """Tell whether two outlets' sentences share a clause that states the same fact."""
    for terms_a, plain_a in first.clauses:
        for terms_b, plain_b in second.clauses:
            shared = _shared(terms_a, terms_b)
            if len(shared) / min(len(terms_a), len(terms_b)) >= CLAUSE_CONTAINMENT and (
                shared & (plain_a | plain_b)
            ):
                return True
    return False


def _repeats(first: _Candidate, second: _Candidate) -> bool:
    """Tell whether a brief holding one of these sentences needs not the other."""
    if _duplicates(first.terms, second.terms):
        return True
    return first.article != second.article and _same_fact(first, second)


def _repeat_groups(candidates: list[_Candidate], best: list[int]) -> dict[int, int]:
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


def _focus_pattern(focus: Collection[str]) -> re.Pattern[str] | None:
    """Match any focus phrase as whole words, plurals and possessives included."""
    phrases = sorted({" ".join(f.lower().split()) for f in focus if f.strip()}, key=len)
    if not phrases:
        return None
    body = "|".join(r"\s+".join(map(re.escape, p.split())) for p in reversed(phrases))
    return re.compile(rf"(?<![\w-])(?:{body})(?:s|es|'s|’s)?(?![\w-])", re.I)


def _is_subheading(text: str, line: str, end: int, line_start: bool) -> bool:
    """Tell whether a sentence span is a subheading: a short line of its own, not a sentence."""
    line_end = end == len(text) or text[end : end + 1] == "\n"
    return (
        line_start
        and line_end
        and not _FINAL.search(line)
        and len(line.split()) <= MAX_SUBHEADING_WORDS
    )


def _candidates(
    articles: Sequence[tuple[str, str]],
    focus: Collection[str] | None,
    scorer: NewsRankSummarizer,
) -> tuple[list[_Candidate], list[list[str]]]:
    """Split every article into sentences and keep the eligible ones."""
    tokenizer = _tokenizer()
    pattern = _focus_pattern(focus) if focus else None
    out: list[_Candidate] = []
    titles: list[list[str]] = []
    for article, (title, text) in enumerate(articles):
        title_words = tokenizer.to_words(title) if title else ()
        title_terms_list = scorer.terms(title_words)
        title_terms = frozenset(title_terms_list)
        titles.append(title_terms_list)
        paragraph = 0
        previous_end = 0
        position = 0
        section_on_topic = False
        for number, (start, end) in enumerate(sentence_spans(text)):
            line_start = start == 0 or "\n" in text[previous_end:start]
            paragraph += line_start and start > 0
            previous_end = end
            sentence = text[start:end]
            if pattern and position and _is_subheading(text, sentence, end, line_start):
                section_on_topic = pattern.search(sentence) is not None
            dateline = _DATELINE.match(sentence)
            if dateline and dateline.end() < len(sentence):
                sentence = sentence[dateline.end() :]
            words = tokenizer.to_words(sentence)
            terms_list = scorer.terms(words)
            terms = frozenset(terms_list)
            if not _is_eligible(sentence, words, title_terms, terms, title or None):
                continue
            clauses = _clauses(sentence, scorer) if len(articles) > 1 else ()
            out.append(
                _Candidate(
                    sentence,
                    article,
                    position,
                    paragraph,
                    words,
                    terms,
                    terms_list,
                    clauses,
                    index=number,
                    lean=lean(sentence),
                    on_topic=pattern is not None and pattern.search(sentence) is not None,
                    near_topic=section_on_topic,
                )
            )
            position += 1
    return out, titles


def _rank(
    algorithm: str,
    summarizer: Any,
    candidates: list[_Candidate],
    titles: list[list[str]],
    articles: Sequence[tuple[str, str]],
) -> tuple[list[int], list[float]]:
    """Order candidate indices best first, with their scores."""
    if isinstance(summarizer, NewsRankSummarizer):
        rated = summarizer.rate(
            [c.terms_list for c in candidates],
            positions=np.array([c.position for c in candidates], dtype=np.float64),
            lengths=np.array([len(c.words) for c in candidates], dtype=np.float64),
            titles=titles,
            title_of=np.array([c.article for c in candidates], dtype=np.int64),
        )
        order = sorted(range(len(candidates)), key=lambda i: (-rated[i], i))
        return order, [float(s) for s in rated]
    document = _document(candidates, articles)
    ranked: list[Any] = []

    def keep_all(infos: list[Any]) -> list[Any]:
        ranked.extend(infos)
        return infos

    summarizer(document, keep_all)
    scores = [0.0] * len(candidates)
    for info in ranked:
        scores[info.order] = float(info.rating)
    return [info.order for info in ranked], scores


def _document(candidates: list[_Candidate], articles: Sequence[tuple[str, str]]) -> Any:
    """Build a sumy document: one paragraph per source paragraph, each article's title first."""
    tokenizer = _tokenizer()
    paragraphs: list[Any] = []
    current: list[Any] = []
    key: tuple[int, int] | None = None
    for c in candidates:
        if (c.article, c.paragraph) != key:
            if current:
                paragraphs.append(Paragraph(current))
            current = []
            if key is None or c.article != key[0]:
                title = articles[c.article][0]
                if title:
                    current.append(Sentence(title, tokenizer, is_heading=True))
            key = (c.article, c.paragraph)
        current.append(Sentence(c.text, tokenizer))
    if current:
        paragraphs.append(Paragraph(current))
    return ObjectDocumentModel(paragraphs)


def _brief(
    articles: Sequence[tuple[str, str]],
    sentences: int,
    focus: Collection[str] | None,
    algorithm: str,
    *,
    lead_first: bool = False,
) -> list[str]:
    summarizer = _summarizer(algorithm)
    scorer = (
        summarizer if isinstance(summarizer, NewsRankSummarizer) else _summarizer(DEFAULT_ALGORITHM)
    )
    candidates, titles = _candidates(articles, focus, scorer)
    if not candidates or sentences <= 0:
        return []
    order, scores = _rank(algorithm, summarizer, candidates, titles, articles)
    if algorithm != DEFAULT_ALGORITHM:
        return _plain_brief(candidates, order, sentences, focus=bool(focus))
    leads = _leads(candidates)
    about: Collection[int] = leads
    side = False
    if focus:
        about = _about(candidates, leads, articles, focus)
        side = not about
        scores = _favour_topic(candidates, scores, SIDE_FOCUS_WEIGHTS if side else FOCUS_WEIGHTS)
        order = sorted(range(len(candidates)), key=lambda i: (-scores[i], i))
    lead = _lead(candidates, leads, about) if len(articles) > 1 or lead_first else None
    chosen = _select(candidates, order, scores, sentences, lead, side=side)
    return _read_in_order(candidates, chosen)


def _about(
    candidates: list[_Candidate],
    leads: dict[int, int],
    articles: Sequence[tuple[str, str]],
    focus: Collection[str],
) -> set[int]:
    """The articles whose lead or headline names the focus; all when a quarter of the story does.

    None means the topic is a side of the story: its brief opens on the sentences that name it.
    """
    if _mostly_on_topic(candidates):
        return set(leads)
    pattern = _focus_pattern(focus)
    return {
        a
        for a, i in leads.items()
        if candidates[i].on_topic or (pattern is not None and pattern.search(articles[a][0]))
    }


def _select(
    candidates: list[_Candidate],
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
    candidates: list[_Candidate], order: list[int], sentences: int, *, focus: bool
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
    candidates: list[_Candidate], scores: list[float], weights: tuple[float, float]
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


def _central_article(candidates: list[_Candidate], among: Collection[int]) -> int:
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


def _leads(candidates: list[_Candidate]) -> dict[int, int]:
    """Map each article to its lead: its first eligible sentence."""
    return {c.article: i for i, c in reversed(list(enumerate(candidates))) if c.position == 0}


def _lead(
    candidates: list[_Candidate], leads: dict[int, int], about: Collection[int]
) -> int | None:
    """The lead of the most central article among those `about` the brief's subject.

    A lead that needs the sentence before it cannot open a brief; with a focus, only an
    article whose headline or lead names the topic gives the lead (or any, when a quarter of
    the story is on it).
    """
    among = {a for a in about if a in leads and not _needs_sentence_before(candidates[leads[a]])}
    if not among:
        return None
    return leads[_central_article(candidates, among)]


def _mostly_on_topic(candidates: list[_Candidate]) -> bool:
    return sum(c.on_topic for c in candidates) >= ON_TOPIC_SHARE * len(candidates)


def _clash(candidates: list[_Candidate], group: dict[int, int], i: int, j: int) -> bool:
    return group.get(i, i) == group.get(j, j) or _repeats(candidates[i], candidates[j])


def _predecessors(candidates: list[_Candidate]) -> dict[int, int]:
    """Map each candidate leaning on a pronoun to the candidate right before it, if eligible."""
    at = {(c.article, c.index): i for i, c in enumerate(candidates)}
    return {
        i: at.get((c.article, c.index - 1), -1)
        for i, c in enumerate(candidates)
        if _needs_sentence_before(c)
    }


def _needs_sentence_before(candidate: _Candidate) -> bool:
    return candidate.lean is not None and candidate.lean.needs_sentence_before


def _coherent(chosen: Collection[int], needs: dict[int, int]) -> bool:
    """Tell whether every pronoun-led sentence chosen has the sentence before it chosen too."""
    return all(needs[i] in chosen for i in chosen if i in needs)


def _greedy(
    candidates: list[_Candidate],
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
    candidates: list[_Candidate],
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
        words = sum(len(candidates[i].words) for i in combo)
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


def _overlap(first: _Candidate, second: _Candidate) -> float:
    """How much of the shorter of two sentences the other already says (shared content terms)."""
    if not first.terms or not second.terms:
        return 0.0
    if first.article == second.article:
        return 0.0
    return _jaccard(first.terms, second.terms)


def _read_in_order(candidates: list[_Candidate], chosen: list[int]) -> list[str]:
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


def summarize(
    text: str,
    *,
    sentences: int = 3,
    algorithm: str = DEFAULT_ALGORITHM,
    title: str | None = None,
    lead_first: bool = False,
) -> list[str]:
    """Brief one article: its best `sentences` sentences, in document order.

    Sentences are verbatim but for an opening connective dropped where the sentence it links
    to is not in the brief. `lead_first` starts from the article's lead, as a story told by
    several outlets does; for one article NewsRank's lead prior measured better (see
    `bench/bench_briefs.py`).
    """
    return _brief([(title or "", text)], sentences, None, algorithm, lead_first=lead_first)


def is_side_topic(articles: Sequence[tuple[str, str]], focus: Collection[str]) -> bool:
    """Tell whether a topic is only a side of a story: no lead or headline names it, and less
    than a quarter of its sentences do (a press conference on Syria that touched on Kursk)."""
    candidates, _ = _candidates(articles, focus, _summarizer(DEFAULT_ALGORITHM))
    return bool(candidates) and not _about(candidates, _leads(candidates), articles, focus)


def brief_story(
    articles: Sequence[tuple[str, str]],
    *,
    sentences: int = 3,
    focus: Collection[str] | None = None,
    algorithm: str = DEFAULT_ALGORITHM,
) -> list[str]:
    """Brief a story told by several `(title, text)` articles, without repeating a fact."""
    return _brief(articles, sentences, focus, algorithm)
