"""NewsRank: a fast, position-aware sentence scorer for news, written as a sumy summarizer.

Its signals, and why its weights sit where they do: docs/text-engine.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sumy.summarizers._summarizer import AbstractSummarizer

__all__ = ["NewsRankSummarizer", "Weights"]

FloatArray = npt.NDArray[np.float64]

# Irregular past forms the Snowball stemmer leaves apart from their verb, so that two outlets'
# "had not yet met" and "is yet to meet" share their terms.
_IRREGULAR = {
    past: verb
    for verb, forms in {
        "meet": "met",
        "say": "said",
        "tell": "told",
        "go": "went gone",
        "take": "took taken",
        "give": "gave given",
        "make": "made",
        "come": "came",
        "find": "found",
        "hold": "held",
        "leave": "left",
        "win": "won",
        "lose": "lost",
        "pay": "paid",
        "sell": "sold",
        "buy": "bought",
        "bring": "brought",
        "think": "thought",
        "begin": "began begun",
        "flee": "fled",
        "keep": "kept",
        "feel": "felt",
        "see": "saw seen",
        "know": "knew known",
        "lead": "led",
        "speak": "spoke spoken",
        "write": "wrote written",
        "run": "ran",
        "rise": "rose risen",
        "fall": "fell fallen",
        "strike": "struck",
        "shoot": "shot",
        "send": "sent",
        "spend": "spent",
        "build": "built",
        "mean": "meant",
        "choose": "chose chosen",
        "drive": "drove driven",
        "grow": "grew grown",
        "throw": "threw thrown",
        "stand": "stood",
        "fight": "fought",
        "catch": "caught",
        "teach": "taught",
        "seek": "sought",
        "break": "broke broken",
        "become": "became",
        "forget": "forgot forgotten",
        "steal": "stole stolen",
        "wear": "wore worn",
    }.items()
    for past in forms.split()
}


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each signal counts, and the shape of the lead and length priors."""

    coverage: float = 1.5
    centrality: float = 0.4
    position: float = 0.75
    title: float = 0.0
    length: float = 0.3
    lead: int = 3  # sentences at the head of an article that get the full lead prior
    position_halflife: float = 16.0  # sentences past the lead over which the prior halves
    full_length: int = 30  # words from which the length prior no longer grows


class NewsRankSummarizer(AbstractSummarizer):  # type: ignore[misc]
    """Rate sentences by TF-IDF centrality, lead position, title overlap and length."""

    def __init__(self, stemmer: Callable[[str], str], weights: Weights | None = None) -> None:
        super().__init__(stemmer)
        self.weights = weights or Weights()
        self._stop_words: frozenset[str] = frozenset()

    @property
    def stop_words(self) -> frozenset[str]:
        return self._stop_words

    @stop_words.setter
    def stop_words(self, words: Iterable[str]) -> None:
        self._stop_words = frozenset(w.lower() for w in words)

    def __call__(self, document: Any, sentences_count: int) -> tuple[Any, ...]:
        """Pick the best sentences of a sumy document; positions count from its first sentence."""
        sentences = document.sentences
        if not sentences:
            return ()
        titles = [self.terms(h.words) for h in document.headings][:1]
        ratings = self.rate(
            [self.terms(s.words) for s in sentences],
            positions=np.arange(len(sentences), dtype=np.float64),
            titles=titles,
            title_of=np.zeros(len(sentences), dtype=np.int64) if titles else None,
            lengths=np.array([len(s.words) for s in sentences], dtype=np.float64),
        )
        best: tuple[Any, ...] = self._get_best_sentences(
            sentences, sentences_count, dict(zip(sentences, ratings, strict=True))
        )
        return best

    def terms(self, words: Iterable[str]) -> list[str]:
        """Stem the content words of a sentence: no stop words, no bare numbers."""
        stop = self._stop_words
        out = []
        for word in words:
            lower = word.lower()
            if lower not in stop and not lower.replace(".", "").isdigit():
                out.append(self._stemmer(_IRREGULAR.get(lower, lower)))
        return out

    def rate(
        self,
        sentences: Sequence[Sequence[str]],
        *,
        positions: FloatArray,
        lengths: FloatArray,
        titles: Sequence[Sequence[str]] = (),
        title_of: npt.NDArray[np.int64] | None = None,
    ) -> FloatArray:
        """Score each sentence (given as its terms); `positions` are ranks within its article."""
        n = len(sentences)
        w = self.weights
        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        for i, terms in enumerate(sentences):
            for term in terms:
                rows.append(i)
                cols.append(vocab.setdefault(term, len(vocab)))
        if not rows:
            return np.zeros(n)
        row = np.asarray(rows, dtype=np.int64)
        col = np.asarray(cols, dtype=np.int64)
        # Term frequencies per (sentence, term) pair: merge duplicate pairs.
        key = row * len(vocab) + col
        key, tf = np.unique(key, return_counts=True)
        row, col = key // len(vocab), key % len(vocab)
        df = np.bincount(col, minlength=len(vocab)).astype(np.float64)
        idf = np.log((n + 1.0) / (df + 0.5))
        val = (1.0 + np.log(tf)) * idf[col]
        norm = np.sqrt(np.bincount(row, weights=val * val, minlength=n))
        val = val / np.where(norm > 0, norm, 1.0)[row]
        score = np.zeros(n)
        if w.coverage:
            # Each term counts once for every other sentence that shares it: overlap degree.
            coverage = np.bincount(row, weights=df[col] - 1.0, minlength=n).astype(np.float64)
            score += w.coverage * _unit(coverage)
        if w.centrality:
            centroid = np.bincount(col, weights=val, minlength=len(vocab))
            self_sim = (norm > 0).astype(np.float64)
            centrality = np.bincount(row, weights=val * centroid[col], minlength=n) - self_sim
            score += w.centrality * _unit(centrality)
        past_lead = np.maximum(positions - (w.lead - 1), 0.0)
        score += w.position * np.exp2(-past_lead / w.position_halflife)
        score += w.length * np.minimum(lengths / w.full_length, 1.0)
        if titles and title_of is not None and w.title:
            score += w.title * self._title_similarity(titles, title_of, vocab, idf, row, col, val)
        return score

    @staticmethod
    def _title_similarity(
        titles: Sequence[Sequence[str]],
        title_of: npt.NDArray[np.int64],
        vocab: dict[str, int],
        idf: FloatArray,
        row: npt.NDArray[np.int64],
        col: npt.NDArray[np.int64],
        val: FloatArray,
    ) -> FloatArray:
        """Cosine of each sentence with its own article's title."""
        n = len(title_of)
        table = np.zeros((len(titles), len(vocab)))
        for t, terms in enumerate(titles):
            ids = [vocab[term] for term in set(terms) if term in vocab]
            if ids:
                table[t, ids] = idf[ids]
                table[t] /= np.linalg.norm(table[t])
        similarity = np.bincount(row, weights=val * table[title_of[row], col], minlength=n)
        return similarity.astype(np.float64)


def _unit(values: FloatArray) -> FloatArray:
    """Scale non-negative scores so the largest is 1."""
    top = float(values.max()) if values.size else 0.0
    return np.clip(values, 0.0, None) / top if top > 0 else np.zeros(values.shape)
