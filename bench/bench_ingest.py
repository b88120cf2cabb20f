"""Ingest and digest: 1,000 BBC articles end to end, and digest latency from 10,000 stored ones.

Baseline, run side by side: the bare loop the issue names (pysbd sentences + sumy LexRank,
3 sentences, one core), which does far less (no cleaning, quotes, stories, topics or store).
Peak memory is the largest resident set of the ingest process and of its worker processes.
"""

from __future__ import annotations

import multiprocessing
import resource
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.paths import EVAL
from newsbrief.bot.delivery.digest import build_digest
from newsbrief.bot.model import Article
from newsbrief.bot.services import build_services
from newsbrief.config.settings import load_settings

BBC = EVAL / "bbc-news-summary" / "News Articles"
DIGEST_TOPICS = ("business", "tech", "sport", "uspolitics", "ukpolitics", "culture")
START = datetime(2025, 1, 1, tzinfo=UTC)


def _bbc_files(count: int) -> list[Path]:
    return sorted(BBC.glob("*/*.txt"))[:count]


def _read(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _baseline(files: list[Path]) -> float:
    """Time the bare pysbd + sumy LexRank loop, in articles per second."""
    import pysbd
    from sumy.nlp.stemmers import Stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

    from newsbrief.bot.text.sentences import SentenceTokenizer

    segmenter = pysbd.Segmenter(language="en", clean=False)
    words = SentenceTokenizer()

    class PysbdTokenizer:
        language = "english"

        def to_sentences(self, paragraph: str) -> tuple[str, ...]:
            return tuple(s.strip() for s in segmenter.segment(paragraph) if s.strip())

        def to_words(self, sentence: str) -> tuple[str, ...]:
            return words.to_words(sentence)

    summarizer = LexRankSummarizer(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    tokenizer = PysbdTokenizer()
    started = time.perf_counter()
    for path in files:
        document = PlaintextParser.from_string(_read(path), tokenizer).document
        summarizer(document, 3)
    return len(files) / (time.perf_counter() - started)


def _peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def _ingest(files: list[Path], workdir: Path, workers: int) -> tuple[float, str]:
    folder = workdir / f"articles-{workers}"
    folder.mkdir()
    for path in files:
        shutil.copy(path, folder / f"{path.parent.name}-{path.name}")
    settings = load_settings(
        database_url=f"sqlite:///{workdir / f'ingest-{workers}.db'}", ingest_workers=workers
    )
    services = build_services(settings)
    try:
        started = time.perf_counter()
        report = services.ingestor.ingest_folder(folder)
        rate = len(files) / (time.perf_counter() - started)
    finally:
        services.close()
    return rate, report.summary()


def _ingest_in_child(files: list[Path], workdir: Path, workers: int) -> tuple[float, str, float]:
    """Ingest in a fresh process, so its peak memory is its own."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    child = context.Process(target=_child_ingest, args=(files, workdir, workers, results))
    child.start()
    outcome: tuple[float, str, float] = results.get()
    child.join()
    return outcome


def _child_ingest(files: list[Path], workdir: Path, workers: int, results: Any) -> None:
    rate, summary = _ingest(files, workdir, workers)
    own, children = _peak_mb()
    results.put((rate, summary, own + children))


def _digest_latency(workdir: Path, articles: int) -> tuple[list[float], int, int]:
    """Fill a store with `articles` articles spread over time, then time digests (ms)."""
    services = build_services(
        load_settings(database_url=f"sqlite:///{workdir / 'digest.db'}", ingest_workers=1)
    )
    try:
        sources = [(p, *_read(p).partition("\n")[::2]) for p in sorted(BBC.glob("*/*.txt"))]
        batch: list[Article] = []
        for number in range(articles):
            path, title, body = sources[number % len(sources)]
            copy = number // len(sources)
            batch.append(
                Article(
                    title=title.strip(),
                    text=f"{body.strip()}\n\nEdition {copy}.",
                    outlet=f"Outlet {number % 7}",
                    url=f"https://news.example/{copy}/{path.parent.name}/{path.stem}",
                    published=START + timedelta(days=10 * copy, minutes=number % 1440),
                )
            )
            if len(batch) == 500:
                services.ingestor.ingest_articles(batch)
                batch = []
        services.ingestor.ingest_articles(batch)
        now = START + timedelta(days=10 * (articles // len(sources)) + 1)
        timings: list[float] = []
        options = services.digest_options
        stories = 0
        for round_ in range(40):
            for name in DIGEST_TOPICS:
                topic = services.topics.resolve(name)
                started = time.perf_counter()
                with services.database.transaction() as session:
                    digest = build_digest(session, topic, now=now, options=options)
                timings.append((time.perf_counter() - started) * 1000)
                stories += len(digest.stories) if round_ == 0 else 0
        return timings, stories, articles
    finally:
        services.close()


def run(quick: bool) -> str:
    """Measure ingest throughput and digest latency; return the Markdown section."""
    count = 200 if quick else 1000
    files = _bbc_files(count)
    baseline_rate = _baseline(files)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        one_rate, summary, one_peak = _ingest_in_child(files, workdir, 1)
        two_rate, _, two_peak = _ingest_in_child(files, workdir, 2)
        timings, stories, stored = _digest_latency(workdir, 2000 if quick else 10_000)
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    return "\n".join(
        [
            "## Ingest and digest",
            "",
            f"{count} BBC articles (`../shared/eval/bbc-news-summary`), end to end: read, clean, "
            "split, brief, quotes, story grouping, topic views, SQLite store. "
            f"Result: {summary}.",
            "",
            "| run | articles/s | vs baseline | peak memory (MB) |",
            "|---|---:|---:|---:|",
            f"| baseline: pysbd + sumy LexRank loop, 1 core, nothing stored | "
            f"{baseline_rate:.1f} | 1.00x | |",
            f"| newsbrief ingest, 1 worker | {one_rate:.1f} | {one_rate / baseline_rate:.2f}x "
            f"| {one_peak:.0f} |",
            f"| newsbrief ingest, 2 workers | {two_rate:.1f} | {two_rate / baseline_rate:.2f}x "
            f"| {two_peak:.0f} (all processes) |",
            "",
            "Targets: >= 50 articles/s on this 2-core machine, peak memory <= 500 MB.",
            "",
            f"Digest assembly from a store of {stored:,} articles ({len(DIGEST_TOPICS)} topics, "
            f"{len(timings)} digests, {stories} stories in the first round), in process: "
            f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {timings[-1]:.1f} ms (target p95 <= 50 ms).",
        ]
    )
