"""Map NewsRank's ROUGE-2 trade-off between BBC and CNN/DailyMail over a grid of weights.

`python -m bench.tune_briefs` prints the Pareto frontier on the tuning (even) halves, with the
held-out (odd) halves beside; no other setting measured is as good on both sets and better on one.
Candidates are split and filtered once through `newsbrief.bot.text.briefs`; each weight setting is
then scored with the same greedy near-duplicate filter and a ROUGE-2 F1 that matches `rouge-score`
(same tokenizer and stemmer), so a grid point costs well under a second.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rouge_score import rouge_scorer

from bench.bench_briefs import Doc, load_bbc, load_cnndm
from newsbrief.bot.text import briefs, selection
from newsbrief.bot.text.newsrank import NewsRankSummarizer, Weights

_TOKENIZER = rouge_scorer.RougeScorer(["rouge2"], use_stemmer=True)._tokenizer
GRID = {
    "position": (0.0, 0.3, 0.6, 0.75, 0.9, 1.5),
    "position_halflife": (2.0, 4.0, 8.0, 16.0),
    "length": (0.0, 0.3, 1.0),
    "centrality": (0.0, 0.4),
}


@dataclass(frozen=True, slots=True)
class Item:
    """One evaluation article as its eligible candidates, with the reference's bigrams."""

    terms: list[list[str]]
    termsets: list[frozenset[str]]
    title: list[str]
    positions: npt.NDArray[np.float64]
    lengths: npt.NDArray[np.float64]
    tokens: list[list[str]]
    reference: Counter[tuple[str, str]]


def _bigrams(tokens: Sequence[str]) -> Counter[tuple[str, str]]:
    return Counter(itertools.pairwise(tokens))


def prepare(docs: Sequence[Doc], scorer: NewsRankSummarizer) -> list[Item]:
    """Split and filter each article once, as `summarize` does."""
    items = []
    for doc in docs:
        found, titles = briefs._candidates([(doc.title, doc.body)], scorer)
        items.append(
            Item(
                [list(c.terms_list) for c in found],
                [c.terms for c in found],
                titles[0],
                np.array([c.position for c in found], dtype=np.float64),
                np.array([c.words for c in found], dtype=np.float64),
                [_TOKENIZER.tokenize(c.text) for c in found],
                _bigrams(_TOKENIZER.tokenize(doc.reference)),
            )
        )
    return items


def rouge2(item: Item, chosen: Sequence[int]) -> float:
    """ROUGE-2 F1 (x100) of the chosen candidates, joined in document order."""
    tokens = [t for i in sorted(chosen) for t in item.tokens[i]]
    system = _bigrams(tokens)
    hits = sum((system & item.reference).values())
    if not hits:
        return 0.0
    precision = hits / sum(system.values())
    recall = hits / sum(item.reference.values())
    return 100 * 2 * precision * recall / (precision + recall)


def brief(item: Item, scorer: NewsRankSummarizer, sentences: int = 3) -> list[int]:
    """Pick candidates best first, skipping near-duplicates, as `newsbrief.bot.text.briefs` does."""
    if not item.terms:
        return []
    rated = scorer.rate(
        item.terms,
        positions=item.positions,
        lengths=item.lengths,
        titles=[item.title],
        title_of=np.zeros(len(item.terms), dtype=np.int64),
    )
    chosen: list[int] = []
    for i in sorted(range(len(rated)), key=lambda i: (-rated[i], i)):
        if not any(selection._duplicates(item.termsets[i], item.termsets[j]) for j in chosen):
            chosen.append(i)
            if len(chosen) == sentences:
                break
    return chosen


def halves(items: Sequence[Item], scorer: NewsRankSummarizer) -> tuple[float, float]:
    """Mean ROUGE-2 on the tuning (even) and held-out (odd) halves."""
    scores = [rouge2(item, brief(item, scorer)) for item in items]
    return float(np.mean(scores[0::2])), float(np.mean(scores[1::2]))


def grid() -> Iterator[Weights]:
    keys = list(GRID)
    for values in itertools.product(*GRID.values()):
        yield Weights(**dict(zip(keys, values, strict=True)))  # type: ignore[arg-type]


def main() -> None:
    scorer = briefs._summarizer(briefs.DEFAULT_ALGORITHM)
    bbc, cnndm = prepare(load_bbc(), scorer), prepare(load_cnndm(), scorer)
    rows = []
    for weights in dict.fromkeys([Weights(), *grid()]):
        scorer.weights = weights
        rows.append((weights, halves(bbc, scorer), halves(cnndm, scorer)))
    frontier = [
        row
        for row in rows
        if not any(o[1][0] >= row[1][0] and o[2][0] > row[2][0] for o in rows)
        and not any(o[1][0] > row[1][0] and o[2][0] >= row[2][0] for o in rows)
    ]
    columns = ("position", "halflife", "length", "centrality", "BBC R-2", "CNN/DM R-2")
    print("| " + " | ".join(columns) + " |  (tuning half, held-out half in brackets)")
    print("|---:|---:|---:|---:|---:|---:|")
    for w, (b, bh), (c, ch) in sorted(frontier, key=lambda r: -r[1][0]):
        default = " (default)" if w == Weights() else ""
        print(
            f"| {w.position} | {w.position_halflife} | {w.length} | {w.centrality}{default} "
            f"| {b:.1f} ({bh:.1f}) | {c:.1f} ({ch:.1f}) |"
        )


if __name__ == "__main__":
    main()
