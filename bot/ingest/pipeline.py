"""One ingest pass: read what changed, analyze it, group it into stories, store the results."""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TypeVar

from sqlalchemy.orm import Session

from newsbrief.bot.errors import ArticleError
from newsbrief.bot.ingest.analysis import (
    AnalyzedArticle,
    BriefingOptions,
    FileOutcome,
    analyze_file,
    analyze_item,
    file_hash,
)
from newsbrief.bot.ingest.article_files import iter_article_files
from newsbrief.bot.model import Article, Source
from newsbrief.bot.store import repository, term_days
from newsbrief.bot.store.database import Database
from newsbrief.bot.store.schema import ArticleRecord, SourceFile, Story, StoryTopic
from newsbrief.bot.store.storable import display_path, storable, storable_key
from newsbrief.bot.store.term_days import DOCUMENTS
from newsbrief.bot.stories.compose import StoryArticle, compose_story, story_title, view_for_topic
from newsbrief.bot.stories.grouping import (
    COMMONNESS_DAYS,
    CORE_SIZE,
    Commonness,
    CoreArticle,
    Signature,
    StoryCore,
    StoryIndex,
    central_order,
)
from newsbrief.bot.stories.topics import TopicCatalog
from newsbrief.bot.text.outlets import source_name

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
PARALLEL_FROM_JOBS = 64  # below this, starting worker processes costs more than it saves
STORE_BATCH_FILES = 100
STORE_BATCH_ARTICLES = 200
Job = TypeVar("Job")
Item = TypeVar("Item")
Result = TypeVar("Result")
STORED_TOPIC_QUOTES = 5
MAX_PATH_CHARS = 1024  # the store's width for a file's path
WordCounts = defaultdict[date, Counter[str]]


@dataclass
class IngestReport:
    """What a pass did, for the CLI, the admin and the logs."""

    files_seen: int = 0
    files_unchanged: int = 0
    files_gone: int = 0
    errors: list[str] = field(default_factory=list)
    articles_added: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    created_ids: set[int] = field(default_factory=set, repr=False)
    touched_ids: set[int] = field(default_factory=set, repr=False)

    @property
    def stories_created(self) -> int:
        return len(self.created_ids)

    @property
    def stories_updated(self) -> int:
        return len(self.touched_ids - self.created_ids)

    def absorb(self, other: IngestReport) -> None:
        """Add another report's counts to this one."""
        merged = self.merged(other)
        for name in self.__dataclass_fields__:
            if name != "files_seen":
                setattr(self, name, getattr(merged, name))

    def merged(self, other: IngestReport) -> IngestReport:
        """Add up two reports, as one pass made of batches."""
        return IngestReport(
            files_seen=self.files_seen + other.files_seen,
            files_unchanged=self.files_unchanged + other.files_unchanged,
            files_gone=self.files_gone + other.files_gone,
            errors=[*self.errors, *other.errors],
            articles_added=self.articles_added + other.articles_added,
            articles_updated=self.articles_updated + other.articles_updated,
            articles_unchanged=self.articles_unchanged + other.articles_unchanged,
            created_ids=self.created_ids | other.created_ids,
            touched_ids=self.touched_ids | other.touched_ids,
        )

    def summary(self) -> str:
        """Say in one line what happened."""
        gone = f", {self.files_gone} gone" if self.files_gone else ""
        return (
            f"{self.files_seen} files ({self.files_unchanged} unchanged, {len(self.errors)} "
            f"failed{gone}); articles: {self.articles_added} new, {self.articles_updated} updated, "
            f"{self.articles_unchanged} unchanged; stories: {self.stories_created} new, "
            f"{self.stories_updated} updated"
        )


