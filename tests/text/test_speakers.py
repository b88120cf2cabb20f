"""Speakers: fullest names, pronouns and role nouns resolved within one article."""

from __future__ import annotations

from newsbrief.bot.text.speakers import Speakers

TEXT = (
    "Russian President Vladimir Putin met U.S. President Joe Biden in Geneva. "
    "Hillary Clinton watched from New York. Putin spoke first, then Mrs. Clinton."
)


def test_fullest_name_for_a_surname_or_title() -> None:
    people = Speakers(TEXT)
    assert people.name("Putin") == "Vladimir Putin"
    assert people.name("Mrs. Clinton") == "Hillary Clinton"
    assert people.name("President Biden") == "Joe Biden"


def test_pronoun_takes_the_latest_compatible_subject() -> None:
    people = Speakers(TEXT)
    end = len(TEXT)
    assert people.pronoun("she", end) == "Hillary Clinton"
    assert people.pronoun("he", end) == "Vladimir Putin"
    assert people.pronoun("they", end) is None


def test_pronoun_skips_quoted_names() -> None:
    text = 'Jane Roe spoke. "I met John Smith there," she said.'
    start = text.index('"')
    people = Speakers(text, [(start, text.index('"', start + 1) + 1)])
    assert people.pronoun("he", len(text)) is None
    assert people.pronoun("she", len(text)) == "Jane Roe"


def test_role_nouns_resolve_only_when_unique() -> None:
    people = Speakers(TEXT)
    assert people.nominal("the Russian President", len(TEXT)) == "Vladimir Putin"
    assert people.nominal("the Kremlin leader", len(TEXT)) == "Vladimir Putin"
    assert people.nominal("the senator", len(TEXT)) is None


def test_places_are_not_people() -> None:
    people = Speakers("South Carolina voted. New Hampshire followed. It was close, he said.")
    assert people.pronoun("he", 60) is None
