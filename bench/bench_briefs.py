"""Briefs: ROUGE of every algorithm against LEAD-3 and sumy's, and speed against LexRank.

Reads the shared evaluation sets (`../shared/eval/`): BBC News Summary (extractive references)
and the CNN/DailyMail articles of FRANK (abstractive references). Each set is split in two by
index parity: NewsRank's weights were tuned on the even half, so the odd half is held out
(`python -m bench.tune_briefs` maps the weights' trade-off between the two sets).
"""

from __future__ import annotations

import gc
import json
import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rouge_score import rouge_scorer
from sumy.nlp.stemmers import Stemmer
from sumy.parsers.plaintext import PlaintextParser
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.utils import get_stop_words

from bench.paths import EVAL
from newsbrief.bot.text.briefs import ALGORITHMS, DEFAULT_ALGORITHM, brief_story, summarize
from newsbrief.bot.text.coherence import dangling_share
from newsbrief.bot.text.sentences import SentenceTokenizer, split_sentences

BBC = EVAL / "bbc-news-summary"
CNNDM = EVAL / "cnndm-frank.jsonl"
SENTENCES = 3
STORY_ARTICLES = 60
STORY_CATEGORY = "sport"  # its first 60 articles make a story of about 1,000 sentences
LEAD_FIRST = f"{DEFAULT_ALGORITHM}, lead first"  # measured beside ours, not a baseline


@dataclass(frozen=True, slots=True)
class Doc:
    """One evaluation article: its title (may be empty), body and reference summary."""

    name: str
    title: str
    body: str
    reference: str


