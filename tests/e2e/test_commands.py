"""Every command end to end: PTB's real HTTP stack against the stand-in, which checks the HTML."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from botapi import BotApiStandIn
from feedserver import FeedServer, Reply

from e2e.helpers import ADMIN, USER, Chat, FakeClock, make_app, running
from newsbrief.bot.store import feeds as feeds_store
from newsbrief.bot.store import subscriptions as subs
from newsbrief.bot.store.statuses import FeedOrigin
from newsbrief.handlers import texts
from newsbrief.handlers.abuse import CommandLimiter
from newsbrief.handlers.runtime import BotApp, Runtime

NOW = datetime(2025, 3, 29, 12, 0, tzinfo=UTC)


def subscriber_of(runtime: Runtime, chat_id: int = USER) -> tuple[str, ...] | None:
    """The chat's stored topics, or None when nothing is stored about it."""
    with runtime.services.database.transaction() as session:
        subscriber = subs.find(session, chat_id)
        if subscriber is None:
            return None
        return subs.interests(session, [subscriber.id])[subscriber.id].topics


async def test_start_welcomes_with_a_button_per_topic(chat: Chat, runtime: Runtime) -> None:
    [welcome] = await chat.say("/start")
    assert welcome.visible_text.startswith("Welcome to newsbrief.")
    assert "08:00, UTC" in welcome.visible_text
    assert welcome.button_data() == [f"s:{t.command}" for t in runtime.services.topics]
    assert welcome.link_preview_disabled and welcome.parse_mode == "HTML"
    assert subscriber_of(runtime) == ()


async def test_a_deep_link_subscribes_at_once(chat: Chat, runtime: Runtime) -> None:
    [welcome] = await chat.say("/start syria")
    assert "You now get Syria in your daily brief." in welcome.visible_text
    keyboard = welcome.reply_markup or {}
    first = keyboard["inline_keyboard"][0][0]
    assert first["text"] == "✅ Syria"
    assert subscriber_of(runtime) == ("syria",)


async def test_help_lists_the_topic_commands(chat: Chat) -> None:
    answer = await chat.ask("/help")
    assert "/syria – Syria" in answer and "/settime HH:MM" in answer


async def test_topic_buttons_subscribe_and_unsubscribe_and_edit_the_keyboard(
    chat: Chat, unlimited: BotApiStandIn, runtime: Runtime
) -> None:
    [topics] = await chat.say("/topics")
    query = unlimited.press_button(USER, topics, "s:kursk")
    answer = await unlimited.wait_for_callback_answer(query)
    assert answer["text"] == "Kursk added to your daily brief."
    [edit] = await unlimited.wait_for_edits(USER, 1)
    assert edit.message_id == topics.message_id
    assert any(
        b["text"] == "✅ Kursk" and b["callback_data"] == "u:kursk"
        for row in (edit.reply_markup or {})["inline_keyboard"]
        for b in row
    )
    assert subscriber_of(runtime) == ("kursk",)
    query = unlimited.press_button(USER, edit, "u:kursk")
    answer = await unlimited.wait_for_callback_answer(query)
    assert answer["text"] == "Kursk taken out of your daily brief."
    await unlimited.wait_for_edits(USER, 2)
    assert subscriber_of(runtime) == ()


async def test_an_old_keyboard_does_what_its_button_says(
    chat: Chat, unlimited: BotApiStandIn, runtime: Runtime
) -> None:
    [old] = await chat.say("/topics")
    await chat.say("/subscribe syria")
    query = unlimited.press_button(USER, old, "s:syria")  # the old keyboard's "➕ Syria"
    answer = await unlimited.wait_for_callback_answer(query)
    assert answer["text"] == "Syria is already in your daily brief."
    assert subscriber_of(runtime) == ("syria",)
    [edit] = await unlimited.wait_for_edits(USER, 1)
    assert edit.message_id == old.message_id and "u:syria" in edit.button_data()