@dataclass
class Ingestor:
    """Turns articles into stored stories, briefs, quotes and topic views."""

    database: Database
    topics: TopicCatalog
    options: BriefingOptions = field(default_factory=BriefingOptions)
    window: timedelta = timedelta(hours=72)
    workers: int = 1
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def ingest_folder(self, folder: Path, *, progress: Progress | None = None) -> IngestReport:
        """Ingest the files under a folder that are new or changed since the last pass.

        Files gone from the folder take their articles out of the store (and the digests).
        """
        report = IngestReport()
        paths = [str(p) for p in iter_article_files(folder)]
        report.files_seen = len(paths)
        names = {path: stored_path(path) for path in paths}
        hashes: dict[str, str] = {}
        for path in paths:
            try:
                hashes[path] = file_hash(Path(path), self.options.max_file_bytes)
            except OSError as error:
                report.errors.append(f"{names[path]}: cannot read: {error.strerror or error}")
            except ArticleError as error:
                report.errors.append(str(error))
        with self.database.transaction() as session:
            known = repository.known_files(session, set(names.values()))
            report.files_gone = self._forget_gone_files(session, folder, set(names.values()))
        changed = [
            p
            for p, h in hashes.items()
            if names[p] not in known or known[names[p]].content_hash != h
        ]
        report.files_unchanged = len(hashes) - len(changed)
        report.errors.extend(
            f"{row.error} (unchanged since {row.seen_at:%Y-%m-%d %H:%M} UTC)"
            for name, row in known.items()
            if row.error and name not in {names[p] for p in changed}
        )
        batch: list[FileOutcome] = []
        for outcome in self._analyze_files(changed, hashes, progress):
            batch.append(_outlet_from_folder(outcome, folder))
            if len(batch) == STORE_BATCH_FILES:
                self._store_files(batch, report)
                batch = []
        self._store_files(batch, report)
        return report

    def _forget_gone_files(self, session: Session, folder: Path, present: set[str]) -> int:
        """Remove the files under folder that are no longer there, with their articles."""
        gone = [
            p for p in repository.files_under(session, folder_prefix(folder)) if p not in present
        ]
        if not gone:
            return 0
        story_ids = repository.delete_file_articles(session, gone, MAX_PATH_CHARS)
        session.flush()
        for story_id in sorted(story_ids):
            self._compose(session, story_id, self.clock())
        log.info(
            "%d files gone from %s; their articles left %d stories",
            len(gone),
            folder,
            len(story_ids),
        )
        return len(gone)

    def _store_files(self, outcomes: Sequence[FileOutcome], report: IngestReport) -> None:
        """Store a batch in one transaction, so a pass that stops keeps what it finished.

        A file the store refuses is recorded as failed, so it is reported once, not retried.
        """

        def together(batch: Sequence[FileOutcome], part: IngestReport) -> None:
            with self.database.transaction() as session:
                for outcome in batch:
                    _remember_file(session, outcome, self.clock())
                    for problem in outcome.problems:
                        log.info("skipped %s", problem)
                        part.errors.append(problem)
                counts = self._store(session, [a for o in batch for a in o.articles], part)
            self._count_words(counts)

        def failed(outcome: FileOutcome, error: Exception) -> str:
            reason = storable(f"{stored_path(outcome.path)}: could not be stored: {error!r}")
            with self.database.transaction() as session:
                refused = FileOutcome(outcome.path, outcome.content_hash, error=reason)
                _remember_file(session, refused, self.clock())
            return reason

        _store_isolated(outcomes, together, failed, report)

    def ingest_articles(self, articles: Iterable[Article]) -> IngestReport:
        """Ingest articles that came from elsewhere than files (feeds)."""
        report = IngestReport()
        work = partial(analyze_item, options=self.options, fallback_time=self.clock())
        batch: list[AnalyzedArticle] = []
        for analyzed, error in self._in_workers(work, list(articles), None):
            if error:
                report.errors.append(error)
            if analyzed:
                batch.append(analyzed)
            if len(batch) == STORE_BATCH_ARTICLES:
                self._store_articles(batch, report)
                batch = []
        self._store_articles(batch, report)
        return report

    def _store_articles(self, analyzed: Sequence[AnalyzedArticle], report: IngestReport) -> None:
        """Store a batch in one transaction; an article the store refuses is reported alone."""

        def together(batch: Sequence[AnalyzedArticle], part: IngestReport) -> None:
            with self.database.transaction() as session:
                counts = self._store(session, batch, part)
            self._count_words(counts)

        def failed(item: AnalyzedArticle, error: Exception) -> str:
            where = item.article.url or item.article.path or item.article.title
            return storable(f"{where}: could not be stored: {error!r}")

        _store_isolated(analyzed, together, failed, report)

    def _analyze_files(
        self, paths: Sequence[str], hashes: dict[str, str], progress: Progress | None
    ) -> Iterator[FileOutcome]:
        work = partial(_analyze_path, options=self.options)
        return self._in_workers(work, [(p, hashes[p]) for p in paths], progress)

    def _in_workers(
        self, work: Callable[[Job], Result], jobs: Sequence[Job], progress: Progress | None
    ) -> Iterator[Result]:
        """Run CPU-bound analysis in worker processes when there is enough of it."""
        total = len(jobs)
        if self.workers > 1 and total >= PARALLEL_FROM_JOBS:
            context = multiprocessing.get_context("spawn")
            # the main process stores and composes while the pool analyzes: it is one worker
            with ProcessPoolExecutor(self.workers - 1, mp_context=context) as pool:
                chunk = max(1, min(32, total // (self.workers * 8)))
                for done, result in enumerate(pool.map(work, jobs, chunksize=chunk), 1):
                    if progress:
                        progress(done, total)
                    yield result
            return
        for done, job in enumerate(jobs, 1):
            result = work(job)
            if progress:
                progress(done, total)
            yield result

    def _store(
        self, session: Session, analyzed: Sequence[AnalyzedArticle], report: IngestReport
    ) -> WordCounts:
        """Store a batch and group it into stories; return the word counts it adds."""
        counts: WordCounts = defaultdict(Counter)
        if not analyzed:
            return counts
        now = self.clock()
        analyzed = sorted(analyzed, key=lambda a: (not a.dated, a.published))
        stored = repository.articles_by_key(session, {a.key for a in analyzed})
        fresh = [
            a for a in analyzed if a.key not in stored or stored[a.key].fingerprint != a.fingerprint
        ]
        report.articles_unchanged += len(analyzed) - len(fresh)
        if not fresh:
            return counts
        index, weighing = self._recent_stories(session, fresh)
        copies = repository.stories_of_fingerprints(session, {a.fingerprint for a in fresh})
        touched: set[int] = set()
        created: set[int] = set()
        for item in fresh:
            record = stored.get(item.key)
            if record is None:
                record = stored[item.key] = ArticleRecord(key=item.key, ingested_at=now)
                report.articles_added += 1
            else:
                touched.update([record.story_id] if record.story_id else [])
                report.articles_updated += 1
            story_id = copies.get(item.fingerprint) or index.match(
                item.signature, item.published if item.dated else None
            )
            if story_id is not None and not item.dated and story_id in index:
                item = replace(item, published=index.last_seen(story_id))
            _fill(record, item)
            session.add(record)
            counts[item.published.date()].update([DOCUMENTS, *item.signature.terms])
            if story_id is None:
                story_id = self._new_story(session, item, index, now)
                created.add(story_id)
            elif story_id in index:
                index.join(story_id, item.signature, item.published)
            record.story_id = copies[item.fingerprint] = story_id
            touched.add(story_id)
        session.flush()
        report.created_ids |= created
        report.touched_ids |= touched
        for story_id in sorted(touched):
            self._compose(session, story_id, now, weighing)
        return counts

    def _count_words(self, counts: WordCounts) -> None:
        """Add a stored batch's word counts in a short transaction of their own.

        Every writer updates the rows of common words, so they are locked only briefly; a count
        lost to a crash in between only makes a word look a little rarer.
        """
        if counts:
            with self.database.transaction() as session:
                term_days.add_counts(session, counts)

    def _recent_stories(
        self, session: Session, fresh: Sequence[AnalyzedArticle]
    ) -> tuple[StoryIndex, _Weighing]:
        """Load the stories new articles may join, and word counts of the days before them."""
        earliest = min(a.published for a in fresh) - self.window
        latest = max(a.published for a in fresh) + self.window
        stories = [
            (
                story.id,
                StoryCore.from_json(story.signature, story.first_published, story.last_published),
            )
            for story in repository.stories_between(session, earliest, latest)
        ]
        terms = {t for a in fresh for t in a.signature.terms}
        terms.update(t for _, core in stories for m in core.members for t in m.signature.terms)
        weighing = _Weighing.around(session, terms, earliest, latest)
        for item in fresh:
            weighing.commonness.add(item.signature.terms)
        index = StoryIndex(self.window, weighing.commonness)
        for story_id, core in stories:
            index.add(story_id, core)
        return index, weighing

    def _new_story(
        self, session: Session, item: AnalyzedArticle, index: StoryIndex, now: datetime
    ) -> int:
        core = StoryCore.founded(item.signature, item.published)
        story = Story(
            title=item.article.title,
            first_published=item.published,
            last_published=item.published,
            updated_at=now,
            signature=core.to_json(),
        )
        session.add(story)
        session.flush()
        index.add(story.id, core)
        return story.id

    def _compose(
        self, session: Session, story_id: int, now: datetime, weighing: _Weighing | None = None
    ) -> None:
        """Brief a story from its articles; its central articles title it and match newcomers."""
        records = repository.story_articles(session, story_id)
        if not records:
            repository.delete_story(session, story_id)
            return
        story = session.get_one(Story, story_id)
        signatures = [Signature.from_json(r.signature) for r in records]
        terms = {t for s in signatures for t in s.terms}
        if weighing is None:
            earliest = min(r.published for r in records) - self.window
            latest = max(r.published for r in records) + self.window
            weighing = _Weighing.around(session, terms, earliest, latest)
        central = [records[i] for i in central_order(signatures, weighing.knowing(session, terms))]
        members = [story_article(r) for r in records]
        composed = compose_story(
            members, sentences=self.options.sentences, algorithm=self.options.algorithm
        )
        story.title = story_title([story_article(r) for r in central])
        story.first_published = min(r.published for r in records)
        story.last_published = max(r.published for r in records)
        story.updated_at = now
        story.brief = list(composed.brief)
        story.quotes = list(composed.quotes)
        story.sources = list(composed.sources)
        story.reading = composed.reading
        story.scored = composed.scored
        story.version = (story.version or 0) + 1
        core = [
            CoreArticle(Signature.from_json(r.signature), r.published) for r in central[:CORE_SIZE]
        ]
        story.signature = StoryCore(
            tuple(core), story.first_published, story.last_published
        ).to_json()
        views: list[StoryTopic] = []
        for topic in self.topics:
            view = view_for_topic(
                composed, topic, sentences=self.options.sentences, quotes=STORED_TOPIC_QUOTES
            )
            if view is not None:
                views.append(
                    StoryTopic(
                        topic=topic.command,
                        story_id=story_id,
                        relevance=view.relevance,
                        last_published=story.last_published,
                        title=view.title,
                        brief=list(view.brief),
                        quotes=list(view.quotes),
                    )
                )
        repository.replace_story_topics(session, story_id, views)


@dataclass
class _Weighing:
    """How common words are around a batch's dates; fetches the counts of words it lacks."""

    commonness: Commonness
    first_day: date
    last_day: date

    @classmethod
    def around(
        cls, session: Session, terms: Collection[str], earliest: datetime, latest: datetime
    ) -> _Weighing:
        """Count words in the articles of the month before earliest up to latest."""
        first_day = (earliest - timedelta(days=COMMONNESS_DAYS)).date()
        documents, known = term_days.recent_counts(session, terms, first_day, latest.date())
        return cls(Commonness(documents, known), first_day, latest.date())

    def knowing(self, session: Session, terms: Collection[str]) -> Commonness:
        """Give the commonness, first fetching the stored counts of any of these words."""
        missing = [t for t in terms if not self.commonness.knows(t)]
        if missing:
            days = (self.first_day, self.last_day)
            self.commonness.learn(term_days.recent_counts(session, missing, *days)[1])
        return self.commonness


def _store_isolated(
    items: Sequence[Item],
    together: Callable[[Sequence[Item], IngestReport], None],
    failed: Callable[[Item, Exception], str],
    report: IngestReport,
) -> None:
    """Store items together; if the store refuses, each alone, and report the ones it refuses.

    When it refuses every one of them, the store itself is failing (down, say): raise, so
    nothing is recorded as failed and the next pass tries again.
    """
    if not items:
        return
    part = IngestReport()
    try:
        together(items, part)
    except Exception as error:
        if len(items) == 1:
            raise
        first = error
    else:
        report.absorb(part)
        return
    log.info("the store refused a batch of %d; storing them one by one", len(items))
    refused: list[tuple[Item, Exception]] = []
    for item in items:
        part = IngestReport()
        try:
            together([item], part)
        except Exception as alone:
            refused.append((item, alone))
        else:
            report.absorb(part)
    if len(refused) == len(items):
        raise first
    for item, why in refused:
        reason = failed(item, why)
        log.warning("%s", reason)
        report.errors.append(reason)


def _analyze_path(job: tuple[str, str], options: BriefingOptions) -> FileOutcome:
    return analyze_file(job[0], job[1], options)


def stored_path(path: str) -> str:
    """Name a file as the store keys it: as text (see `display_path`), within its width."""
    return storable_key(display_path(path), MAX_PATH_CHARS)


def folder_prefix(folder: Path) -> str:
    """Give the start every stored path under folder has ("" for the current folder)."""
    name = display_path(str(folder))
    return "" if name == "." else name.rstrip(os.sep) + os.sep


def _outlet_from_folder(outcome: FileOutcome, folder: Path) -> FileOutcome:
    """Name the outlet of articles that name none by their subfolder: `articles/reuters/x.txt`.

    Files directly in the article folder stay without one: its name says nothing of an outlet.
    """
    try:
        relative = Path(outcome.path).relative_to(folder)
    except ValueError:
        return outcome
    if len(relative.parts) < 2 or not outcome.articles:
        return outcome
    named = tuple(
        item
        if item.article.outlet or item.article.url
        else replace(item, article=replace(item.article, outlet=relative.parts[0]))
        for item in outcome.articles
    )
    return replace(outcome, articles=named)


def _remember_file(session: Session, outcome: FileOutcome, now: datetime) -> None:
    name = stored_path(outcome.path)
    row = session.get(SourceFile, name)
    if row is None:
        row = SourceFile(path=name, content_hash=outcome.content_hash, seen_at=now)
        session.add(row)
    row.content_hash = outcome.content_hash
    row.seen_at = now
    row.articles = len(outcome.articles)
    problems = [outcome.error] if outcome.error else list(outcome.problems)
    row.error = storable("; ".join(problems)) if problems else None


def _fill(record: ArticleRecord, item: AnalyzedArticle) -> None:
    article = item.article
    record.fingerprint = item.fingerprint
    record.title = article.title
    record.text = article.text
    record.outlet = article.outlet
    record.url = article.url
    record.path = article.path
    record.published = item.published
    record.brief = list(item.brief)
    record.quotes = list(item.quotes)
    record.signature = item.signature.to_json()
    record.topics = list(article.topics)


def story_article(record: ArticleRecord) -> StoryArticle:
    return StoryArticle(
        title=record.title,
        text=record.text,
        source=Source(source_name(record.outlet, record.url), record.url, record.path),
        fingerprint=record.fingerprint,
        published=record.published,
        topics=tuple(record.topics or ()),
        quotes=tuple(record.quotes),
    )
