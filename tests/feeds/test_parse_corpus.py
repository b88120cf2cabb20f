"""Every feed of the shared corpora through the parse path: no crash, no hang, clear errors.

feedparser's own test corpus (~2,100 small feeds, each with its expectation in an `Expect:`
comment) and feedjira's 43 captured real feeds. A file may be refused with a `FeedFormatError`
(a fragment, an obsolete format, a document type declaring entities) but nothing may raise
anything else (a hang is caught by the per-test timeout; timings are in bench/bench_feeds.py).
"""

from __future__ import annotations

import re

import pytest
from paths import EVAL

from newsbrief.bot.feeds.parse import FeedFormatError, parse_feed

CORPUS = EVAL / "feeds"
GROUPS = ["feedjira", *(f"feedparser/{g}" for g in ("wellformed", "illformed", "encoding"))]
GROUPS += ["feedparser/entities", "feedparser/json"]
_NOT_BOZO = re.compile(rb"Expect:\s+not bozo")
# Refused on purpose among feedparser's well-formed samples: Microsoft's CDF, and entity DTDs.
_REFUSED_WELLFORMED = re.compile(r"wellformed/cdf/|entity|doctype", re.I)


@pytest.mark.slow
@pytest.mark.parametrize("group", GROUPS)
def test_every_corpus_feed_parses_or_is_refused_clearly(group: str) -> None:
    files = sorted(p for p in (CORPUS / group).rglob("*") if p.is_file() and p.name != "LICENSE")
    assert files
    crashes: list[str] = []
    refused: dict[str, str] = {}
    entries = 0
    for path in files:
        body = path.read_bytes()
        try:
            entries += len(parse_feed(body, f"https://corpus.example/{path.name}").entries)
        except FeedFormatError as error:
            refused[str(path.relative_to(CORPUS))] = str(error)
            assert str(error), path
        except Exception as error:
            crashes.append(f"{path}: {error!r}")
    assert crashes == []
    assert entries > 0
    if group == "feedparser/wellformed":
        unexpected = {
            name: reason
            for name, reason in refused.items()
            if _NOT_BOZO.search((CORPUS / name).read_bytes())
            and not _REFUSED_WELLFORMED.search(name + reason)
        }
        assert unexpected == {}
