"""Per-article work done once at ingest: brief, quotes and the signature stories are matched on."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from newsbrief.bot.errors import ArticleError
from newsbrief.bot.ingest.article_files import load_articles
from newsbrief.bot.model import Article, Quote
from newsbrief.bot.stories.grouping import Signature, signature
from newsbrief.bot.text.briefs import DEFAULT_ALGORITHM, summarize
from newsbrief.bot.text.quotes import find_quotes
from newsbrief.bot.urls import canonical_url

_WORDS = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class BriefingOptions:
    """How briefs are made; passed to worker processes, so plain values only."""

    sentences: int = 3
    algorithm: str = DEFAULT_ALGORITHM
    max_file_bytes: int = 5_000_000


@dataclass(frozen=True, slots=True)
class AnalyzedArticle:
    """An article with everything computed from it alone."""

    article: Article
    key: str
    fingerprint: str
    published: datetime
    dated: bool
    brief: tuple[str, ...]
    quotes: tuple[Quote, ...]
    signature: Signature


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What one file gave: its articles, or the reason it gave none."""

    path: str
    content_hash: str
    articles: tuple[AnalyzedArticle, ...] = ()
    error: str | None = None


def fingerprint(text: str) -> str:
    """Identify a text whatever its spacing or case, so wire copies are recognised."""
    words = " ".join(_WORDS.findall(text.lower()))
    return hashlib.sha256(words.encode()).hexdigest()


def article_key(article: Article, index: int = 0) -> str:
    """Key an article by its canonical URL, else by its file (and place in the file)."""
    if article.url and article.url.lower().startswith(("http://", "https://")):
        return canonical_url(article.url)
    return f"file:{article.path}" + (f"#{index}" if index else "")


def analyze_article(
    article: Article, options: BriefingOptions, *, key: str, fallback_time: datetime
) -> AnalyzedArticle:
    """Brief an article, find its quotes and describe it for story matching."""
    return AnalyzedArticle(
        article=article,
        key=key,
        fingerprint=fingerprint(article.text),
        published=article.published or fallback_time,
        dated=article.published is not None,
        brief=tuple(
            summarize(
                article.text,
                sentences=options.sentences,
                algorithm=options.algorithm,
                title=article.title,
            )
        ),
        quotes=tuple(find_quotes(article.text, title=article.title)),
        signature=signature(article.title, article.text),
    )


def analyze_item(
    article: Article, options: BriefingOptions, fallback_time: datetime
) -> tuple[AnalyzedArticle | None, str | None]:
    """Analyze an article from a feed; never raises, so one bad item cannot stop the others."""
    try:
        key = article_key(article)
        return analyze_article(article, options, key=key, fallback_time=fallback_time), None
    except Exception as error:
        return None, f"{article.url or article.title}: failed: {error!r}"


def file_hash(path: Path, limit: int) -> str:
    """Hash a file's first `limit`+1 bytes: enough to see any change the loader would see."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        digest.update(handle.read(limit + 1))
    return digest.hexdigest()


def analyze_file(path: str, content_hash: str, options: BriefingOptions) -> FileOutcome:
    """Load and analyze one file; never raises, so one bad file cannot stop a pass."""
    try:
        file = Path(path)
        modified = datetime.fromtimestamp(file.stat().st_mtime, tz=UTC)
        articles = load_articles(file, max_bytes=options.max_file_bytes)
        analyzed = tuple(
            analyze_article(a, options, key=article_key(a, i), fallback_time=modified)
            for i, a in enumerate(articles)
        )
    except ArticleError as error:
        return FileOutcome(path, content_hash, error=str(error))
    except OSError as error:
        return FileOutcome(path, content_hash, error=f"{path}: cannot read: {error}")
    except Exception as error:  # a bug on one file must not lose the rest of the pass
        return FileOutcome(path, content_hash, error=f"{path}: failed: {error!r}")
    return FileOutcome(path, content_hash, analyzed)