def _read(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # sport/199.txt


def load_bbc() -> list[Doc]:
    """Load BBC News Summary: first line of an article is its title."""
    docs = []
    for path in sorted((BBC / "News Articles").glob("*/*.txt")):
        title, _, body = _read(path).strip().partition("\n")
        reference = _read(BBC / "Summaries" / path.parent.name / path.name)
        docs.append(Doc(f"{path.parent.name}/{path.name}", title.strip(), body.strip(), reference))
    return docs


def load_cnndm() -> list[Doc]:
    """Load the FRANK CNN/DailyMail articles; they come without titles."""
    docs = []
    for line in CNNDM.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        docs.append(Doc(row["id"], "", row["article"], row["reference"]))
    return docs


def lead(doc: Doc) -> list[str]:
    """LEAD-3: the first sentences of the body, as the splitter gives them."""
    return split_sentences(doc.body)[:SENTENCES]


def systems() -> dict[str, Callable[[Doc], list[str]]]:
    """Every system under test, LEAD-3 first, then each algorithm through `summarize`."""
    out: dict[str, Callable[[Doc], list[str]]] = {"lead-3": lead}
    for algorithm in ALGORITHMS:
        out[algorithm] = _brief_with(algorithm)
    out[LEAD_FIRST] = _lead_first
    return out


def _lead_first(doc: Doc) -> list[str]:
    return summarize(doc.body, sentences=SENTENCES, title=doc.title or None, lead_first=True)


def _brief_with(algorithm: str) -> Callable[[Doc], list[str]]:
    def brief(doc: Doc) -> list[str]:
        return summarize(
            doc.body, sentences=SENTENCES, algorithm=algorithm, title=doc.title or None
        )

    return brief


def rouge_table(docs: Sequence[Doc], briefs: Sequence[list[str]]) -> list[list[float]]:
    """ROUGE-1/2/L F1 (x100) of each document's brief."""
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    rows = []
    for doc, brief in zip(docs, briefs, strict=True):
        scores = scorer.score(doc.reference, "\n".join(brief))
        rows.append([100 * scores[k].fmeasure for k in ("rouge1", "rouge2", "rougeL")])
    return rows


def _mean(rows: Sequence[Sequence[float]], column: int) -> float:
    return statistics.fmean(r[column] for r in rows) if rows else 0.0


def _rouge_section(name: str, docs: list[Doc]) -> list[str]:
    held_out = [i for i in range(len(docs)) if i % 2 == 1]
    lines = [
        f"### {name} ({len(docs)} articles; held-out half: {len(held_out)})",
        "",
        "| system | R-1 | R-2 | R-L | R-1 held-out | R-2 held-out | R-L held-out | dangling |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    best_baseline = ("", -1.0, -1.0)
    ours = (0.0, 0.0)
    sources = [[doc.body] for doc in docs]
    for label, system in systems().items():
        briefs = [system(doc) for doc in docs]
        rows = rouge_table(docs, briefs)
        held = [rows[i] for i in held_out]
        cells = [_mean(rows, c) for c in range(3)] + [_mean(held, c) for c in range(3)]
        shown = f"**{label}** (ours)" if label == DEFAULT_ALGORITHM else label
        dangling = 100 * dangling_share(briefs, sources)
        lines.append(
            f"| {shown} | " + " | ".join(f"{v:.1f}" for v in cells) + f" | {dangling:.1f} % |"
        )
        if label == DEFAULT_ALGORITHM:
            ours = (cells[1], cells[4])
        elif label != LEAD_FIRST and cells[1] > best_baseline[1]:
            best_baseline = (label, cells[1], cells[4])
    verdict = "beats" if ours[0] >= best_baseline[1] else "does NOT beat"
    lines += [
        "",
        f"ROUGE-2: {DEFAULT_ALGORITHM} {ours[0]:.1f} (held-out {ours[1]:.1f}) {verdict} the best "
        f"baseline, {best_baseline[0]} {best_baseline[1]:.1f} (held-out {best_baseline[2]:.1f}).",
        "",
    ]
    return lines


def story(docs: Sequence[Doc], count: int) -> list[tuple[str, str]]:
    """A big story: `count` BBC articles from one category, as (title, text) pairs."""
    chosen = [d for d in docs if d.name.startswith(f"{STORY_CATEGORY}/")]
    return [(d.title, d.body) for d in chosen[:count]]


def _plain_lexrank(text: str) -> list[str]:
    """sumy LexRank as its README runs it, with this project's offline tokenizer."""
    parser = PlaintextParser.from_string(text, SentenceTokenizer())
    summarizer = LexRankSummarizer(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    return [str(s) for s in summarizer(parser.document, SENTENCES)]


def _timed(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best wall time of `repeat` runs, and peak traced memory (MiB) of one more run."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    gc.collect()
    tracemalloc.start()
    call()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return best, peak


def _speed_section(docs: list[Doc], count: int) -> list[str]:
    articles = story(docs, count)
    joined = "\n\n".join(text for _, text in articles)
    n_sentences = len(split_sentences(joined))
    summarize(joined[:2000])  # warm the stemmer and stop-word caches once
    cases: list[tuple[str, Callable[[], object], int]] = [
        (f"{DEFAULT_ALGORITHM} `brief_story`", lambda: brief_story(articles), 5),
        (f"{DEFAULT_ALGORITHM} `summarize` (one text)", lambda: summarize(joined), 5),
        ("lexrank `brief_story`", lambda: brief_story(articles, algorithm="lexrank"), 1),
        ("lexrank `summarize` (one text)", lambda: summarize(joined, algorithm="lexrank"), 1),
        ("textrank `brief_story`", lambda: brief_story(articles, algorithm="textrank"), 1),
        ("sumy LexRank, PlaintextParser (one text)", lambda: _plain_lexrank(joined), 1),
    ]
    timings = [(label, *_timed(call, repeat)) for label, call, repeat in cases]
    lexrank = min(t for label, t, _ in timings if label.startswith("lexrank"))
    lines = [
        f"### Speed: a story of {len(articles)} BBC {STORY_CATEGORY} articles, {n_sentences} "
        "sentences",
        "",
        "| system | seconds | LexRank time / this | peak memory (MiB) |",
        "|---|---:|---:|---:|",
    ]
    for label, seconds, peak in timings:
        lines.append(f"| {label} | {seconds:.3f} | {lexrank / seconds:.1f}x | {peak:.1f} |")
    lines += [
        "",
        "Best of 5 runs for NewsRank, one run for the others; the ratio divides the faster LexRank "
        "time (same pipeline, cached stemmer) by each row's time.",
        "",
    ]
    return lines


def run(quick: bool) -> str:
    """Measure ROUGE on BBC and CNN/DailyMail and speed on a 60-article story."""
    bbc, cnndm = load_bbc(), load_cnndm()
    all_bbc = bbc
    if quick:
        bbc, cnndm = bbc[::10], cnndm[::2]
    lines = [
        "## Briefs",
        "",
        f"Extractive briefs of {SENTENCES} sentences, scored with `rouge-score` (F1 x 100, "
        "Porter stemming) against each set's reference. Every system uses the same offline "
        "splitter (`newsbrief.bot.text.sentences`); all but LEAD-3 go through "
        "`newsbrief.bot.text.briefs.summarize`, so they "
        "share its eligibility rules (no headline, caption or quote fragment) and its "
        f"near-duplicate filter. `{DEFAULT_ALGORITHM}` is ours; its weights were tuned on the "
        "even-indexed half of each set, the odd half is held out. Dangling: the share of briefs "
        "holding a sentence that opens with a connective or a pronoun and does not follow the "
        "sentence its article puts before it (`newsbrief.bot.text.coherence.dangles`). "
        f"`{LEAD_FIRST}` starts each brief from the article's lead, as a story told by several "
        "outlets does; it is measured here, not used for one article."
        + (" Quick run." if quick else ""),
        "",
    ]
    lines += _rouge_section("BBC News Summary", bbc)
    lines += _rouge_section("CNN/DailyMail (FRANK)", cnndm)
    lines += _speed_section(all_bbc, STORY_ARTICLES if not quick else STORY_ARTICLES // 3)
    return "\n".join(lines)
