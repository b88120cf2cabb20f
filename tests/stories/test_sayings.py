"""Who said what: names match speakers by words, initials, without case or accents."""

from __future__ import annotations

import pytest

from newsbrief.bot.stories.sayings import name_words, speaker_matches


@pytest.mark.parametrize(
    ("asked", "speaker", "matches"),
    [
        ("putin", "Vladimir Putin", True),
        ("Vladimir Putin", "Vladimir Putin", True),
        ("V. Putin", "Vladimir Putin", True),
        ("Putin's", "Vladimir Putin", True),
        ("zelensky", "Volodymyr Zelensky", True),
        ("Macron", "Emmanuel Macron", True),
        ("Lopez", "Andrés Manuel López Obrador", True),
        ("putin", "Putina Ivanova", False),
        ("Vladimir Putin", "Vladimir Zelensky", False),
        ("", "Vladimir Putin", False),
        ("putin", "", False),
        ("W. Putin", "Vladimir Putin", False),
    ],
)
def test_names_match_speakers(asked: str, speaker: str, matches: bool) -> None:
    assert speaker_matches(name_words(asked), speaker) is matches
