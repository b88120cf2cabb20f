"""Per-article cost of the text engine's first steps: loading, cleaning, hostile HTML.

These figures were wall-clock assertions in the tests, which flaked on a busy machine; here they
are measured and set beside the bounds those tests used.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bench.paths import EVAL
from newsbrief.bot.ingest.article_files import load_articles
from newsbrief.bot.services import bundled_samples
from newsbrief.bot.text.cleaning import clean_text
from newsbrief.bot.text.html_page import html_to_article_parts

BBC = EVAL / "bbc-news-summary" / "News Articles"
PARA = (
    "<p>The minister said the plan would work. Critics said it would not, and asked for a "
    "vote. The vote is due on Monday.</p>"
)
HOSTILE = {
    "oversized (7 MB of paragraphs)": "<html><body>" + PARA * 60_000,
    "unclosed tags": "<html><body>" + "<p><b><i>" * 30_000 + PARA,
    "entity flood": "<html><body><p>" + "&amp;" * 200_000 + "</p>" + PARA,
}


def _per_item_ms(work: Callable[[], int], repeats: int) -> float:
    """Median over `repeats` runs of the milliseconds per item `work` processes."""
    work()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        items = work()
        times.append((time.perf_counter() - started) * 1000 / items)
    return statistics.median(times)


def _files(quick: bool) -> list[Path]:
    files = sorted(bundled_samples().glob("*.txt"))
    if BBC.is_dir():
        files += sorted(BBC.rglob("*.txt"))[: 50 if quick else 300]
    return files


def run(quick: bool) -> str:
    """Time loading and cleaning per article and hostile pages per page."""
    files = _files(quick)
    raws = [p.read_text(encoding="utf-8", errors="replace") for p in files]
    repeats = 3 if quick else 7

    def load_all() -> int:
        for path in files:
            load_articles(path)
        return len(files)

    def clean_all() -> int:
        for raw in raws:
            clean_text(raw)
        return len(raws)

    rows = [
        ("`load_articles` (read, decode, clean) per file", _per_item_ms(load_all, repeats), 2.0),
        ("`clean_text` per article", _per_item_ms(clean_all, repeats), 2.0),
    ]
    lines = [
        "## Text engine: per-article cost",
        "",
        f"{len(files)} plain-text articles (the bundled samples and BBC News Summary), median of "
        f"{repeats} passes. The bound is the one the tests asserted before timing left the suite.",
        "",
        "| step | ms per article | former test bound (ms) |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {ms:.3f} | {bound:g} |" for name, ms, bound in rows]
    lines += ["", "| hostile page | seconds | former test bound (s) |", "|---|---:|---:|"]
    for name, page in HOSTILE.items():
        started = time.perf_counter()
        html_to_article_parts(page)
        lines.append(f"| {name} | {time.perf_counter() - started:.2f} | 10 |")
    return "\n".join(lines) + "\n"
