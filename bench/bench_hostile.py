"""Hostile input: text rules linear in their input, and `feeds import` linear in its feeds.

Each text rule (the sentence splitter, cleaning, HTML-to-text, markdown) runs on ordinary prose
(BBC articles, one paragraph a line) and on adversarial inputs that made the old rules quadratic,
at 1, 2, 4 and 8 MB: time per MB that stays flat as the input doubles is linear growth. The
baseline is the same rule on ordinary prose of the same size. `feeds import` of an OPML file of
1,000 / 4,000 / 20,000 feeds runs the real command on a fresh SQLite store, beside the old way
(a canonical-URL scan of the table for every outline) at 1,000 feeds.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench.paths import EVAL
from newsbrief.bot.cli import main as cli
from newsbrief.bot.feeds.opml import OpmlFeed, to_opml
from newsbrief.bot.feeds.parse import MAX_TEXT_CHARS, html_to_text
from newsbrief.bot.ingest.article_files import markdown_to_text
from newsbrief.bot.services import build_services
from newsbrief.bot.store import feeds as store
from newsbrief.bot.store.statuses import FeedOrigin
from newsbrief.bot.text.cleaning import clean_text
from newsbrief.bot.text.sentences import split_sentences
from newsbrief.config.settings import load_settings

BBC = EVAL / "bbc-news-summary" / "News Articles"
MB = 1_000_000
RULES: dict[str, Callable[[str], object]] = {
    "sentence splitter": split_sentences,
    "cleaning": clean_text,
    "HTML to text": html_to_text,
    "markdown": markdown_to_text,
}
ADVERSARIAL = {
    "prose on one line": None,  # BBC prose with its line breaks taken out
    "` *a` repeated": " *a",
    "`<script>x` repeated": "<script>x",
    "`[a](` repeated": "[a](",
    "`!` repeated": "!",
}


def _prose() -> str:
    texts = []
    for path in sorted(BBC.glob("*/*.txt"))[:400]:
        data = path.read_bytes()
        texts.append(data.decode("utf-8", "replace"))
    return "\n\n".join(texts)


def _sized(text: str, size: int) -> str:
    return (text * (size // len(text) + 1))[:size]


def _seconds(rule: Callable[[str], object], text: str) -> float:
    started = time.perf_counter()
    rule(text)
    return time.perf_counter() - started


def _text_rules(sizes: list[int], rules: dict[str, Callable[[str], object]]) -> list[str]:
    prose = _prose()
    inputs = {"ordinary prose (baseline)": prose}
    for name, piece in ADVERSARIAL.items():
        inputs[name] = " ".join(prose.split()) if piece is None else piece
    head = " | ".join(f"{s / MB:g} MB" for s in sizes)
    lines = [
        "Seconds per MB at each size (flat across a row = linear):",
        "",
        f"| rule | input | {head} | growth 1st->last |",
        "|---|---|" + "---:|" * len(sizes) + "---:|",
    ]
    for rule_name, rule in rules.items():
        for input_name, source in inputs.items():
            per_mb = [_seconds(rule, _sized(source, size)) / (size / MB) for size in sizes]
            growth = per_mb[-1] / per_mb[0] if per_mb[0] else float("nan")
            cells = " | ".join(f"{value:.2f}" for value in per_mb)
            lines.append(f"| {rule_name} | {input_name} | {cells} | x{growth:.1f} |")
    return lines


def _import_seconds(folder: Path, feeds: int) -> float:
    opml = folder / f"feeds-{feeds}.opml"
    opml.write_bytes(to_opml(OpmlFeed(f"https://feeds{n}.example/rss.xml") for n in range(feeds)))
    os.environ["NEWSBRIEF_DATABASE_URL"] = f"sqlite:///{folder / f'store-{feeds}.db'}"
    started = time.perf_counter()
    status = cli(["feeds", "import", str(opml)])
    elapsed = time.perf_counter() - started
    assert status == 0, status
    return elapsed


def _old_import_seconds(folder: Path, feeds: int) -> float:
    """The old way: find each outline's feed by scanning the table, then add it."""
    settings = load_settings(database_url=f"sqlite:///{folder / 'old.db'}", data_dir=folder)
    services = build_services(settings)
    now = datetime.now(UTC)
    started = time.perf_counter()
    with services.database.transaction() as session:
        for n in range(feeds):
            url = f"https://feeds{n}.example/rss.xml"
            if store.find_feed(session, url) is None:
                store.add_feed(session, store.FeedSpec(url), origin=FeedOrigin.OPML, now=now)
    elapsed = time.perf_counter() - started
    services.close()
    return elapsed


def _feeds_import(counts: list[int], old_count: int) -> list[str]:
    lines = ["| feeds in the OPML file | `feeds import` | the old way |", "|---:|---:|---:|"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["XDG_DATA_HOME"] = str(folder / "xdg")
        for name in ("NEWSBRIEF_CONFIG", "NEWSBRIEF_FEEDS"):
            os.environ.pop(name, None)
        for count in counts:
            old = f"{_old_import_seconds(folder, count):.1f} s" if count == old_count else "-"
            lines.append(f"| {count:,} | {_import_seconds(folder, count):.1f} s | {old} |")
    return lines


def run(quick: bool) -> str:
    sizes = [MB // 8, MB // 4, MB // 2, MB] if quick else [MB, 2 * MB, 4 * MB, 8 * MB]
    counts = [250, 1_000, 5_000] if quick else [1_000, 4_000, 20_000]
    lines = [
        "## Hostile input",
        "",
        "Text rules on ordinary and adversarial input (`bench/bench_hostile.py`); before the",
        "fixes of issue 11 the adversarial rows were quadratic (90 KB of ` *a` in markdown: 93 s;",
        "330 KB of `<script>x` in a JSON Feed item: 138 s; 400 KB of prose on one line in the",
        "sentence splitter: 27.6 s). HTML to text is the feed-item converter, which reads at most",
        f"{MAX_TEXT_CHARS / MB:g} MB of markup (`MAX_TEXT_CHARS`), so it is measured up to that.",
        "A quadratic rule would grow x8 along a row; the spread here is the noise of a shared",
        "machine.",
        "",
        *_text_rules(
            sizes, {name: rule for name, rule in RULES.items() if rule is not html_to_text}
        ),
        "",
        *_text_rules(
            [size * MAX_TEXT_CHARS // sizes[-1] for size in sizes], {"HTML to text": html_to_text}
        ),
        "",
        "`feeds import` (the whole command, on SQLite; target: 20,000 feeds in under 30 s):",
        "",
        *_feeds_import(counts, counts[0]),
    ]
    return "\n".join(lines) + "\n"
