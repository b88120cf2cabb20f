"""Per-article work done once at ingest: brief, quotes and the signature stories are matched on."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from newsbrief.bot.errors import ArticleError
from newsbrief.bot.ingest.article_files import load_articles, read_regular_file
from newsbrief.bot.model import Article, Quote
from newsbrief.bot.store.storable import display_path, storable, storable_key, storable_line
from newsbrief.bot.stories.grouping import Signature, signature
from newsbrief.bot.text.briefs import DEFAULT_ALGORITHM, summarize
from newsbrief.bot.text.quotes import find_quotes
from newsbrief.bot.urls import canonical_url

_WORDS = re.compile(r"\w+")
MAX_KEY_CHARS = 2048  # the store's width for an article's key
MAX_OUTLET_CHARS = 256  # and for its outlet


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
    """What one file gave: its articles, or the reason it gave none, and the items it skipped."""

    path: str
    content_hash: str
    articles: tuple[AnalyzedArticle, ...] = ()
    error: str | None = None
    skipped: tuple[str, ...] = ()

    @property
    def problems(self) -> tuple[str, ...]:
        """List what went wrong: the whole file, else each item skipped."""
        return (self.error,) if self.error else self.skipped


def fingerprint(text: str) -> str:
    """Identify a text whatever its spacing or case, so wire copies are recognised."""
    words = " ".join(_WORDS.findall(text.lower()))
    return hashlib.sha256(words.encode()).hexdigest()


def article_key(article: Article, index: int = 0) -> str:
    """Key an article by its canonical URL, else by its file (and place in the file)."""
    if article.url and article.url.lower().startswith(("http://", "https://")):
        key = canonical_url(article.url)
    else:
        path = display_path(article.path) if article.path else article.path
        key = f"file:{path}" + (f"#{index}" if index else "")
    return storable_key(key, MAX_KEY_CHARS)


def storable_article(article: Article) -> Article:
    """Make an article's fields storable (no NUL or lone surrogate, within the store's widths)."""
    return replace(
        article,
        title=storable(article.title),
        text=storable(article.text),
        outlet=storable_line(article.outlet, MAX_OUTLET_CHARS) if article.outlet else None,
        url=storable(article.url) if article.url else None,
        path=display_path(article.path) if article.path else None,
        notes=tuple(storable(n) for n in article.notes),
        topics=tuple(storable(t) for t in article.topics),
    )


def analyze_article(
    article: Article, options: BriefingOptions, *, key: str, fallback_time: datetime
) -> AnalyzedArticle:
    """Brief an article, find its quotes and describe it for story matching."""
    article = storable_article(article)
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
    """Hash a file's first `limit`+1 bytes: enough to see any change the loader would see.

    Raises `OSError`, or `ArticleError` for what is not a regular file.
    """
    return hashlib.sha256(read_regular_file(path, limit)).hexdigest()


def analyze_file(path: str, content_hash: str, options: BriefingOptions) -> FileOutcome:
    """Load and analyze one file; never raises, so one bad file cannot stop a pass."""
    try:
        file = Path(path)
        modified = datetime.fromtimestamp(file.stat().st_mtime, tz=UTC)
        skipped: list[ArticleError] = []
        articles = load_articles(file, max_bytes=options.max_file_bytes, skipped=skipped)
        analyzed = tuple(
            analyze_article(a, options, key=article_key(a, i), fallback_time=modified)
            for i, a in enumerate(articles)
        )
    except ArticleError as error:
        return FileOutcome(path, content_hash, error=storable(str(error)))
    except OSError as error:
        reason = f"{display_path(path)}: cannot read: {error.strerror or error}"
        return FileOutcome(path, content_hash, error=reason)
    except Exception as error:  # a bug on one file must not lose the rest of the pass
        reason = f"{display_path(path)}: failed: {error!r}"
        return FileOutcome(path, content_hash, error=storable(reason))
    return FileOutcome(
        path, content_hash, analyzed, skipped=tuple(storable(str(e)) for e in skipped)
    )
