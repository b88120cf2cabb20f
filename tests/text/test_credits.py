"""Credits and by-lines: the one rule set that cleaning and briefs both use."""

import pytest

from newsbrief.bot.text.briefs import summarize
from newsbrief.bot.text.cleaning import clean_text
from newsbrief.bot.text.credits import BYLINE, is_credit_or_byline

BODY = (
    "The council approved the new bus plan on Monday after a long debate. "
    "The plan adds twelve routes across the city and starts in March next year. "
    "Officials expect ridership to rise by a fifth within two years of the launch."
)


@pytest.mark.parametrize(
    "line",
    [
        # what cleaning caught before
        "The mayor at the town hall. Photo: John Smith",
        "The mayor at the town hall (AP Photo/Jane Doe)",
        "The mayor at the town hall on Monday. REUTERS/Jane Doe",
        "Councillors vote on the plan (Getty Images)",
        "Image Source : AP/FILE",
        "The town hall © City Archive",
        # what briefs caught before
        "Photographs by Jane Doe for the Daily Paper",
        "picture: the town hall at night",
        "Scroll down for video of the vote",
        "Click here for the full list of routes",
        "Sign up for our morning newsletter",
        "Follow us on Facebook for updates",
    ],
)
def test_credits_known_to_either_rule_set_are_credits(line: str) -> None:
    assert is_credit_or_byline(line)


@pytest.mark.parametrize(
    "line",
    [
        "By Jane Smith, the council approved the plan.",  # briefs' by-line opening
        "BY: Jane Smith and Joe Doe | December 19, 2024",  # cleaning's by-line with a colon
        "Published: the council approved the plan.",
        "Updated: 19 December 2024",
    ],
)
def test_bylines_known_to_either_rule_set_are_bylines(line: str) -> None:
    assert is_credit_or_byline(line)


@pytest.mark.parametrize(
    "sentence",
    [
        "The council approved the new bus plan on Monday after a long debate.",
        "A photograph of the mayor hung in the hall for years.",
        "The bylaw was passed by a wide margin on Monday.",
    ],
)
def test_news_sentences_are_not_credits(sentence: str) -> None:
    assert not is_credit_or_byline(sentence)


def test_a_byline_keeps_what_is_glued_after_it() -> None:
    found = BYLINE.match("By Jane Smith | December 19, 2024")
    assert found is not None and found.group("rest") == "December 19, 2024"


def test_cleaning_drops_a_caption_only_briefs_knew() -> None:
    result = clean_text(
        f"Council backs plan\n\nPhotographs by Jane Doe for the Daily Paper\n\n{BODY}"
    )
    assert result.body == BODY


def test_cleaning_drops_a_byline_with_a_colon() -> None:
    result = clean_text(f"Council backs plan\n\nBY: Jane Smith and Joe Doe\n\n{BODY}")
    assert result.body == BODY


def test_briefs_skip_a_credit_sentence_only_cleaning_knew() -> None:
    text = f"{BODY} The town hall at dusk on Monday evening, pictured © City Archive Photo Desk."
    brief = summarize(text, sentences=4)
    assert brief and not any("©" in s for s in brief)
