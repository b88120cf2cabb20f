"""Digests as a chat reads them: compact stories with their age, paged in place with More."""

from __future__ import annotations

from datetime import timedelta

from botapi import BotApiStandIn

from e2e.helpers import USER, Chat, FakeClock, seed_stories
from newsbrief.handlers import texts
from newsbrief.handlers.runtime import Runtime

LONG = "A sentence long enough to fill a page of a digest quickly, " * 12


async def test_a_story_shows_its_date_and_headline_link_and_tucks_the_rest_away(
    chat: Chat,
) -> None:
    [digest] = await chat.say("/syria")
    lines = digest.visible_text.split("\n")
    assert lines[0] == "Syria"
    assert lines[3] == "19 Dec 2024 · dailysabah.com, indiatvnews.com"  # outlets, not files
    kinds = [e["type"] for e in digest.entities]
    assert "expandable_blockquote" in kinds and "blockquote" not in kinds
    assert "“You want to present what is happening in Syria" in digest.visible_text


async def test_recent_stories_show_their_age_and_link_their_headline(
    chat: Chat, runtime: Runtime, clock: FakeClock
) -> None:
    seed_stories(runtime.services, "kursk", 2, newest=clock.now - timedelta(hours=3))
    [digest] = await chat.say("/kursk")
    assert "Talks on kursk, round 0\n3 h ago · Outlet A, Outlet B\n" in digest.visible_text
    assert "Talks on kursk, round 1\n4 h ago · " in digest.visible_text
    links = [e["url"] for e in digest.entities if e["type"] == "text_link"]
    assert links[0] == "https://a.example/kursk/0"  # the headline opens its best source


async def test_a_long_digest_pages_in_place_with_more_and_back(
    chat: Chat, unlimited: BotApiStandIn, runtime: Runtime, clock: FakeClock
) -> None:
    seed_stories(runtime.services, "kursk", 5, newest=clock.now, sentence=LONG)
    [first] = await chat.say("/kursk")
    assert len(unlimited.messages_for(USER)) == 1  # no wall of messages
    [more] = (first.reply_markup or {})["inline_keyboard"][0]
    assert more["text"].startswith("More › 2/") and more["callback_data"] == "p:t:kursk:1"
    pages = int(more["text"].rsplit("/", 1)[1])
    assert pages >= 2
    query = unlimited.press_button(USER, first, "p:t:kursk:1")
    await unlimited.wait_for_callback_answer(query)
    [second] = await unlimited.wait_for_edits(USER, 1)
    assert second.message_id == first.message_id and second.method == "editMessageText"
    assert second.visible_text != first.visible_text
    assert second.button_data()[0] == "p:t:kursk:0"
    query = unlimited.press_button(USER, second, "p:t:kursk:0")
    await unlimited.wait_for_callback_answer(query)
    edits = await unlimited.wait_for_edits(USER, 2)
    assert edits[-1].visible_text == first.visible_text
    assert len(unlimited.messages_for(USER)) == 1
    seen = " ".join([first.visible_text, second.visible_text])
    assert "round 0" in seen and "round 1" in seen


async def test_my_digest_pages_too_and_a_stale_page_button_is_told_so(
    chat: Chat, unlimited: BotApiStandIn, runtime: Runtime, clock: FakeClock
) -> None:
    seed_stories(runtime.services, "kursk", 5, newest=clock.now, sentence=LONG)
    await chat.say("/subscribe kursk")
    [first] = await chat.say("/digest")
    assert "p:d:1" in first.button_data()
    await chat.say("/unsubscribe kursk")
    query = unlimited.press_button(USER, first, "p:d:1")
    assert (await unlimited.wait_for_callback_answer(query))["text"] == texts.BUTTON_STALE
