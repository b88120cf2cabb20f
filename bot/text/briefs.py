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

import re
from collections.abc import Callable, Collection, Sequence
from functools import cache, lru_cache
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
from newsbrief.bot.text.coherence import lean
from newsbrief.bot.text.credits import is_credit_or_byline
from newsbrief.bot.text.newsrank import NewsRankSummarizer
from newsbrief.bot.text.selection import Candidate, ScoredStory, choose, is_side, jaccard
from newsbrief.bot.text.sentences import SentenceTokenizer, sentence_spans

__all__ = [
    "ALGORITHMS",
    "DEFAULT_ALGORITHM",
    "brief_story",
    "is_side_topic",
    "score_story",
    "summarize",
]

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

MIN_CLAUSE_TERMS = 5  # shorter clauses ("Putin said on Thursday") are attributions, not facts
_CLAUSE_BREAK = re.compile(r"[,;:()—–]|\s(?:who|whom|which|whose|while|but|after)\s")
MIN_WORDS = 5  # shorter sentences carry too little to stand in a brief
MIN_QUOTE_WORDS = 6  # a bare quotation shorter than this is a fragment
MAX_SUBHEADING_WORDS = 12  # a longer line without a full stop is a sentence cut short

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
        _normalized(sentence) == _normalized(title) or jaccard(terms, title_terms) >= 0.8
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
    articles: Sequence[tuple[str, str]], scorer: NewsRankSummarizer
) -> tuple[list[Candidate], list[list[str]]]:
    """Split every article into sentences and keep the eligible ones."""
    tokenizer = _tokenizer()
    out: list[Candidate] = []
    titles: list[list[str]] = []
    for article, (title, text) in enumerate(articles):
        title_words = tokenizer.to_words(title) if title else ()
        title_terms_list = scorer.terms(title_words)
        title_terms = frozenset(title_terms_list)
        titles.append(title_terms_list)
        paragraph = 0
        previous_end = 0
        position = 0
        heading = ""
        for number, (start, end) in enumerate(sentence_spans(text)):
            line_start = start == 0 or "\n" in text[previous_end:start]
            paragraph += line_start and start > 0
            previous_end = end
            sentence = text[start:end]
            if position and _is_subheading(text, sentence, end, line_start):
                heading = sentence
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
                Candidate(
                    sentence,
                    article,
                    position,
                    paragraph,
                    len(words),
                    terms,
                    tuple(terms_list),
                    clauses,
                    index=number,
                    lean=lean(sentence),
                    heading=heading,
                )
            )
            position += 1
    return out, titles


def _rank(
    algorithm: str,
    summarizer: Any,
    candidates: list[Candidate],
    titles: list[list[str]],
    articles: Sequence[tuple[str, str]],
) -> tuple[list[int], list[float]]:
    """Order candidate indices best first, with their scores."""
    if isinstance(summarizer, NewsRankSummarizer):
        rated = summarizer.rate(
            [list(c.terms_list) for c in candidates],
            positions=np.array([c.position for c in candidates], dtype=np.float64),
            lengths=np.array([c.words for c in candidates], dtype=np.float64),
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


def _document(candidates: list[Candidate], articles: Sequence[tuple[str, str]]) -> Any:
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


def score_story(
    articles: Sequence[tuple[str, str]], *, algorithm: str = DEFAULT_ALGORITHM
) -> ScoredStory:
    """Score every sentence of a story's `(title, text)` articles that may stand in a brief."""
    summarizer = _summarizer(algorithm)
    scorer = (
        summarizer if isinstance(summarizer, NewsRankSummarizer) else _summarizer(DEFAULT_ALGORITHM)
    )
    candidates, titles = _candidates(articles, scorer)
    order, scores = (
        _rank(algorithm, summarizer, candidates, titles, articles) if candidates else ([], [])
    )
    return ScoredStory(
        algorithm, tuple(t for t, _ in articles), tuple(candidates), tuple(scores), tuple(order)
    )


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
    scored = score_story([(title or "", text)], algorithm=algorithm)
    return choose(scored, sentences, lead_first=lead_first)


def is_side_topic(articles: Sequence[tuple[str, str]], focus: Collection[str]) -> bool:
    """Tell whether a topic is only a side of a story: no lead or headline names it, and less
    than a quarter of its sentences do (a press conference on Syria that touched on Kursk)."""
    candidates, _ = _candidates(articles, _summarizer(DEFAULT_ALGORITHM))
    return is_side(candidates, [title for title, _ in articles], focus)


def brief_story(
    articles: Sequence[tuple[str, str]],
    *,
    sentences: int = 3,
    focus: Collection[str] | None = None,
    algorithm: str = DEFAULT_ALGORITHM,
) -> list[str]:
    """Brief a story told by several `(title, text)` articles, without repeating a fact."""
    return choose(score_story(articles, algorithm=algorithm), sentences, focus)