async def test_a_double_tap_edits_nothing_and_is_no_error(
    chat: Chat, unlimited: BotApiStandIn, runtime: Runtime
) -> None:
    [topics] = await chat.say("/topics")
    first = unlimited.press_button(USER, topics, "s:kursk")
    second = unlimited.press_button(USER, topics, "s:kursk")  # before the first is handled
    assert (await unlimited.wait_for_callback_answer(first))["text"].startswith("Kursk added")
    assert (await unlimited.wait_for_callback_answer(second))["text"].startswith("Kursk is already")
    assert await chat.ask("/mytopics")  # handled after both presses
    assert [c.method for c in unlimited.errors(400)] == ["editMessageReplyMarkup"]
    assert "is not modified" in str(unlimited.errors(400)[0].description)
    assert not [m for m in unlimited.messages_for(USER) if m.visible_text == texts.SORRY]
    assert subscriber_of(runtime) == ("kursk",)


async def test_a_topic_command_sends_its_latest_digest(chat: Chat) -> None:
    [digest] = await chat.say("/syria")
    assert digest.visible_text.startswith("Syria\n")
    assert {"type": "bold", "offset": 0, "length": 5} in digest.entities
    assert any(e["type"] == "expandable_blockquote" for e in digest.entities)
    assert digest.link_preview_disabled


async def test_a_topic_with_nothing_new_says_so(chat: Chat) -> None:
    assert await chat.ask("/sport") == "Nothing new for Sport right now."


async def test_subscribe_unsubscribe_and_mytopics(chat: Chat, runtime: Runtime) -> None:
    assert "Syria is now in your daily brief" in await chat.ask("/subscribe syria")
    assert "already" in await chat.ask("/subscribe /Syria")
    assert "Middle East is now" in await chat.ask("/subscribe middle east")
    assert "no topic called atlantis" in await chat.ask("/subscribe atlantis")
    assert "Which topic?" in await chat.ask("/subscribe")
    mine = await chat.ask("/mytopics")
    assert "Topics: Middle East, Syria" in mine or "Topics: Syria, Middle East" in mine
    assert "Middle East is no longer" in await chat.ask("/unsubscribe middleeast")
    assert "was not in" in await chat.ask("/unsubscribe middleeast")
    assert subscriber_of(runtime) == ("syria",)


async def test_subscribing_to_a_quiet_topic_says_so(chat: Chat, runtime: Runtime) -> None:
    days = runtime.settings.telegram.daily_digest_days
    quiet = await chat.ask("/subscribe sport")
    assert "Sport is now in your daily brief" in quiet
    assert f"no news on Sport in the last {days} days" in quiet
    assert "no news" not in await chat.ask("/subscribe syria")
    [welcome] = await chat.say("/start sport")
    assert "no news on Sport" in welcome.visible_text


async def test_digest_sends_all_my_topics_or_explains(chat: Chat) -> None:
    assert await chat.ask("/digest") == texts.NO_TOPICS_YET
    await chat.say("/subscribe syria")
    await chat.say("/follow Putin")
    [digest] = await chat.say("/digest")
    assert digest.visible_text.startswith("Syria\n")
    assert digest.visible_text.endswith("\n\nPutin: see the stories above.")
    assert "Nothing new" not in digest.visible_text


async def test_settime_and_timezone_with_suggestions(chat: Chat, runtime: Runtime) -> None:
    assert "every day at 07:30, UTC" in await chat.ask("/settime 7:30")
    assert "could not read 25:00" in await chat.ask("/settime 25:00")
    assert "/settime 7pm" in await chat.ask("/settime")
    near = await chat.ask("/timezone Europe/Berln")
    assert "Did you mean Europe/Berlin" in near
    assert await chat.ask("/timezone Qqqqqqq") == "I do not know the time zone Qqqqqqq."
    assert "now Europe/Berlin (UTC+01:00): your daily brief comes at 07:30" in await chat.ask(
        "/timezone europe/berlin"
    )
    assert "Your time zone is Europe/Berlin" in await chat.ask("/timezone")
    with runtime.services.database.transaction() as session:
        subscriber = subs.find(session, USER)
        assert subscriber is not None
        assert (subscriber.timezone, subscriber.digest_time) == ("Europe/Berlin", "07:30")


