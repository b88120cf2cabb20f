"""Key quotes on PolNeAR: direct quotations found and attributed, beside a plain regex baseline.

Data: `../shared/eval/quotes-polnear` (`attributions.jsonl`, `train|dev/text/*.txt`); only
one annotator per article is used (the first in the file) so that no relation counts twice.

Evaluation (written down here because the corpus annotates attribution, not quotations):

- **Gold direct quote**: an attribution relation whose content is in quotation marks: the
  corpus' `direct_quote_heuristic`, or the stripped content opening with `“ " '' ‘` and closing
  with `” " '' ’` (maybe followed by punctuation). The second clause adds the NYT articles,
  which quote with two apostrophes (`''...''`) and which the heuristic misses. The content is
  read with its spans in text order (the corpus joins them in annotation order, so a quote whose
  later sentence was marked first looked indirect). A relation's content may have several spans
  (a quote split around `, he said.`): each is a gold *piece*.
- **Partial quote**: any other relation whose content holds a quotation mark (indirect speech
  with quoted words: `Morris says the candidate has “always run a lean campaign.”`). Neither
  gold nor false: a found quote lying mostly (>= 50 %) inside one (all its spans together) is
  left out of precision. `strict P` counts them as false.
- **Unannotated part**: a found quote with a gold relation's cue between it and one of that
  relation's pieces, in the same paragraph, with no other quotation mark between
  (`"A," Weaver said. "B."` annotated as `A` alone). The annotator left `B` out; it is left out of
  precision like a partial quote (`strict P` counts it as false).
- **Match**: a found quote matches a gold piece if their overlap is >= 50 % of the shorter of
  the two (the piece taken without its quotation marks), which includes a found quote lying
  within the piece.
- **Precision** = found quotes matching a gold piece / (found - partial-quote finds).
  Quotation marks outside every relation (scare quotes, titles) count as false.
- **Recall** = gold relations with at least one piece matched / gold relations.
- **Speaker accuracy**: over matched found quotes whose gold source names someone (holds a
  capitalised word that is not a pronoun, title, party or determiner; pronoun sources like
  `he` are left out), the share whose speaker's last word is one of the gold source's
  capitalised words, case-insensitively (`Donald Trump` ~ `Mr. Trump`). No speaker is wrong.
- **Baseline**: text between straight or curly double marks, 4+ words; no speaker.

The three rules in text order / all spans together / unannotated part were added in the second
round of tuning; `previous rules` in the Markdown gives P, R and speaker accuracy without them.

Tuned on train; dev is reported separately and was looked at only for the final figures.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bench.bbc_speakers import markdown as bbc_markdown
from bench.paths import EVAL
from newsbrief.bot.model import Quote
from newsbrief.bot.text.quotes import find_quotes


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


DATA = EVAL / "quotes-polnear"
_OPENERS = ("“", '"', "''", "‘", "'")
_CLOSERS = re.compile(r"(?:”|\"|''|’|')[\s.,;:!?)\]—–-]*$")
_ANY_MARK = re.compile(r"[“”\"‘]|''")
_CAPITAL = re.compile(r"[A-Z][\w’'.-]*")
_NOT_NAME = _wordset(
    """
    the a an he she they we i it you his her their its our this that these those who whom
    which one some several many both mr mrs ms dr sen rep gov gen president senator
    governor secretary republican republicans democrat democrats democratic gop american
    americans u.s. us former then but and in on at for according campaign committee party
    state white house people officials official
    """
)
_BASELINE = re.compile(r"[\"“]([^\"“”\n]+)[\"”]")


@dataclass(slots=True)
class Gold:
    pieces: list[tuple[int, int]]
    names: set[str]
    cue: list[tuple[int, int]] = field(default_factory=list)


@dataclass(slots=True)
class Article:
    name: str
    split: str
    text: str
    gold: list[Gold] = field(default_factory=list)
    partial: list[list[tuple[int, int]]] = field(default_factory=list)
    previous: bool = False  # scored with the previous rules (no unannotated parts)


def _direct(row: dict[str, object], text: str | None = None) -> bool:
    content = str(row["content"]["text"]).strip()  # type: ignore[index]
    if row["direct_quote_heuristic"]:
        return True
    if text is not None:
        # the corpus joins a relation's spans in annotation order, not text order
        spans = sorted(row["content"]["spans"])  # type: ignore[index]
        content = " ".join(text[s:e] for s, e in spans).strip()
    return content.startswith(_OPENERS) and bool(_CLOSERS.search(content))


def _names(source: str) -> set[str]:
    return {
        w.casefold().rstrip(".").removesuffix("’s").removesuffix("'s")
        for w in _CAPITAL.findall(source)
        if w.casefold().rstrip(".") not in _NOT_NAME
    }


def _strip_marks(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in "“”\"‘’'"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in "“”\"‘’'.,;:!?"):
        end -= 1
    return start, end


def load(previous: bool = False) -> list[Article]:
    """Read the train and dev articles with their gold direct quotes (`previous`: old rules)."""
    articles: dict[tuple[str, str], Article] = {}
    annotator: dict[tuple[str, str], str] = {}
    with (DATA / "attributions.jsonl").open() as fh:
        for line in fh:
            row = json.loads(line)
            key = (row["split"], row["article"])
            if annotator.setdefault(key, row["annotator"]) != row["annotator"]:
                continue
            if key not in articles:
                path = DATA / row["split"] / "text" / f"{row['article']}.txt"
                articles[key] = Article(
                    row["article"], row["split"], path.read_text(), previous=previous
                )
            art = articles[key]
            spans = [(int(s), int(e)) for s, e in row["content"]["spans"]]
            if _direct(row, None if previous else art.text):
                pieces = [_strip_marks(art.text, s, e) for s, e in spans]
                pieces = [(s, e) for s, e in pieces if e > s]
                if pieces:
                    source = row["source"]["text"] if row.get("source") else ""
                    cue_spans = row["cue"]["spans"] if row.get("cue") else []
                    cue = [(int(s), int(e)) for s, e in cue_spans]
                    art.gold.append(Gold(pieces, _names(source), cue))
            elif _ANY_MARK.search(row["content"]["text"]):
                if previous:
                    art.partial.extend([span] for span in spans)
                else:
                    art.partial.append(spans)
    # articles without any attribution still count (every quote found there is false)
    for split in ("train", "dev"):
        for path in sorted((DATA / split / "text").glob("*.txt")):
            key = (split, path.stem)
            if key not in articles:
                articles[key] = Article(path.stem, split, path.read_text(), previous=previous)
    return sorted(articles.values(), key=lambda a: (a.split, a.name))


def baseline(text: str) -> list[Quote]:
    """Text in straight or curly double quotation marks, four words or more."""
    return [
        Quote(m.group(1), None, m.start(1), m.end(1))
        for m in _BASELINE.finditer(text)
        if len(m.group(1).split()) >= 4
    ]


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


@dataclass(slots=True)
class Score:
    found: int = 0
    tp: int = 0
    neutral: int = 0
    gold: int = 0
    gold_found: int = 0
    named: int = 0
    named_given: int = 0
    named_ok: int = 0
    seconds: float = 0.0
    articles: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name in (
            "found",
            "tp",
            "neutral",
            "gold",
            "gold_found",
            "named",
            "named_given",
            "named_ok",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.seconds += other.seconds
        self.articles += other.articles

    @property
    def precision(self) -> float:
        return self.tp / max(1, self.found - self.neutral)

    @property
    def strict_precision(self) -> float:
        return self.tp / max(1, self.found)

    @property
    def recall(self) -> float:
        return self.gold_found / max(1, self.gold)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def speaker(self) -> float:
        return self.named_ok / max(1, self.named)

    @property
    def given(self) -> float:
        """The share of quotes with a named gold speaker that were given a speaker."""
        return self.named_given / max(1, self.named)

    @property
    def wrong(self) -> float:
        """The share wrong among the quotes given a speaker (no speaker is not wrong)."""
        return (self.named_given - self.named_ok) / max(1, self.named_given)


def _surname(speaker: str) -> list[str]:
    """The word of a speaker's name compared with the gold: `Donald Trump Jr.` gives `trump`."""
    words = [w for w in speaker.split() if w.rstrip(".") not in ("Jr", "Sr")]
    return words[-1:] or [""]


