import json
from datetime import UTC, datetime, timedelta

from factories import BBC
from paths import FIXTURES

from newsbrief.bot.ingest.article_files import load_articles
from newsbrief.bot.services import bundled_samples
from newsbrief.bot.stories.grouping import (
    CORE_SIZE,
    SAME_STORY_SIMILARITY,
    Commonness,
    Signature,
    StoryCore,
    StoryIndex,
    central_order,
    signature,
    similarity,
)

DAY = datetime(2024, 12, 19, tzinfo=UTC)
WINDOW = timedelta(hours=72)


def _samples() -> list[Signature]:
    found = []
    for path in sorted(bundled_samples().glob("*.txt")):
        (article,) = load_articles(path)
        found.append(signature(article.title, article.text))
    return found


def _bbc(name: str) -> Signature:
    title, _, body = (BBC / name).read_text(encoding="utf-8").partition("\n")
    return signature(title, body)


def _fixture(name: str) -> dict[str, Signature]:
    """Signatures of a story fixture's articles (AllSides excerpts), by article id."""
    case = json.loads((FIXTURES / "stories" / f"{name}.json").read_text(encoding="utf-8"))
    return {row["id"]: signature(row["title"], row["text"]) for row in case["articles"]}


def _alike(first: Signature, second: Signature, commonness: Commonness) -> float:
    return similarity(commonness.weigh(first), commonness.weigh(second))


def test_two_outlets_on_one_press_conference_are_alike_on_a_cold_start() -> None:
    first, second = _samples()
    assert _alike(first, second, Commonness()) >= SAME_STORY_SIMILARITY
    assert {"putin", "assad", "syria"} <= first.names & second.names


def test_unrelated_articles_are_not_alike() -> None:
    putin = _samples()[0]
    for name in ("business/003.txt", "sport/002.txt", "tech/003.txt", "politics/005.txt"):
        assert _alike(putin, _bbc(name), Commonness()) < SAME_STORY_SIMILARITY / 2


def test_a_new_name_is_rare_on_its_first_day_and_common_a_month_later() -> None:
    cold = Commonness()
    assert cold.rarity("taliban") > 2 * cold.rarity("government"), "the shipped table decides"
    first_day = Commonness(documents=300, counts={"taliban": 2, "government": 60})
    month_later = Commonness(documents=9000, counts={"taliban": 2500, "government": 1800})
    assert first_day.rarity("taliban") > first_day.rarity("government")
    assert month_later.rarity("taliban") < month_later.rarity("government")
    assert month_later.rarity("taliban") < first_day.rarity("taliban") / 2


def test_a_story_is_found_within_its_window_and_an_undated_article_may_join_any() -> None:
    first, second = _samples()
    index = StoryIndex(WINDOW)
    index.add(7, StoryCore.founded(first, DAY))
    assert index.match(second, DAY + timedelta(hours=30)) == 7
    assert index.match(second, DAY + timedelta(days=10)) is None, "an old event swallowed a new one"
    assert index.match(second, None) == 7


def test_a_story_spans_at_most_its_window_however_many_articles_join() -> None:
    first, second = _samples()
    index = StoryIndex(WINDOW)
    index.add(1, StoryCore.founded(first, DAY))
    for hours in (20, 40, 60):
        assert index.match(second, DAY + timedelta(hours=hours)) == 1
        index.join(1, second, DAY + timedelta(hours=hours))
    assert index.core(1).last == DAY + timedelta(hours=60)
    assert index.match(second, DAY + timedelta(hours=80)) is None, "a long subject chained on"
    assert index.match(second, DAY - timedelta(hours=20)) is None, "a story stretched backwards"


def test_a_story_that_takes_in_many_names_does_not_swallow_an_event_sharing_one() -> None:
    """The chaining of issue 9: a story's names only grew, so a famous name always matched."""
    biden = _fixture("biden_three_events_in_three_days")
    climate = [biden[f"allsides-6112-{side}"] for side in ("center", "left", "right")]
    trip = [biden[f"allsides-6107-{side}"] for side in ("center", "left", "right")]
    genocide = biden["allsides-6104-center"]
    talks = _fixture("infrastructure_talks_over_three_weeks")
    commonness = Commonness()
    for sig in [*climate, *trip, genocide, *talks.values()]:
        commonness.add(sig.terms)
    index = StoryIndex(WINDOW, commonness)
    index.add(1, StoryCore.founded(climate[0], DAY))
    for sig in climate[1:]:
        assert index.match(sig, DAY) == 1
        index.join(1, sig, DAY)
    for sig in [*trip, *talks.values()]:  # forced in: the union of names grows and grows
        index.join(1, sig, DAY)
    assert len(index.core(1).members) == CORE_SIZE, "the core is the story as founded"
    assert "biden" in genocide.names
    assert index.match(genocide, DAY + timedelta(hours=12)) is None


def test_the_most_central_article_comes_first() -> None:
    biden = _fixture("biden_three_events_in_three_days")
    climate = [biden[f"allsides-6112-{side}"] for side in ("center", "left", "right")]
    outlier = biden["allsides-6104-left"]
    order = central_order([outlier, *climate], Commonness())
    assert order[-1] == 0, "the article on another event is the least central"


def test_signatures_and_cores_survive_the_store() -> None:
    first, second = _samples()
    again = Signature.from_json(json.loads(json.dumps(first.to_json())))
    assert again == first
    core = StoryCore.founded(first, DAY).joined(second, DAY + timedelta(hours=5))
    stored = json.loads(json.dumps(core.to_json()))
    assert StoryCore.from_json(stored, core.first, core.last) == core


def test_a_story_stored_before_cores_is_matched_on_its_old_signature() -> None:
    first, second = _samples()
    legacy = {"terms": {t: 0.1 for t in first.terms}, "names": sorted(first.names)}
    core = StoryCore.from_json(legacy, DAY, DAY)
    assert len(core.members) == 1 and core.members[0].published == DAY
    index = StoryIndex(WINDOW)
    index.add(3, core)
    assert index.match(second, DAY) == 3
