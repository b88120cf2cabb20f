import json
import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from factories import BBC, make_services, sample_folder
from sqlalchemy import select

from newsbrief.bot.ingest.article_files import load_articles
from newsbrief.bot.model import Article
from newsbrief.bot.services import Services, bundled_samples
from newsbrief.bot.store.schema import ArticleRecord, SourceFile, Story, StoryTopic
from newsbrief.bot.store.term_days import recent_counts

DECEMBER_19 = datetime(2024, 12, 19, tzinfo=UTC)


@pytest.fixture
def services(tmp_path: Path):  # type: ignore[no-untyped-def]
    built = make_services(tmp_path)
    yield built
    built.close()


def _stories(services: Services) -> list[Story]:
    with services.database.transaction() as session:
        return list(session.scalars(select(Story).order_by(Story.id)))


def test_the_two_samples_become_one_story_with_two_sources(
    services: Services, tmp_path: Path
) -> None:
    report = services.ingestor.ingest_folder(sample_folder(tmp_path))
    assert (report.articles_added, report.stories_created, report.errors) == (2, 1, [])
    (story,) = _stories(services)
    assert len(story.sources) == 2
    assert story.title.startswith("Putin breaks silence on Syria crisis")
    assert 2 <= len(story.brief) <= 3
    assert story.quotes and all(q.speaker == "Vladimir Putin" for q in story.quotes[:3])
    with services.database.transaction() as session:
        topics = set(session.scalars(select(StoryTopic.topic)))
    assert {"syria", "kursk", "russia", "trump", "ukraine"} <= topics
    assert "sport" not in topics and "tech" not in topics


def test_outlets_come_from_links_and_subfolders_never_file_names(
    services: Services, tmp_path: Path
) -> None:
    folder = tmp_path / "mine"
    (folder / "Reuters").mkdir(parents=True)
    samples = sorted(sample_folder(tmp_path).glob("*.txt"))
    body = samples[0].read_text().split("\n", 2)[2]  # without its URL line
    (folder / "Reuters" / "001_a1b2.txt").write_text(body)
    (folder / "002_c3d4.txt").write_text(body.replace("Moscow", "Moskva"))
    shutil.copy(samples[1], folder / "003_e5f6.txt")  # names its link on its first line
    services.ingestor.ingest_folder(folder)
    with services.database.transaction() as session:
        outlets = {Path(r.path).name: r.outlet for r in session.scalars(select(ArticleRecord))}
    assert outlets == {
        "001_a1b2.txt": "Reuters",
        "002_c3d4.txt": None,
        "003_e5f6.txt": "dailysabah.com",
    }
    (story,) = _stories(services)
    names = sorted(str(source.name) for source in story.sources)
    assert names == ["None", "Reuters", "dailysabah.com"]


def test_unchanged_files_are_skipped_and_changed_ones_read_again(
    services: Services, tmp_path: Path
) -> None:
    folder = sample_folder(tmp_path)
    services.ingestor.ingest_folder(folder)
    again = services.ingestor.ingest_folder(folder)
    assert (again.files_unchanged, again.articles_added, again.articles_updated) == (2, 0, 0)
    changed = next(folder.glob("004_*.txt"))
    changed.write_text(changed.read_text() + "\n\nPutin also said the Kursk region would be freed.")
    third = services.ingestor.ingest_folder(folder)
    assert (third.files_unchanged, third.articles_updated, third.stories_created) == (1, 1, 0)
    (story,) = _stories(services)
    assert len(story.sources) == 2


def test_bad_files_are_named_and_the_others_still_ingested(
    services: Services, tmp_path: Path
) -> None:
    folder = sample_folder(tmp_path)
    (folder / "empty.txt").write_text("")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02PNG" * 100)
    (folder / "broken.json").write_text('{"title": "x", "text": ')
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    report = services.ingestor.ingest_folder(folder)
    assert report.articles_added == 2
    failed = sorted(Path(e.split(":")[0]).name for e in report.errors)
    assert failed == ["binary.txt", "broken.json", "empty.txt"]
    with services.database.transaction() as session:
        errors = {Path(f.path).name: f.error for f in session.scalars(select(SourceFile))}
    assert errors["empty.txt"] and "empty" in errors["empty.txt"]
    assert errors[next(folder.glob("000_*.txt")).name] is None