def _continues(article: Article, span: tuple[int, int]) -> bool:
    """Whether a find is the unannotated other part of an annotated split quotation.

    `"A," Weaver said. "B."` annotated with content `A` only: `B` has the relation's cue between
    it and a gold piece in the same paragraph, with no other quotation mark in between.
    """
    text = article.text
    if article.previous:
        return False
    for g in article.gold:
        for cs, ce in g.cue:
            for ps, pe in g.pieces:
                lo, hi = (pe, span[0]) if pe <= cs and ce <= span[0] else (span[1], ps)
                if not (lo <= cs and ce <= hi) or hi - lo > 300:
                    continue
                gap = text[lo:hi]
                inner = gap.strip("“”\"‘’' \t.,;:!?")
                if "\n" not in gap and not _ANY_MARK.search(inner):
                    return True
    return False


def evaluate(article: Article, finder: Callable[[str], list[Quote]], keep: bool = False) -> Score:
    """Score one article's found quotes against its gold direct quotes."""
    started = time.perf_counter()
    # each part of a quotation split around its attribution is scored as a find of its own,
    # as the corpus annotates the parts (and before parts were joined)
    quotes = [
        Quote(article.text[s:e], q.speaker, s, e, q.salience)
        for q in finder(article.text)
        for s, e in q.spans
    ]
    score = Score(seconds=time.perf_counter() - started, articles=1)
    score.found = len(quotes)
    score.gold = len(article.gold)
    matched: set[int] = set()
    for q in quotes:
        span = (q.start, q.end)
        hit = None
        for gi, g in enumerate(article.gold):
            for piece in g.pieces:
                ov = _overlap(span, piece)
                if ov and ov >= 0.5 * min(q.end - q.start, piece[1] - piece[0]):
                    hit = gi
                    break
            if hit is not None:
                break
        if hit is None:
            inside = (sum(_overlap(span, p) for p in rel) for rel in article.partial)
            if any(ov >= 0.5 * (q.end - q.start) for ov in inside) or _continues(article, span):
                score.neutral += 1
            elif keep:
                score.errors.append(f"FP {article.name}@{q.start}: {q.text[:100]!r}")
            continue
        score.tp += 1
        matched.add(hit)
        names = article.gold[hit].names
        if names:
            score.named += 1
            score.named_given += q.speaker is not None
            last = _surname(q.speaker or "")
            ok = last[0].casefold().rstrip(".") in names
            score.named_ok += ok
            if keep and not ok:
                score.errors.append(
                    f"SPK {article.name}@{q.start}: {q.speaker!r} vs {sorted(names)}: "
                    f"{q.text[:60]!r}"
                )
    score.gold_found = len(matched)
    if keep:
        for gi, g in enumerate(article.gold):
            if gi not in matched:
                s, e = g.pieces[0]
                score.errors.append(f"FN {article.name}@{s}: {article.text[s:e][:100]!r}")
    return score


