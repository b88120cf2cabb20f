from pathlib import Path

import pytest

from newsbrief.bot.errors import SettingsError, UnknownTopic
from newsbrief.bot.stories.topics import (
    Topic,
    TopicCatalog,
    keyword_topic,
    load_topics,
    title_for_topic,
    too_short,
)
from newsbrief.config.settings import BUNDLED_TOPICS_FILE


@pytest.fixture(scope="module")
def catalog() -> TopicCatalog:
    return load_topics(BUNDLED_TOPICS_FILE)


def test_bundled_topics_include_the_required_ones(catalog: TopicCatalog) -> None:
    for command in ("syria", "kursk", "ukraine", "russia", "trump"):
        assert catalog.get(command) is not None
    assert catalog.get("/Syria") is catalog.get("syria")
    assert len(catalog) >= 8


def test_keywords_match_whole_words_plurals_and_possessives(catalog: TopicCatalog) -> None:
    syria = catalog.get("syria")
    assert syria.mentions("Syria's future")
    assert syria.mentions("the Syrians")
    assert syria.mentions("HAYAT  TAHRIR AL-SHAM fighters")
    assert not syria.mentions("Assadollah")
    assert not catalog.get("trump").mentions("trumpet")


def test_a_word_passing_once_does_not_make_a_story_about_a_topic(catalog: TopicCatalog) -> None:
    kursk = catalog.get("kursk")
    once = ["Putin spoke for hours.", "He mentioned Kursk briefly.", "Then he left."]
    twice = ["Troops fought in Kursk.", "Residents of the Kursk region fled.", "Other news."]
    assert not kursk.covers("Press conference", once)
    assert kursk.covers("Press conference", twice)
    assert kursk.covers("Fighting in Kursk", [])


def test_exclusions_keep_a_topic_out_of_a_story(catalog: TopicCatalog) -> None:
    trump = catalog.get("trump")
    assert trump.relevance("Bridge players keep a trump card", ["Trump.", "Trump."]) == 0.0


def test_free_words_become_a_keyword_topic(catalog: TopicCatalog) -> None:
    topic = catalog.resolve("oil prices, opec")
    assert not topic.configured
    assert topic.keywords == ("oil prices", "opec")
    assert topic.mentions("Oil  prices rose") and topic.mentions("OPEC met")
    with pytest.raises(UnknownTopic):
        keyword_topic(" ,, ")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[topic]]\ncommand = "Bad-Name"\nkeywords = ["x"]\n', "Bad-Name"),
        ('[[topic]]\ncommand = "x"\nkeywords = []\n', "keywords"),
        (
            '[[topic]]\ncommand = "x"\nkeywords = ["a"]\n'
            '[[topic]]\ncommand = "x"\nkeywords = ["b"]\n',
            "twice",
        ),
        ("topic = 3\n", "no \\[\\[topic\\]\\]"),
        ("[[topic]\n", "topics file"),
    ],
)
def test_bad_topic_files_are_refused_naming_the_problem(
    tmp_path: Path, body: str, message: str
) -> None:
    path = tmp_path / "topics.toml"
    path.write_text(body)
    with pytest.raises(SettingsError, match=message):
        load_topics(path)


@pytest.mark.parametrize(
    ("words", "short"),
    [
        ("a, b, c", ("a", "b", "c")),
        ("x, tides", ("x",)),
        ("AI", ()),
        ("bmw, 5g", ()),
        ("é", ("é",)),
    ],
)
def test_phrases_too_short_to_follow(words: str, short: tuple[str, ...]) -> None:
    assert too_short(keyword_topic(words)) == short


def test_topics_are_found_by_command_or_title() -> None:
    catalog = TopicCatalog([Topic("middleeast", "Middle East", ("gaza",))])
    for name in ("middleeast", "/MiddleEast", "middle east", "Middle  East"):
        found = catalog.find(name)
        assert found is not None and found.command == "middleeast"
    assert catalog.find("atlantis") is None


def test_free_words_are_named_beside_a_title_that_lacks_them() -> None:
    words = keyword_topic("Austin Tice, journalist")
    assert title_for_topic(words, "Putin on Syria") == "Austin Tice, journalist — Putin on Syria"
    assert title_for_topic(words, "Putin on Austin Tice") == "Putin on Austin Tice"
    headlines = ["Putin speaks", "Putin to ask Assad about journalist Austin Tice"]
    assert title_for_topic(words, "Putin on Syria", headlines) == headlines[1]
