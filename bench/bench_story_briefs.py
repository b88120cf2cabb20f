"""Multi-outlet story briefs: ROUGE against AllSides' editor-written summaries.

Reads `../shared/eval/stories/allsides-dev/`: each cluster is one event reported by two or three
outlets (AllSides' excerpts, about 90 words each) with an editor's neutral `summary`. The story
brief of each cluster is scored beside LEAD-3 of its earliest article and sumy LexRank over all
of its text. Clusters are split by index parity: the brief's choices (the lead of the most
central outlet first; `briefs.REDUNDANCY`, the cost of outlets' sentences sharing words;
`selection.STORY_WORDS_PER_SENTENCE`, the word budget) were made on the even half, so the odd half
is held out.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rouge_score import rouge_scorer
from sumy.nlp.stemmers import Stemmer
from sumy.parsers.plaintext import PlaintextParser
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.utils import get_stop_words

from bench.paths import EVAL
from newsbrief.bot.text.briefs import brief_story
from newsbrief.bot.text.coherence import dangling_share
from newsbrief.bot.text.sentences import SentenceTokenizer, split_sentences

ALLSIDES = EVAL / "stories" / "allsides-dev"
SENTENCES = 3


@dataclass(frozen=True, slots=True)
class Cluster:
    """One event: its articles as (title, text), earliest first, and the editor's summary."""

    name: str
    articles: tuple[tuple[str, str], ...]
    summary: str


def load_allsides() -> list[Cluster]:
    """Load AllSides clusters in file order; articles keep their order within a cluster."""
    members: dict[str, list[dict[str, str]]] = {}
    with (ALLSIDES / "articles.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            members.setdefault(row["cluster"], []).append(row)
    clusters = []
    with (ALLSIDES / "clusters.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            found = sorted(members.get(row["cluster"], []), key=lambda a: a["published"])
            if found and row.get("summary"):
                articles = tuple((a["title"], a["text"]) for a in found)
                clusters.append(Cluster(row["cluster"], articles, row["summary"]))
    return clusters


def lead3(cluster: Cluster) -> list[str]:
    """LEAD-3 of the earliest article (the first listed when they share a date)."""
    return split_sentences(cluster.articles[0][1])[:SENTENCES]


def lexrank(cluster: Cluster) -> list[str]:
    """sumy LexRank over all the cluster's text, as its README runs it, offline tokenizer."""
    text = "\n\n".join(text for _, text in cluster.articles)
    parser = PlaintextParser.from_string(text, SentenceTokenizer())
    summarizer = LexRankSummarizer(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    return [str(s) for s in summarizer(parser.document, SENTENCES)]


def ours(cluster: Cluster) -> list[str]:
    """The story brief the product stores for these articles."""
    return brief_story(cluster.articles, sentences=SENTENCES)


def systems() -> dict[str, Callable[[Cluster], list[str]]]:
    return {"lead-3 (earliest article)": lead3, "sumy lexrank (all text)": lexrank, "ours": ours}


def _scores(clusters: Sequence[Cluster], briefs: Sequence[list[str]]) -> list[list[float]]:
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    rows = []
    for cluster, brief in zip(clusters, briefs, strict=True):
        scores = scorer.score(cluster.summary, "\n".join(brief))
        rows.append([100 * scores[k].fmeasure for k in ("rouge1", "rouge2", "rougeL")])
    return rows


def _mean(rows: Sequence[Sequence[float]], column: int) -> float:
    return statistics.fmean(r[column] for r in rows) if rows else 0.0


def run(quick: bool) -> str:
    """Score story briefs and both baselines on every AllSides cluster."""
    clusters = load_allsides()
    if quick:
        clusters = clusters[::3]
    held_out = [i for i in range(len(clusters)) if i % 2 == 1]
    lines = [
        "## Story briefs (several outlets)",
        "",
        f"{len(clusters)} AllSides clusters (`stories/allsides-dev`; held-out half: "
        f"{len(held_out)}), each 2-3 outlets' excerpts of one event. Briefs of {SENTENCES} "
        "sentences, ROUGE F1 x 100 (`rouge-score`, Porter stemming) against the editors' "
        "`summary`. Dangling: the share of briefs with a sentence that opens with a connective "
        "or a pronoun whose sentence before it in its article is not right before it in the "
        "brief (`newsbrief.bot.text.coherence`)." + (" Quick run." if quick else ""),
        "",
        "| system | R-1 | R-2 | R-L | R-1 held-out | R-2 held-out | R-L held-out | dangling |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    figures: dict[str, float] = {}
    sources = [[text for _, text in c.articles] for c in clusters]
    for label, system in systems().items():
        briefs = [system(c) for c in clusters]
        rows = _scores(clusters, briefs)
        held = [rows[i] for i in held_out]
        cells = [_mean(rows, c) for c in range(3)] + [_mean(held, c) for c in range(3)]
        figures[label] = cells[4]
        shown = f"**{label}**" if label == "ours" else label
        lines.append(
            f"| {shown} | "
            + " | ".join(f"{v:.1f}" for v in cells)
            + f" | {100 * dangling_share(briefs, sources):.1f} % |"
        )
    best = max((v, k) for k, v in figures.items() if k != "ours")
    verdict = "beats" if figures["ours"] > best[0] else "does NOT beat"
    lines += [
        "",
        f"Held-out ROUGE-2: ours {figures['ours']:.1f} {verdict} the best baseline, "
        f"{best[1]} {best[0]:.1f} (target >= 16).",
        "",
    ]
    return "\n".join(lines)