def test_wire_copies_and_tracking_links_collapse(services: Services, tmp_path: Path) -> None:
    folder = tmp_path / "wire"
    folder.mkdir()
    body = (BBC / "business" / "003.txt").read_text(encoding="utf-8")
    title, _, text = body.partition("\n")
    when = "2024-12-19T10:00:00+00:00"
    for name, outlet, url in [
        ("a.json", "Wire A", "https://a.example/story?utm_source=x"),
        ("b.json", "Wire B", "https://b.example/copy"),
        ("c.json", "Wire A", "https://www.a.example/story/#top"),
    ]:
        item = {"title": title, "text": text, "url": url, "source": outlet, "published": when}
        (folder / name).write_text(json.dumps(item))
    report = services.ingestor.ingest_folder(folder)
    assert report.stories_created == 1
    with services.database.transaction() as session:
        keys = sorted(session.scalars(select(ArticleRecord.key)))
    assert keys == ["https://a.example/story", "https://b.example/copy"]
    (story,) = _stories(services)
    assert [s.name for s in story.sources] == ["Wire A", "Wire B"]


def test_an_old_event_does_not_swallow_a_new_one(services: Services, tmp_path: Path) -> None:
    folder = sample_folder(tmp_path)
    (undated,) = folder.glob("000_*.txt")
    text = undated.read_text()
    undated.unlink()
    services.ingestor.ingest_folder(folder)
    assert len(_stories(services)) == 1
    later = Article(
        title="Putin says he has yet to meet Assad in Moscow",
        text=text,
        outlet="Later Times",
        url="https://later.example/putin-assad",
        published=datetime(2025, 3, 1, tzinfo=UTC),
    )
    report = services.ingestor.ingest_articles([later])
    assert report.stories_created == 1
    assert len(_stories(services)) == 2


def test_many_files_are_analyzed_in_worker_processes(tmp_path: Path) -> None:
    folder = tmp_path / "bbc"
    folder.mkdir()
    for path in sorted((BBC / "tech").glob("*.txt"))[:20]:
        shutil.copy(path, folder / path.name)
    services = make_services(tmp_path, ingest_workers=2)
    try:
        seen: list[int] = []
        report = services.ingestor.ingest_folder(folder, progress=lambda d, t: seen.append(d))
    finally:
        services.close()
    assert report.articles_added == 20 and not report.errors
    assert seen[-1] == 20


def test_many_feed_articles_are_analyzed_in_workers_and_bad_ones_named(tmp_path: Path) -> None:
    articles = []
    for number, path in enumerate(sorted((BBC / "sport").glob("*.txt"))[:70]):
        title, _, text = path.read_text(encoding="utf-8", errors="replace").partition("\n")
        articles.append(
            Article(
                title=title,
                text=text,
                outlet="Feed",
                url=f"https://feed.example/{number}",
                published=datetime(2025, 1, 1, tzinfo=UTC),
            )
        )
    articles.append(Article(title="broken", text=None, url="https://feed.example/bad"))  # type: ignore[arg-type]
    services = make_services(tmp_path, ingest_workers=2)
    try:
        report = services.ingestor.ingest_articles(articles)
    finally:
        services.close()
    assert report.articles_added == 70
    assert len(report.errors) == 1 and "https://feed.example/bad" in report.errors[0]


def _sample_articles() -> list[Article]:
    return [a for p in sorted(bundled_samples().glob("*.txt")) for a in load_articles(p)]


def test_two_ingest_processes_sharing_the_store_group_into_one_story(tmp_path: Path) -> None:
    """Each process finds the stories and word counts the other stored."""
    first, second = (make_services(tmp_path) for _ in range(2))
    try:
        undated, dated = _sample_articles()
        assert first.ingestor.ingest_articles([dated]).stories_created == 1
        report = second.ingestor.ingest_articles([replace(undated, published=DECEMBER_19)])
        assert (report.stories_created, report.stories_updated) == (0, 1)
        (story,) = _stories(first)
        assert len(story.sources) == 2
        assert len(story.signature["core"]) == 2, "both articles are the story's core"
        day = DECEMBER_19.date()
        with second.database.transaction(readonly=True) as session:
            documents, counts = recent_counts(session, ["putin", "assad"], day, day)
        assert documents == 2 and counts["putin"] == 2
    finally:
        first.close()
        second.close()


def test_a_story_is_titled_by_its_most_central_article(services: Services) -> None:
    undated, dated = _sample_articles()
    paragraphs = dated.text.split("\n\n")
    marginal = Article(  # the Kursk part of one report, a day earlier
        title="Putin vows to drive Ukrainian troops out of Kursk",
        text="\n\n".join(paragraphs[16:]),
        outlet="Third Outlet",
        url="https://third.example/kursk",
        published=DECEMBER_19 - timedelta(days=1),
    )
    services.ingestor.ingest_articles([marginal, dated, undated])
    (story,) = _stories(services)
    assert dated.text.startswith(dated.title.rstrip("…")), "the central one has no headline"
    assert story.title == undated.title, "the next most central article's headline"