async def test_zones_and_times_as_people_write_them(chat: Chat, runtime: Runtime) -> None:
    assert "now UTC+03:00: your daily brief comes at 08:00" in await chat.ask("/timezone GMT+3")
    assert "now UTC+03:00:" in await chat.ask("/timezone UTC+3")
    assert "now UTC-05:00:" in await chat.ask("/timezone -05:00")
    assert "now Europe/Kyiv (UTC+02:00):" in await chat.ask("/timezone Kyiv")
    assert "every day at 19:00, Europe/Kyiv (UTC+02:00)" in await chat.ask("/settime 7pm")
    assert "every day at 19:30," in await chat.ask("/settime 7:30 pm")
    assert "now Europe/Berlin (UTC+01:00):" in await chat.ask("/timezone Berlin")
    near = await chat.ask("/timezone UTC+5:30")
    assert "Did you mean Asia/Colombo (UTC+05:30), Asia/Kolkata (UTC+05:30)?" in near
    with runtime.services.database.transaction() as session:
        subscriber = subs.find(session, USER)
        assert subscriber is not None
        assert (subscriber.timezone, subscriber.digest_time) == ("Europe/Berlin", "19:30")


async def test_follow_and_unfollow_words(chat: Chat) -> None:
    assert "You now follow solar power, wind" in await chat.ask("/follow  solar power ,wind")
    assert "already follow" in await chat.ask("/follow solar power, wind")
    assert "Which words?" in await chat.ask("/follow ,,")
    assert "Words you follow: solar power, wind" in await chat.ask("/mytopics")
    assert "no longer follow solar power, wind" in await chat.ask("/unfollow solar power, wind")
    await chat.say("/follow tides")
    assert await chat.ask("/unfollow") == texts.UNFOLLOWED_ALL
    assert await chat.ask("/unfollow") == texts.NOTHING_FOLLOWED


async def test_followed_words_ignore_case_and_single_letters_are_refused(
    chat: Chat, runtime: Runtime
) -> None:
    assert "You now follow BMW" in await chat.ask("/follow BMW")
    assert await chat.ask("/follow bmw") == "You already follow BMW."
    assert "Words you follow: BMW\n" in await chat.ask("/mytopics") + "\n"
    assert await chat.ask("/unfollow bmw") == "You no longer follow BMW."
    refused = await chat.ask("/follow a, b, c")
    assert refused.startswith("a, b, c would match nearly every story")
    assert "x would match" in await chat.ask("/follow x, tides")
    assert "You now follow AI" in await chat.ask("/follow AI")
    with runtime.services.database.transaction() as session:
        subscriber = subs.find(session, USER)
        assert subscriber is not None
        assert subs.interests(session, [subscriber.id])[subscriber.id].words == ("AI",)


async def test_mytopics_shows_the_schedule_even_with_nothing_chosen(chat: Chat) -> None:
    await chat.say("/settime 7pm")
    await chat.say("/timezone Berlin")
    mine = await chat.ask("/mytopics")
    assert "every day at 19:00, Europe/Berlin (UTC+01:00)" in mine
    assert "Nothing is chosen yet" in mine


async def test_pause_and_resume(chat: Chat, runtime: Runtime) -> None:
    await chat.say("/subscribe syria")
    assert await chat.ask("/pause") == texts.PAUSED
    assert await chat.ask("/pause") == texts.ALREADY_PAUSED
    assert "(paused" in await chat.ask("/mytopics")
    with runtime.services.database.transaction() as session:
        subscriber = subs.find(session, USER)
        assert subscriber is not None and subscriber.next_due_at is None
    assert await chat.ask("/resume") == "Your daily brief is back: next at 08:00, UTC."
    assert await chat.ask("/resume") == (
        "Your daily brief is not paused: it comes every day at 08:00, UTC."
    )


