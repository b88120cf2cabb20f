"""Inline mode and who said what: shareable briefs and quotes from stored results."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from botapi import BotApiStandIn, check_message_text

from e2e.helpers import USER, Chat, FakeClock, seed_stories
from newsbrief.handlers.runtime import Runtime

TITLE = "Putin breaks silence on Syria crisis"


async def ask_inline(botapi: BotApiStandIn, query: str) -> dict[str, Any]:
    """Type `@bot query` somewhere and return the bot's answer."""
    return await botapi.wait_for_inline_answer(botapi.send_inline_query(USER, query))


def shared(result: dict[str, Any]) -> str:
    """The visible text of the message a result would share (the stand-in checked it)."""
    content = result["input_message_content"]
    return check_message_text(content["message_text"], content["parse_mode"]).text


async def test_a_topic_offers_its_latest_stories_as_shareable_briefs(
    app: object, unlimited: BotApiStandIn
) -> None:
    answer = await ask_inline(unlimited, "syria")
    [result] = answer["results"]
    assert result["type"] == "article" and result["title"].startswith(TITLE)
    assert result["description"].startswith("19 Dec 2024 · ")
    text = shared(result)
    assert text.startswith(TITLE)
    assert "19 Dec 2024 · dailysabah.com" in text  # date and sources
    assert "Vladimir Putin has said he is yet to meet" in text  # the brief
    assert text.count("” — Vladimir Putin") == 1  # one quote
    assert result["input_message_content"]["link_preview_options"] == {"is_disabled": True}
    assert not unlimited.errors()


async def test_free_words_and_an_empty_query_find_stories_too(
    app: object, unlimited: BotApiStandIn, runtime: Runtime, clock: FakeClock
) -> None:
    seed_stories(runtime.services, "kursk", 3, newest=clock.now - timedelta(hours=2))
    [words] = (await ask_inline(unlimited, "asylum in Moscow"))["results"]
    assert words["title"].startswith(TITLE)
    latest = (await ask_inline(unlimited, ""))["results"]
    assert [r["title"] for r in latest[:3]] == [f"Talks on kursk, round {n}" for n in range(3)]
    assert latest[0]["description"].startswith("2 h ago · ")
    assert len({r["id"] for r in latest}) == len(latest)


async def test_nothing_found_offers_a_way_to_the_bot(app: object, unlimited: BotApiStandIn) -> None:
    answer = await ask_inline(unlimited, "zanzibar tortoises")
    assert answer["results"] == []
    assert answer["button"]["text"].startswith("No stories on zanzibar tortoises")
    assert answer["button"]["start_parameter"] == "inline"


async def test_quotes_of_a_person_inline_and_by_command(
    chat: Chat, unlimited: BotApiStandIn, runtime: Runtime, clock: FakeClock
) -> None:
    seed_stories(
        runtime.services, "kursk", 2, newest=clock.now - timedelta(hours=3), speaker="Jane Roe"
    )
    results = (await ask_inline(unlimited, "quotes putin"))["results"]
    assert results and all(r["description"].startswith("Vladimir Putin · ") for r in results)
    text = shared(results[0])
    assert text.startswith("Vladimir Putin\n“") and f"— {TITLE}" in text
    said = await chat.ask("/quotes roe")
    assert said.startswith("Jane Roe – latest quotes\n\n“We will keep talking, round 0”")
    assert "— Talks on kursk, round 0 (Outlet A) · 3 h ago" in said
    assert said.index("round 0”") < said.index("round 1”")  # newest first
    assert "I have no quotes of Nobody" in await chat.ask("/quotes Nobody")
    assert "Whose quotes?" in await chat.ask("/quotes")
    assert (await ask_inline(unlimited, "quotes nobody"))["results"] == []
