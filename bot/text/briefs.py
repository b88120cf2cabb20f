"""Extractive briefs: pick a few verbatim sentences of an article or a multi-outlet story.

Every algorithm runs through sumy on documents built with this project's offline tokenizer,
sumy's Snowball stemmer and sumy's English stop words. Before scoring, sentences that make poor
brief lines are set aside (headlines, captions, photo credits, datelines, bylines, bare quote
fragments, and, with a focus, sentences off the topic); after scoring, the best sentences are
taken greedily, skipping any that repeat one already taken.
"""

from __future__ import annotations

import re
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
from newsbrief.bot.text.newsrank import NewsRankSummarizer
from newsbrief.bot.text.sentences import SentenceTokenizer, sentence_spans

__all__ = ["ALGORITHMS", "DEFAULT_ALGORITHM", "brief_story", "summarize"]

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
BUDGET_POOL = 12  # the brief is chosen among this many best-ranked sentences
MIN_WORDS = 5  # shorter sentences carry too little to stand in a brief
MIN_QUOTE_WORDS = 6  # a bare quotation shorter than this is a fragment

_FINAL = re.compile(r"[.!?…][\"'”’»)\]]*$")
_CREDIT = re.compile(
    r"(?i)\b(?:image source|photo(?:graph)?s?\s*(?:by|:|credit)|picture:|credit:|getty images|"
    r"ap photo|file photo|reuters/|afp/|scroll down|click here|read more|sign up for|"
    r"share this article|follow us on)"
)
_BYLINE = re.compile(
    r"^(?:by\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}|published:|updated:)", re.I
)
# A dateline glued to the first sentence: `date 2024-12-19 `, `MOSCOW (Reuters) - `, `(CNN) `,
# `Moscow: `. It is trimmed off the sentence, which stays verbatim from there.
_DATELINE = re.compile(
    r"^(?:date\s+\d{4}-\d\d-\d\d\s+|"
    r"[A-Z][A-Za-z .,'-]{0,40}\((?:Reuters|AP|AFP|CNN|UPI|Bloomberg)\)\s*[-–—]*\s*|"
    r"\((?:CNN|Reuters|AP|AFP)\)\s*[-–—]*\s*|"
    r"[A-Z][a-z]+(?:\s[A-Z][a-z]+)?:\s(?=[A-Z]))"
)
_QUOTE_OPEN = "\"'“‘«"
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
    if len(words) < MIN_WORDS or not _FINAL.search(sentence):
        return False
    if _CREDIT.search(sentence) or _BYLINE.match(sentence):
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


def _focus_pattern(focus: Collection[str]) -> re.Pattern[str]:
    phrases = sorted({" ".join(f.lower().split()) for f in focus if f.strip()}, key=len)
    body = "|".join(r"\s+".join(map(re.escape, p.split())) for p in reversed(phrases))
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.I)


def _candidates(
    articles: Sequence[tuple[str, str]],
    focus: Collection[str] | None,
    scorer: NewsRankSummarizer,
) -> tuple[list[_Candidate], list[list[str]]]:
    """Split every article into sentences and keep the eligible ones."""
    tokenizer = _tokenizer()
    pattern = _focus_pattern(focus) if focus else None
    if focus and not any(f.strip() for f in focus):
        pattern = None
    out: list[_Candidate] = []
    titles: list[list[str]] = []
    for index, (title, text) in enumerate(articles):
        title_words = tokenizer.to_words(title) if title else ()
        title_terms_list = scorer.terms(title_words)
        title_terms = frozenset(title_terms_list)
        titles.append(title_terms_list)
        paragraph = 0
        previous_end = 0
        position = 0
        for start, end in sentence_spans(text):
            if "\n" in text[previous_end:start]:
                paragraph += 1
            previous_end = end
            sentence = text[start:end]
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
                _Candidate(sentence, index, position, paragraph, words, terms, terms_list, clauses)
            )
            position += 1
    if pattern is not None:
        paragraphs = {(c.article, c.paragraph) for c in out if pattern.search(c.text)}
        out = [c for c in out if (c.article, c.paragraph) in paragraphs]
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
) -> list[str]:
    summarizer = _summarizer(algorithm)
    scorer = (
        summarizer if isinstance(summarizer, NewsRankSummarizer) else _summarizer(DEFAULT_ALGORITHM)
    )
    candidates, titles = _candidates(articles, focus, scorer)
    if not candidates or sentences <= 0:
        return []
    order, scores = _rank(algorithm, summarizer, candidates, titles, articles)
    group = _repeat_groups(candidates, order[: max(DEDUP_POOL, sentences * 6)])
    chosen = (
        _within_budget(candidates, order, scores, group, sentences)
        if (algorithm == DEFAULT_ALGORITHM)
        else None
    )
    if chosen is None:
        chosen = _greedy(candidates, order, group, sentences)
    # Within one article: document order. Across articles: leads first, then by rank.
    rank = {i: r for r, i in enumerate(chosen)}
    chosen.sort(key=lambda i: (candidates[i].position, rank[i]))
    return [candidates[i].text for i in chosen]


def _clash(candidates: list[_Candidate], group: dict[int, int], i: int, j: int) -> bool:
    return group.get(i, i) == group.get(j, j) or _repeats(candidates[i], candidates[j])


def _greedy(
    candidates: list[_Candidate], order: list[int], group: dict[int, int], sentences: int
) -> list[int]:
    """Take the best candidates in turn, skipping any that repeats one taken."""
    chosen: list[int] = []
    for i in order:
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
) -> list[int] | None:
    """Take the best-scoring set of the top candidates that repeats nothing and fits the budget.

    A brief is read at a glance in a chat, so it gets `WORDS_PER_SENTENCE` words a sentence; a
    few long sentences (a caption glued to the next line, a quote-laden paragraph) would take
    the room of several facts. With no set inside the budget, the shortest set is taken; with
    no set that repeats nothing, None (the caller falls back to taking the best in turn).
    """
    pool = order[:BUDGET_POOL]
    if len(pool) < sentences:
        return None
    budget = WORDS_PER_SENTENCE * sentences
    clashes = {(i, j) for i, j in combinations(pool, 2) if _clash(candidates, group, i, j)}
    best: tuple[int, ...] | None = None
    best_key = (False, 0.0)
    for combo in combinations(pool, sentences):
        if any(pair in clashes for pair in combinations(combo, 2)):
            continue
        words = sum(len(candidates[i].words) for i in combo)
        fits = words <= budget
        key = (fits, sum(scores[i] for i in combo) if fits else -float(words))
        if best is None or key > best_key:
            best, best_key = combo, key
    return sorted(best, key=order.index) if best is not None else None


def summarize(
    text: str,
    *,
    sentences: int = 3,
    algorithm: str = DEFAULT_ALGORITHM,
    title: str | None = None,
) -> list[str]:
    """Brief one article: its best `sentences` sentences, verbatim, in document order."""
    return _brief([(title or "", text)], sentences, None, algorithm)


def brief_story(
    articles: Sequence[tuple[str, str]],
    *,
    sentences: int = 3,
    focus: Collection[str] | None = None,
    algorithm: str = DEFAULT_ALGORITHM,
) -> list[str]:
    """Brief a story told by several `(title, text)` articles, without repeating a fact."""
    return _brief(articles, sentences, focus, algorithm)