async def test_stop_asks_first_then_forgets_everything(
    chat: Chat, unlimited: BotApiStandIn, runtime: Runtime
) -> None:
    await chat.say("/subscribe syria")
    await chat.say("/follow putin")
    [ask] = await chat.say("/stop")
    assert ask.visible_text == texts.STOP_CONFIRM and ask.button_data() == ["f:yes", "f:no"]
    await unlimited.wait_for_callback_answer(unlimited.press_button(USER, ask, "f:no"))
    [kept] = await unlimited.wait_for_edits(USER, 1)
    assert kept.visible_text == texts.STOP_CANCELLED and kept.reply_markup is None
    assert subscriber_of(runtime) == ("syria",)
    [ask] = await chat.say("/stop")
    await unlimited.wait_for_callback_answer(unlimited.press_button(USER, ask, "f:yes"))
    [_, done] = await unlimited.wait_for_edits(USER, 2)
    assert done.visible_text == texts.STOPPED
    assert subscriber_of(runtime) is None
    assert await chat.ask("/stop") == texts.NOTHING_TO_STOP


async def test_unknown_commands_and_free_text_get_help(chat: Chat) -> None:
    assert await chat.ask("/frobnicate") == texts.UNKNOWN_COMMAND
    answer = await chat.ask("what about <b>tariffs</b> & trade?")
    assert "/follow what about <b>tariffs</b> & trade?" in answer
    assert "too long" in await chat.ask("x" * 300)
    assert "too long" in await chat.ask("/follow " + "y " * 150)


async def test_admin_commands_answer_admins_only_with_no_hint_to_others(
    unlimited: BotApiStandIn, app: BotApp, runtime: Runtime
) -> None:
    admin, user = Chat(unlimited, ADMIN), Chat(unlimited, USER)
    for command in ("/stats", "/feeds", "/refresh"):
        assert await user.ask(command) == texts.UNKNOWN_COMMAND
    stats = await admin.ask("/stats")
    assert stats.startswith("Stats\nSubscribers: 0") and "Articles stored: 2" in stats
    feeds = await admin.ask("/feeds")
    assert "no feeds yet" in feeds and "none since the bot started" in feeds
    with FeedServer() as server:
        gone = server.add("/gone.xml", Reply(410, b"gone"))
        with runtime.services.database.transaction() as session:
            feeds_store.add_feed(
                session, feeds_store.FeedSpec(gone), origin=FeedOrigin.CLI, now=NOW
            )
        started, alert, done = await admin.say("/refresh", replies=3)
    assert started.visible_text == texts.REFRESHING
    assert alert.visible_text.startswith("⚠️ Feed disabled: " + gone) and "410" in alert.visible_text
    assert done.visible_text.startswith("Ingest done\nfeeds: 1 feeds (0 fetched")
    health = await admin.ask("/feeds")
    assert f"⛔ {gone}" in health and "feeds: 1 feeds" in health


async def test_command_menus_are_set_and_valid(unlimited: BotApiStandIn, app: BotApp) -> None:
    public = [c["command"] for c in unlimited.commands()]
    assert public[:3] == ["start", "help", "topics"]
    assert {"syria", "kursk", "digest", "settime", "stop"} <= set(public)
    assert not {"stats", "feeds", "refresh"} & set(public)
    admin = [c["command"] for c in unlimited.commands({"type": "chat", "chat_id": ADMIN})]
    assert {"stats", "feeds", "refresh", "syria"} <= set(admin)
    assert len(admin) <= 100


async def test_a_user_flooding_commands_is_told_once_then_ignored(
    unlimited: BotApiStandIn, tmp_path: Path, clock: FakeClock
) -> None:
    app = make_app(unlimited, tmp_path, clock, limiter=CommandLimiter(rate=0.01, burst=2))
    async with running(app):
        chat = Chat(unlimited)
        await chat.say("/help")
        await chat.say("/help")
        assert await chat.ask("/help") == texts.SLOW_DOWN
        unlimited.send_user_message(USER, "/help")
        other = Chat(unlimited, USER + 1)
        assert (await other.ask("/help")).startswith("Topics")
        assert len(unlimited.messages_for(USER)) == 3


async def test_the_token_never_reaches_the_logs(
    unlimited: BotApiStandIn, tmp_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    app = make_app(unlimited, tmp_path, clock)
    async with running(app):
        await Chat(unlimited).say("/help")
        logging.getLogger("telegram.ext").warning("calling %s/getMe", app.bot.base_url)
    assert unlimited.token not in caplog.text
    assert "bot<token>/getMe" in caplog.text
    assert not [r for r in caplog.records if r.name == "httpx" and r.levelno < logging.WARNING]