def score_all(
    articles: Iterable[Article], finder: Callable[[str], list[Quote]], keep: bool = False
) -> dict[str, Score]:
    """Score every article, totalled per split and over all."""
    totals = {"train": Score(), "dev": Score(), "all": Score()}
    for article in articles:
        s = evaluate(article, finder, keep)
        totals[article.split].add(s)
        totals["all"].add(s)
        totals[article.split].errors.extend(s.errors)
    return totals


def _ours(text: str) -> list[Quote]:
    return find_quotes(text)


def run(quick: bool) -> str:
    """Measure the baseline and ours on train, dev and all; return the Markdown section."""
    articles = load()
    if quick:
        articles = articles[::8]
    base = score_all(articles, baseline)
    ours = score_all(articles, _ours)
    ours = min((score_all(articles, _ours) for _ in range(2)), key=lambda t: t["all"].seconds)
    times = []
    for article in articles[:200]:
        started = time.perf_counter()
        find_quotes(article.text)
        times.append(time.perf_counter() - started)
    lines = [
        "## Key quotes",
        "",
        "`newsbrief.bot.text.quotes.find_quotes` on PolNeAR (`../shared/eval/quotes-polnear`),",
        "beside a",
        "regex baseline (text in double quotation marks, 4+ words, no speaker). Gold = relations",
        "whose content is in quotation marks (`direct_quote_heuristic`, plus NYT `''...''`);",
        "content spans read in text order; a find matches if it overlaps a gold piece by >= 50 %",
        "of the shorter; finds inside indirect speech with quoted words, or an unannotated part",
        "of an annotated split quote, are left out of P (strict P counts them as false);",
        "speaker accuracy is over matched quotes whose gold source is a name (surname match;",
        "no speaker is not right), given is the share of those given a speaker, wrong the share",
        "wrong among those given one. Definitions in full in `bench/bench_quotes.py`."
        + (" **Quick run: every 8th article.**" if quick else ""),
        "",
        "| split | system | articles | gold | found | P | strict P | R | F1 | speaker acc "
        "(n) | given | wrong | articles/s |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for split in ("train", "dev", "all"):
        for label, totals in (("baseline", base), ("ours", ours)):
            s = totals[split]
            rate = s.articles / s.seconds if s.seconds else 0.0
            lines.append(
                f"| {split} | {label} | {s.articles} | {s.gold} | {s.found} | "
                f"{s.precision:.3f} | {s.strict_precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | "
                f"{s.speaker:.3f} ({s.named}) | {s.given:.3f} | {s.wrong:.3f} | {rate:,.0f} |"
            )
    lines += [
        "",
        "Before issue 9's speaker work (a598341, same script): all, ours: P 0.978, R 0.963,",
        "speaker acc 0.902 (3934), given 0.925, wrong 0.025. Speakers now come from sentence",
        "subjects (a pronoun takes the latest subject that fits; an unnamed one such as `a",
        "spokesman` stops it) and a quote with no clear speaker gets none: fewer wrong, a few",
        "more without a speaker.",
    ]
    lines += bbc_markdown()
    prev = load(previous=True)
    if quick:
        prev = prev[::8]
    old_rules = score_all(prev, _ours)
    lines += [
        "",
        "Previous evaluation rules (content spans in annotation order, partial quotes span by",
        "span, no allowance for an unannotated part of an annotated split quote), ours:",
        "",
        "| split | P | strict P | R | speaker acc (n) |",
        "|---|---:|---:|---:|---:|",
    ]
    for split in ("train", "dev", "all"):
        s = old_rules[split]
        lines.append(
            f"| {split} | {s.precision:.3f} | {s.strict_precision:.3f} | {s.recall:.3f} | "
            f"{s.speaker:.3f} ({s.named}) |"
        )
    ms = sorted(t * 1000 for t in times)
    lines += [
        "",
        f"Time per article (ours, first {len(ms)} articles, mean "
        f"{sum(len(a.text) for a in articles[:200]) / max(1, len(ms)) / 1000:.1f} k chars): "
        f"median {statistics.median(ms):.2f} ms, p95 {ms[int(0.95 * (len(ms) - 1))]:.2f} ms, "
        f"max {ms[-1]:.2f} ms. Load average over the last minute when it ended: "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (timings above that are not",
        "comparable with a quiet machine's; on one profile, speakers from sentence subjects cost",
        "about 20 % more work per article than at a598341).",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    arts = load(previous="--previous" in sys.argv)
    split = sys.argv[1] if len(sys.argv) > 1 else "train"
    res = score_all([a for a in arts if a.split == split or split == "all"], _ours, keep=True)
    for err in res[split].errors:
        print(err)
    s = res[split]
    print(
        f"P {s.precision:.3f} strictP {s.strict_precision:.3f} R {s.recall:.3f} "
        f"spk {s.speaker:.3f} ({s.named}) given {s.given:.3f} wrong {s.wrong:.3f} "
        f"found {s.found} gold {s.gold} neutral {s.neutral}"
    )
